import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildServices } from "../../src/composition/services";
import { DurableSessionStore } from "../../src/adapters/durable-session-store";
import { handleQueueBatch, SUMMARY_QUEUE } from "../../src/queue/consumer";
import { callTool, interceptOpenAi, mcpClient, newUser, rest, uniqueName, type OpenAiFake } from "../helpers";

const AI_ADVICE =
  "```json\n" +
  JSON.stringify({
    root_cause: "A naive datetime is compared with an aware one.",
    fix_steps: ["Use datetime.now(timezone.utc)", "Make stored timestamps aware"],
    confidence: "high",
    based_on: ["e1"],
    alternatives: ["Strip tzinfo before comparing"],
    debugging_tips: ["Print tzinfo of both operands"],
    prevention: "Lint for naive datetime.now() calls.",
  }) +
  "\n```";
const AI_PREFERENCES = JSON.stringify({
  languages: [{ preference: "Write Python 3", evidence: "all changes are .py" }],
  libraries: [{ preference: "Test with pytest", evidence: "import pytest in 12 changes" }],
  naming: [],
  testing: [{ preference: "Keep tests in tests/", evidence: "tests/test_*.py" }],
  style: [],
});
const AI_SUMMARY = "## Summary\nFixed the datetime comparison in auth.\n\n## Next steps\n- Add a test for expiry.";

let openAi: OpenAiFake;
beforeEach(() => {
  // The solution-suggestion prompt asks for JSON; the summary prompt for Markdown.
  openAi = interceptOpenAi(
    (body) =>
      String(body.messages?.[0]?.content).includes("coding preferences")
        ? AI_PREFERENCES
        : String(body.messages?.[0]?.content).includes("JSON object")
          ? AI_ADVICE
          : AI_SUMMARY,
    { prompt_tokens: 420, completion_tokens: 90 },
  );
});
afterEach(() => openAi.restore());

async function sessionWithActivity(settings: Record<string, unknown>) {
  const { token, userId } = await newUser();
  const client = await mcpClient(token);
  const project_id = uniqueName("sum");
  const configured = await callTool(client, "coding_update_settings", { project_id, ...settings });
  expect(configured.isError, configured.text).toBe(false);
  const started = await callTool(client, "coding_start_session", { project_id, description: "Fix token expiry" });
  await callTool(client, "coding_track_file_change", {
    project_id,
    file_path: "src/auth/tokens.py",
    action: "edit",
    reason: "compare aware datetimes",
  });
  await callTool(client, "coding_record_error", {
    project_id,
    error_type: "TypeError",
    message: "can't compare offset-naive and offset-aware datetimes",
    solution: "use datetime.now(timezone.utc)",
  });
  return { token, userId, client, project_id, sessionId: started.data.session_id as string };
}

