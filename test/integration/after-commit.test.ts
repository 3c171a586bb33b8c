import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE, callTool, mcpClient, newUser, rest, uniqueName, workerFetch } from "../helpers";

/**
 * A project with a resolved error whose stored row cannot be read back (its tags are not JSON): any search that
 * finds it fails. Recording a similar error commits, and then the search for fixes fails, after the write point.
 */
async function projectWithUnreadableFix() {
  const { token } = await newUser();
  const slug = uniqueName("after-commit");
  const fixed = await rest(token, "POST", `/api/v1/projects/${slug}/errors`, {
    error_type: "LeaseError",
    message: "session lease expired in pool",
    solution: "Renew the lease before it runs out.",
  });
  expect(fixed.status).toBe(201);
  await env.DB.prepare("UPDATE errors SET tags = 'not json' WHERE id = ?").bind(fixed.body.error_id).run();
  return { token, slug };
}

async function storedErrors(slug: string, message: string) {
  const rows = await env.DB.prepare(
    "SELECT e.id, e.occurrences FROM errors e JOIN projects p ON p.id = e.project_id WHERE p.slug = ? AND e.message = ?",
  )
    .bind(slug, message)
    .all<{ id: string; occurrences: number }>();
  return rows.results;
}

describe("a step failing after the write has committed", () => {
  it("coding_record_error still answers recorded (with a warning), and the error counts once", async () => {
    const { token, slug } = await projectWithUnreadableFix();
    const message = "session lease expired in worker pool";
    const client = await mcpClient(token);
    try {
      const recorded = await callTool(client, "coding_record_error", {
        project_id: slug,
        error_type: "LeaseError",
        message,
      });
      expect(recorded.isError, recorded.text).toBe(false);
      expect(recorded.data).toMatchObject({ recorded: true, occurrences: 1, suggested_solutions: [] });
      expect(recorded.data.warnings).toEqual([expect.objectContaining({ step: "suggested_solutions" })]);
      expect(recorded.text).toContain("the write itself is stored");
      expect(recorded.text).not.toMatch(/SyntaxError|JSON\.parse|at .*\.ts/);
      // The caller was told it is stored, so it does not retry: one record, one occurrence.
      expect(await storedErrors(slug, message)).toEqual([{ id: recorded.data.error_id, occurrences: 1 }]);

      // Over REST too.
      const viaRest = await rest(token, "POST", `/api/v1/projects/${slug}/errors`, {
        error_type: "LeaseError",
        message: "session lease expired in rest pool",
      });
      expect(viaRest.status, JSON.stringify(viaRest.body)).toBe(201);
      expect(viaRest.body.warnings).toHaveLength(1);
      expect(await storedErrors(slug, "session lease expired in rest pool")).toHaveLength(1);
    } finally {
      await client.close();
    }
  }, 25_000); // 6 calls

  it("the CI webhook answers 201 for a delivery it stored, and a redelivery counts nothing", async () => {
    const { token, slug } = await projectWithUnreadableFix();
    const body = JSON.stringify({
      job: "integration",
      status: "failure",
      log:
        "Traceback (most recent call last):\n" +
        '  File "app/lease.py", line 12, in renew\n' +
        "    raise LeaseError('session lease expired in ci pool')\n" +
        "LeaseError: session lease expired in ci pool\n",
    });
    const deliver = () =>
      workerFetch(`${BASE}/webhooks/ci/${slug}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "X-Delivery-Id": "run-after-commit" },
        body,
      });
    const first = await deliver();
    const answer = (await first.json()) as any;
    expect(first.status, JSON.stringify(answer)).toBe(201);
    expect(answer.recorded).toBe(1);
    expect(answer.warnings).toEqual([expect.objectContaining({ step: "suggested_solutions" })]);
    const again = await deliver();
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true, recorded: 0 });
    const stored = await storedErrors(slug, answer.errors[0].message);
    expect(stored).toEqual([{ id: answer.errors[0].error_id, occurrences: 1 }]);
  }, 20_000); // 4 calls
});
