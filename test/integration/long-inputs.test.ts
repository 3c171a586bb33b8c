import { describe, expect, it } from "vitest";
import { BASE, callTool, mcpClient, newUser, rest, uniqueName, workerFetch } from "../helpers";

/** Distinct letter-only words. */
function word(i: number): string {
  return [...i.toString(26).padStart(4, "0")].map((d) => String.fromCharCode(97 + parseInt(d, 26))).join("");
}

/** A real-shaped JVM trace: thousands of frames of distinct packages, classes and methods. */
function javaTrace(lines: number): string {
  const frames = Array.from({ length: lines - 1 }, (_, i) => {
    const cls = `Handler${word(i)}`;
    return `\tat com.example.${word(i % 97)}.${cls}.on${word(i + 5000)}(${cls}.java:${(i % 900) + 10})`;
  });
  return ["java.lang.IllegalStateException: connection pool exhausted while leasing a session", ...frames].join("\n");
}

describe("inputs of real size", () => {
  it("answers a 300-word query over REST and MCP and finds the error it names", async () => {
    const { token } = await newUser();
    const slug = uniqueName("long-query");
    const target = await rest(token, "POST", `/api/v1/projects/${slug}/errors`, {
      error_type: "QuotaError",
      message: "tenant quota exceeded for bucket uploads",
    });
    expect(target.status).toBe(201);
    const words = Array.from({ length: 296 }, (_, i) => word(i));
    const query = ["QuotaError", "tenant", "quota", "exceeded", ...words].join(" ");
    expect(new Set(query.split(" ")).size).toBe(300);

    const viaRest = await rest(token, "POST", `/api/v1/projects/${slug}/errors/search`, { query });
    expect(viaRest.status, JSON.stringify(viaRest.body)).toBe(200);
    expect(viaRest.body.results[0].error_id).toBe(target.body.error_id);

    const client = await mcpClient(token);
    try {
      const viaMcp = await callTool(client, "coding_search_errors", { project_id: slug, query, mode: "lexical" });
      expect(viaMcp.isError, viaMcp.text).toBe(false);
      expect(viaMcp.data.results[0].error_id).toBe(target.body.error_id);
      const solutions = await callTool(client, "coding_get_solutions_for_error", {
        project_id: slug,
        error_text: query,
      });
      expect(solutions.isError, solutions.text).toBe(false);
    } finally {
      await client.close();
    }
  }, 25_000); // 6 calls

  it("records a 2,000-line Java stack trace once, and finds it by the pasted trace", async () => {
    const { token } = await newUser();
    const slug = uniqueName("java-trace");
    const trace = javaTrace(2_000);
    expect(trace.split("\n")).toHaveLength(2_000);
    const client = await mcpClient(token);
    try {
      const recorded = await callTool(client, "coding_record_error", {
        project_id: slug,
        error_type: "java.lang.IllegalStateException",
        message: "connection pool exhausted while leasing a session",
        stack_trace: trace,
      });
      expect(recorded.isError, recorded.text).toBe(false);
      expect(recorded.data).toMatchObject({ recorded: true, occurrences: 1, stack_trace_truncated: true });

      const found = await callTool(client, "coding_search_errors", { project_id: slug, query: trace });
      expect(found.isError, found.text).toBe(false);
      expect(found.data.results[0].error_id).toBe(recorded.data.error_id);
      const viaRest = await rest(token, "POST", `/api/v1/projects/${slug}/errors/search`, {
        query: trace,
        mode: "lexical",
      });
      expect(viaRest.status, JSON.stringify(viaRest.body)).toBe(200);
      expect(viaRest.body.results[0].error_id).toBe(recorded.data.error_id);

      const listed = await rest(token, "GET", `/api/v1/projects/${slug}/errors`);
      expect(listed.body.errors ?? listed.body.items).toHaveLength(1);
    } finally {
      await client.close();
    }
  }, 25_000); // 6 calls

  it("takes a 5 MB CI log through the generic webhook", async () => {
    const { token } = await newUser();
    const slug = uniqueName("big-log");
    // The project exists once someone wrote to it.
    expect(
      (await rest(token, "POST", `/api/v1/projects/${slug}/errors`, { error_type: "Setup", message: "created" }))
        .status,
    ).toBe(201);
    const noise = Array.from({ length: 60_000 }, (_, i) => `[${i}] compiling module ${word(i)} ... ok`).join("\n");
    const failure =
      "Traceback (most recent call last):\n" +
      '  File "app/worker.py", line 41, in run\n' +
      "    client.connect()\n" +
      "ConnectionRefusedError: [Errno 111] Connection refused\n";
    const pad = "x".repeat(Math.max(0, 5_000_000 - noise.length - failure.length - 200));
    const log = `${noise}\n${pad}\n${failure}`;
    const body = JSON.stringify({ job: "integration", status: "failure", log });
    expect(body.length).toBeGreaterThan(4_900_000);
    const response = await workerFetch(`${BASE}/webhooks/ci/${slug}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", "X-Delivery-Id": "big-1" },
      body,
    });
    const answer = (await response.json()) as any;
    expect(response.status, JSON.stringify(answer).slice(0, 500)).toBe(201);
    expect(answer.errors.map((e: { error_type: string }) => e.error_type)).toContain("ConnectionRefusedError");
  }, 20_000); // 3 calls
});