describe("AI session summaries through the queue", () => {
  it("ends a session with the digest, queues the summary, and returns the model's summary once written", async () => {
    {
      const { token, client, project_id, sessionId } = await sessionWithActivity({
        model: "gpt-4o-mini",
        auto_approve: true,
      });
      const ended = await callTool(client, "coding_end_session", { project_id });
      expect(ended.isError, ended.text).toBe(false);
      let summary = ended.data.summary as string;
      if (ended.data.summary_status.state === "pending") {
        // Slow machine: the tool answered before the consumer ran; the summary arrives later.
        expect(ended.data.summary_source).toBe("digest");
        for (let attempt = 0; attempt < 50 && summary !== AI_SUMMARY; attempt += 1) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          summary = (await callTool(client, "coding_get_session", { project_id, session_id: sessionId })).data.summary;
        }
      } else expect(ended.data).toMatchObject({ summary_status: { state: "ready" }, summary_source: "llm" });
      expect(summary).toBe(AI_SUMMARY);

      const fetched = await rest(token, "GET", `/api/v1/projects/${project_id}/sessions/${sessionId}`);
      expect(fetched.body).toMatchObject({ summary: AI_SUMMARY, summary_source: "llm", status: "ended" });
      expect(openAi.calls).toHaveLength(1);
      const sent = openAi.calls[0] ?? {};
      expect(sent.model).toBe("gpt-4o-mini");
      expect(sent.messages[1].content).toContain("src/auth/ (1 file): tokens.py [edit: compare aware datetimes]");
      expect(sent.messages[1].content).toContain("TypeError: can't compare offset-naive");

      const costs = await rest(token, "GET", `/api/v1/projects/${project_id}/costs`);
      expect(costs.body).toMatchObject({ call_count: 1, total_tokens: 510 });
      expect(costs.body.calls[0]).toMatchObject({ operation: "session_summary", session_id: sessionId });

      // Idempotent: the job delivered again writes nothing and calls nobody.
      const project = await env.DB.prepare("SELECT id FROM projects WHERE slug = ?")
        .bind(project_id)
        .first<{ id: string }>();
      const again = await buildServices(env).llm.summaries.run({
        kind: "session_summary",
        projectId: project?.id ?? "",
        sessionId,
        userId: "x",
        approved: true,
        requestedAt: Date.now(),
      });
      expect(again).toBe("exists");
      expect(openAi.calls).toHaveLength(1);
    }
  }, 70_000); // 55 calls

  it("holds an expensive summary for approval: deny keeps the digest, approve runs it, expired is refused", async () => {
    {
      const first = await sessionWithActivity({ model: "gpt-4o-mini", auto_approve: false, cost_threshold: 0 });
      const held = await callTool(first.client, "coding_end_session", { project_id: first.project_id });
      expect(held.data.summary_status).toMatchObject({ state: "approval_required", model: "openai/gpt-4o-mini" });
      expect(held.data.summary_status.estimated_cost_usd).toBeGreaterThan(0);
      expect(held.text).toMatch(/Approval required: .* coding_approve or coding_deny/);
      expect(held.data.summary_source).toBe("digest");
      const approvalId = held.data.summary_status.approval_id as string;

      const denied = await callTool(first.client, "coding_deny", {
        project_id: first.project_id,
        approval_id: approvalId,
      });
      expect(denied.data).toMatchObject({ decision: "denied" });
      const twice = await callTool(first.client, "coding_approve", {
        project_id: first.project_id,
        approval_id: approvalId,
      });
      expect(twice.isError).toBe(true);
      expect(twice.text).toMatch(/no pending approval/);
      expect(openAi.calls).toHaveLength(0);

      const second = await sessionWithActivity({ model: "gpt-4o-mini", auto_approve: false, cost_threshold: 0 });
      const held2 = await callTool(second.client, "coding_end_session", { project_id: second.project_id });
      const approved = await rest(
        second.token,
        "POST",
        `/api/v1/projects/${second.project_id}/approvals/${held2.data.summary_status.approval_id}/approve`,
      );
      expect(approved.status).toBe(200);
      expect(approved.body.decision).toBe("approved");
      let summary = approved.body.summary as string | undefined;
      for (let attempt = 0; attempt < 50 && summary !== AI_SUMMARY; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        summary = (
          await rest(second.token, "GET", `/api/v1/projects/${second.project_id}/sessions/${second.sessionId}`)
        ).body.summary;
      }
      expect(summary).toBe(AI_SUMMARY);

      // Someone else cannot act on my approval; an expired one is refused.
      const project = await env.DB.prepare("SELECT id FROM projects WHERE slug = ?")
        .bind(second.project_id)
        .first<{ id: string }>();
      const store = new DurableSessionStore(env.PROJECT_SESSION);
      const key = { userId: second.userId, projectId: project?.id ?? "" };
      const stale = {
        id: "old-approval",
        operation: "session_summary" as const,
        projectId: key.projectId,
        userId: key.userId,
        subjectId: second.sessionId,
        input: null,
        estimate: { provider: "openai", model: "gpt-4o-mini", inputTokens: 1, outputTokens: 1, usd: 1 },
        createdAt: Date.now() - 7_200_000,
        expiresAt: Date.now() - 3_600_000,
      };
      await store.put(key, stale);
      const expired = await rest(
        second.token,
        "POST",
        `/api/v1/projects/${second.project_id}/approvals/old-approval/approve`,
      );
      expect(expired.status).toBe(409);
      expect(expired.body.error.message).toMatch(/expired/);
    }
  }, 75_000); // 57 calls

  it("retries a failed summary from the queue, and a session without a model keeps its digest", async () => {
    const plain = await sessionWithActivity({});
    const ended = await callTool(plain.client, "coding_end_session", { project_id: plain.project_id });
    expect(ended.data).toMatchObject({ summary_source: "digest", summary_status: { state: "skipped" } });
    expect(ended.data.summary_status.reason).toMatch(/no model configured/);

    openAi.failWith = 500;
    const project = await env.DB.prepare("SELECT id FROM projects WHERE slug = ?")
      .bind(plain.project_id)
      .first<{ id: string }>();
    await buildServices(env).llm.settings.update(project?.id ?? "", plain.userId, { model: "gpt-4o-mini" });
    let retried: number | null = null;
    let acked = false;
    const message = {
      id: "m1",
      attempts: 2,
      body: {
        kind: "session_summary",
        projectId: project?.id ?? "",
        sessionId: plain.sessionId,
        userId: plain.userId,
        approved: true,
        requestedAt: Date.now(),
      },
      ack() {
        acked = true;
      },
      retry(options?: { delaySeconds?: number }) {
        retried = options?.delaySeconds ?? 0;
      },
    };
    await handleQueueBatch({ queue: SUMMARY_QUEUE, messages: [message] } as unknown as MessageBatch<unknown>, {
      ...buildServices(env),
    });
    expect(acked).toBe(false);
    expect(retried).toBe(20);
    // The SDK retried the 500s itself before giving up; the ledger shows the failed call at no cost.
    expect(openAi.calls.length).toBeGreaterThanOrEqual(1);
    const costs = await rest(plain.token, "GET", `/api/v1/projects/${plain.project_id}/costs`);
    expect(costs.body.calls[0]).toMatchObject({ outcome: "error", cost_usd: 0 });
  });
});

