import { describe, expect, it } from "vitest";
import { callTool, mcpClient, newUser, rest, uniqueName } from "../helpers";

const TRACE = [
  "Traceback (most recent call last):",
  '  File "app/billing.py", line 88, in total',
  "    return sum(line.amount for line in lines) + tax",
  "TypeError: unsupported operand type(s) for +: 'int' and 'NoneType'",
].join("\n");

describe("MCP prompts and resources", () => {
  it("lists the workflow prompts and fills recall_error with the team's fix", async () => {
    const { token } = await newUser();
    const project = uniqueName("prompts");
    const client = await mcpClient(token);
    const recorded = await callTool(client, "coding_record_error", {
      project_id: project,
      error_type: "TypeError",
      message: "unsupported operand type(s) for +: 'int' and 'NoneType'",
      stack_trace: TRACE,
    });
    await callTool(client, "coding_resolve_error", {
      project_id: project,
      error_id: recorded.data.error_id,
      solution: "Default a missing tax to 0 before adding it.",
    });

    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual([
      "start_session",
      "recall_error",
      "record_decision",
      "summarize_session",
    ]);
    for (const prompt of prompts) expect(prompt.description).toBeTruthy();
    const recall = prompts.find((p) => p.name === "recall_error");
    expect(recall?.arguments?.map((a) => [a.name, a.required])).toEqual([
      ["project_id", true],
      ["error", true],
    ]);

    const got = await client.getPrompt({ name: "recall_error", arguments: { project_id: project, error: TRACE } });
    const text = (got.messages[0]?.content as { text: string }).text;
    expect(text).toContain("Default a missing tax to 0 before adding it.");
    expect(text).toContain("coding_resolve_error");
    await client.close();
  });

  it("start_session carries the context; summarize_session needs an active session; nothing is written", async () => {
    const { token } = await newUser();
    const project = uniqueName("prompts-session");
    const client = await mcpClient(token);
    await callTool(client, "coding_record_decision", {
      project_id: project,
      decision: "Use Postgres advisory locks for the scheduler",
      rationale: "One scheduler at a time without a new service.",
    });
    const start = await client.getPrompt({
      name: "start_session",
      arguments: { project_id: project, task: "fix the scheduler" },
    });
    const startText = (start.messages[0]?.content as { text: string }).text;
    expect(startText).toContain("coding_start_session");
    expect(startText).toContain("advisory locks");
    // Getting a prompt starts nothing.
    await expect(client.getPrompt({ name: "summarize_session", arguments: { project_id: project } })).rejects.toThrow(
      /no active coding session/,
    );
    await callTool(client, "coding_start_session", { project_id: project, description: "fix the scheduler" });
    const summary = await client.getPrompt({ name: "summarize_session", arguments: { project_id: project } });
    expect((summary.messages[0]?.content as { text: string }).text).toContain("coding_end_session");
    await client.close();
  });

  it("lists each project's context, decisions and open errors as resources and reads them", async () => {
    const { token } = await newUser();
    const project = uniqueName("resources");
    const client = await mcpClient(token);
    await callTool(client, "coding_record_error", {
      project_id: project,
      error_type: "KeyError",
      message: "'user_id'",
    });
    await callTool(client, "coding_record_decision", {
      project_id: project,
      decision: "Keep sessions in a Durable Object",
      rationale: "One writer per user and project.",
      alternatives: ["KV"],
    });
    const { resources } = await client.listResources();
    const ours = resources.filter((r) => r.uri.includes(encodeURIComponent(`/${project}`)));
    expect(ours.map((r) => r.uri.split("/").slice(-1)[0])).toEqual(
      expect.arrayContaining(["context", "decisions", "open"]),
    );
    for (const resource of resources) expect(resource.name).toBeTruthy();
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain("coding-memory://projects/{project}/errors/open");

    const read = async (path: string) => {
      const uri = ours.find((r) => r.uri.endsWith(`/${path}`))?.uri ?? "";
      const result = await client.readResource({ uri });
      return (result.contents[0] as { text: string }).text;
    };
    expect(await read("errors/open")).toContain("KeyError: 'user_id'");
    const decisions = await read("decisions");
    expect(decisions).toContain("Keep sessions in a Durable Object");
    expect(decisions).toContain("Rejected: KV");
    expect(await read("context")).toContain(project);
    await client.close();
  });

  it("reads nothing of another user's project, through a prompt or a resource", async () => {
    const owner = await newUser();
    const attacker = await newUser();
    const project = uniqueName("resources-private");
    const ownerClient = await mcpClient(owner.token);
    await callTool(ownerClient, "coding_record_error", {
      project_id: project,
      error_type: "SecretError",
      message: "internal detail",
    });
    await ownerClient.close();
    const ref = `~${owner.userId}/${project}`;
    const client = await mcpClient(attacker.token);
    const { resources } = await client.listResources();
    expect(JSON.stringify(resources)).not.toContain(project);
    const uri = `coding-memory://projects/${encodeURIComponent(ref)}/errors/open`;
    const refused = await client.readResource({ uri }).then(
      (r) => JSON.stringify(r),
      (error: Error) => error.message,
    );
    expect(refused).not.toContain("internal detail");
    expect(refused).toMatch(/not_found|forbidden/);
    const prompt = await client
      .getPrompt({ name: "recall_error", arguments: { project_id: ref, error: "SecretError" } })
      .then(
        (r) => JSON.stringify(r),
        (error: Error) => error.message,
      );
    expect(prompt).not.toContain("internal detail");
    // The REST surface agrees: the attacker sees no such project.
    expect((await rest(attacker.token, "GET", `/api/v1/projects/${encodeURIComponent(ref)}/errors`)).status).toBe(404);
    await client.close();
  });
});