describe("AI advice for an error", () => {
  it("asks the model with the similar past fixes, through approval and budget", async () => {
    const { token, client, project_id } = await sessionWithActivity({ model: "gpt-4o-mini", auto_approve: true });
    const base = `/api/v1/projects/${project_id}`;
    const text = "TypeError: can't compare offset-naive and offset-aware datetimes in billing";
    const advised = await rest(token, "POST", `${base}/errors/solutions`, { error_text: text, ai: true });
    expect(advised.status).toBe(200);
    expect(advised.body.solutions[0].solution).toBe("use datetime.now(timezone.utc)");
    expect(advised.body.ai_suggestion).toMatchObject({
      state: "ready",
      confidence: "high",
      root_cause: "A naive datetime is compared with an aware one.",
      fix_steps: ["Use datetime.now(timezone.utc)", "Make stored timestamps aware"],
    });
    const sent = openAi.calls[0]?.messages[1].content as string;
    expect(sent).toContain(text);
    expect(sent).toContain("fix: use datetime.now(timezone.utc)");

    // Above the threshold without auto-approve: held, then run by coding_approve.
    await callTool(client, "coding_update_settings", { project_id, auto_approve: false, cost_threshold: 0 });
    const held = await callTool(client, "coding_get_solutions_for_error", { project_id, error_text: text, ai: true });
    expect(held.data.ai_suggestion).toMatchObject({ state: "approval_required", model: "openai/gpt-4o-mini" });
    expect(openAi.calls).toHaveLength(1);
    const approved = await callTool(client, "coding_approve", {
      project_id,
      approval_id: held.data.ai_suggestion.approval_id,
    });
    expect(approved.data).toMatchObject({ operation: "solution_suggestion", ai_suggestion: { state: "ready" } });
    expect(approved.text).toMatch(/confidence high/);
    expect(openAi.calls).toHaveLength(2);

    // A budget the estimate would pass: refused with 402, the provider never called.
    await callTool(client, "coding_update_settings", {
      project_id,
      auto_approve: true,
      max_monthly_budget_usd: 0.0001,
    });
    const refused = await rest(token, "POST", `${base}/errors/solutions`, { error_text: text, ai: true });
    expect(refused.status).toBe(402);
    expect(refused.body.error.code).toBe("budget_exceeded");
    expect(openAi.calls).toHaveLength(2);
  }, 25_000); // 6 calls
});

describe("preferences in coding_analyze_patterns", () => {
  it("adds the model's preferences, with evidence from added imports, to the measured statistics", async () => {
    const { token, client, project_id } = await sessionWithActivity({ model: "gpt-4o-mini", auto_approve: true });
    for (let i = 0; i < 12; i += 1) {
      await callTool(client, "coding_track_file_change", {
        project_id,
        file_path: `tests/test_module_${i}.py`,
        action: "test",
        reason: `cover module ${i}`,
        diff: "+import pytest\n+from app.billing import total\n+def test_total():\n+    assert total([]) == 0",
      });
    }
    const patterns = await rest(token, "GET", `/api/v1/projects/${project_id}/patterns`);
    expect(patterns.status).toBe(200);
    expect(patterns.body.status).toBe("ok");
    expect(patterns.body.preferences).toMatchObject({
      state: "ready",
      libraries: [{ preference: "Test with pytest", evidence: "import pytest in 12 changes" }],
    });
    const sent = openAi.calls.at(-1)?.messages[1].content as string;
    expect(sent).toContain("- import pytest (×12)");
    expect(sent).toContain("Measured statistics:");

    const measuredOnly = await rest(token, "GET", `/api/v1/projects/${project_id}/patterns?ai=false`);
    expect(measuredOnly.body.preferences).toBeUndefined();
    const calls = openAi.calls.length;
    await callTool(client, "coding_update_settings", { project_id, auto_approve: false, cost_threshold: 0 });
    const held = await callTool(client, "coding_analyze_patterns", { project_id });
    expect(held.data.preferences.state).toBe("approval_required");
    expect(openAi.calls).toHaveLength(calls);
    const approved = await callTool(client, "coding_approve", {
      project_id,
      approval_id: held.data.preferences.approval_id,
    });
    expect(approved.data.preferences).toMatchObject({ state: "ready" });
    expect(approved.text).toMatch(/libraries: Test with pytest/);
  }, 35_000); // 18 calls
});

describe("approval by MCP elicitation", () => {
  /** A 2026-07-28 client that declares elicitation and answers each form as the user would. */
  async function elicitingClient(token: string, answer: "yes" | "no" | "decline", asked: string[]) {
    return mcpClient(
      token,
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: "2026-07-28" } } },
      (client) =>
        client.setRequestHandler("elicitation/create", async (request) => {
          asked.push(String((request.params as { message?: string }).message));
          if (answer === "decline") return { action: "decline" };
          return { action: "accept", content: { approve: answer === "yes" } };
        }),
    );
  }

  it("asks the user in their client, then runs or drops the held operation in the same call", async () => {
    const legacy = await sessionWithActivity({ model: "gpt-4o-mini", auto_approve: false, cost_threshold: 0 });
    const asked: string[] = [];
    const client = await elicitingClient(legacy.token, "yes", asked);
    const text = "TypeError: can't compare offset-naive and offset-aware datetimes in billing";
    const approved = await callTool(client, "coding_get_solutions_for_error", {
      project_id: legacy.project_id,
      error_text: text,
      ai: true,
    });
    expect(approved.isError, approved.text).toBe(false);
    expect(asked[0]).toMatch(/^Run AI advice for this error with openai\/gpt-4o-mini\? Estimated cost up to \$/);
    expect(approved.data.approval_decision).toMatchObject({ decision: "approved", ai_suggestion: { state: "ready" } });
    expect(approved.text).toMatch(/confidence high/);
    expect(openAi.calls).toHaveLength(1);

    const no = await elicitingClient(legacy.token, "no", asked);
    const denied = await callTool(no, "coding_get_solutions_for_error", {
      project_id: legacy.project_id,
      error_text: text,
      ai: true,
    });
    expect(denied.data.approval_decision).toMatchObject({ decision: "denied" });
    expect(denied.data.solutions[0].solution).toBe("use datetime.now(timezone.utc)");
    const declined = await callTool(await elicitingClient(legacy.token, "decline", asked), "coding_end_session", {
      project_id: legacy.project_id,
    });
    expect(declined.data).toMatchObject({ summary_source: "digest", approval_decision: { decision: "denied" } });
    expect(openAi.calls).toHaveLength(1);

    // A client without elicitation (the default 2025 protocol) gets the approval_id instead.
    const other = await sessionWithActivity({ model: "gpt-4o-mini", auto_approve: false, cost_threshold: 0 });
    const held = await callTool(other.client, "coding_end_session", { project_id: other.project_id });
    expect(held.data.summary_status.state).toBe("approval_required");
  }, 20_000); // 4 calls
});

describe("error analysis when nothing similar was fixed", () => {
  it("uses the error-analysis prompt and records the call as error_analysis", async () => {
    const { token, project_id } = await sessionWithActivity({ model: "gpt-4o-mini", auto_approve: true });
    const base = `/api/v1/projects/${project_id}`;
    const advised = await rest(token, "POST", `${base}/errors/solutions`, {
      error_text: "SegmentationFault: libpng crashed while decoding thumbnail",
      ai: true,
    });
    expect(advised.body).toMatchObject({ count: 0, ai_suggestion: { state: "ready", confidence: "high" } });
    expect(openAi.calls.at(-1)?.messages[0].content).toMatch(/has not solved before/);
    const costs = await rest(token, "GET", `${base}/costs`);
    expect(costs.body.by_operation.map((row: { operation: string }) => row.operation)).toEqual(["error_analysis"]);
  });
});

describe("context compression", () => {
  it("compresses a larger context into the budget with the model when items would be left out", async () => {
    const { token, client, project_id } = await sessionWithActivity({ model: "gpt-4o-mini", auto_approve: true });
    const fits = await callTool(client, "coding_get_project_context", { project_id, compress: true });
    expect(fits.data.compression).toEqual({ state: "skipped", reason: "the context already fits" });
    for (let i = 0; i < 30; i += 1) {
      await callTool(client, "coding_record_decision", {
        project_id,
        decision: `Decision ${i}: keep money as integer cents in module ${i}`,
        rationale: "Floats lose cents when many invoice lines are summed; integer arithmetic is exact. ".repeat(3),
      });
    }
    const plain = await rest(token, "GET", `/api/v1/projects/${project_id}/context?max_tokens=300`);
    expect(Object.keys(plain.body.omitted).length).toBeGreaterThan(0);
    const calls = openAi.calls.length;
    const compressed = await rest(token, "GET", `/api/v1/projects/${project_id}/context?max_tokens=300&compress=true`);
    expect(compressed.status).toBe(200);
    expect(compressed.body.compression).toMatchObject({ state: "ready", model: "gpt-4o-mini" });
    expect(compressed.body.markdown).toBe(AI_SUMMARY);
    expect(openAi.calls).toHaveLength(calls + 1);
    const sent = openAi.calls.at(-1);
    expect(sent?.messages[1].content).toMatch(/^Token budget: 300/);
    // The source is larger than the budget: more decisions than the plain 300-token context could hold.
    expect(compressed.body.compression.source_tokens).toBeGreaterThan(300);
    expect(sent?.max_tokens ?? sent?.max_completion_tokens).toBe(300);
  }, 50_000); // 34 calls
});

describe("budget warnings in results", () => {
  it("reports spend past warn_at_percentage where LLM work happens", async () => {
    const { client, project_id, sessionId } = await sessionWithActivity({
      model: "gpt-4o-mini",
      auto_approve: true,
      max_monthly_budget_usd: 0.01,
      warn_at_percentage: 1,
    });
    const ended = await callTool(client, "coding_end_session", { project_id });
    for (let attempt = 0; attempt < 50 && openAi.calls.length === 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (ended.data.summary_status.state === "ready") {
      // 420 input + 90 output tokens of gpt-4o-mini ≈ $0.000117, over 1% of $0.01.
      expect(ended.data.budget_warning).toMatch(/% of the \$0\.01 budget \(warning at 1%\)/);
      expect(ended.text).toContain("⚠️ LLM spend this month");
    }
    const costs = await callTool(client, "coding_get_costs", { project_id });
    expect(costs.data.budget.warning).toMatch(/warning at 1%/);
    expect(costs.data.calls[0]).toMatchObject({ session_id: sessionId, outcome: "ok" });
  }, 70_000); // 52 calls
});
