import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { D1CostLedger } from "../../src/adapters/d1/cost-ledger";
import { GenAiPriceBook } from "../../src/adapters/genai-price-book";
import type { WorkersAiTextBinding } from "../../src/adapters/llm/workers-ai";
import { providerFactoryFromEnv } from "../../src/composition/llm";
import { AppError } from "../../src/domain/core/app-error";
import { LlmGateway, type LlmPolicy } from "../../src/domain/llm/gateway";
import { resolveModel } from "../../src/domain/llm/models";
import { promptTokenBound } from "../../src/domain/llm/token-bounds";
import type { Env } from "../../src/composition/env";
import { callTool, mcpClient, newUser, rest, uniqueName } from "../helpers";

interface Recorded {
  url: string;
  headers: Headers;
  body: Record<string, any>;
}

/**
 * Provider HTTP APIs answering like the real ones (bodies shaped as documented, with their usage fields), so the
 * real SDK clients run. `script` lists statuses to return before succeeding, per host.
 */
function fakeProviders(script: Record<string, number[]> = {}) {
  const requests: Recorded[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = JSON.parse(await request.text()) as Record<string, any>;
    requests.push({ url: request.url, headers: request.headers, body });
    const status = script[url.host]?.shift();
    if (status !== undefined && status !== 200) {
      return Response.json(
        { error: { message: `scripted ${status}`, type: "rate_limit_error" } },
        // Real providers send retry-after; a short one keeps the SDKs' backoff quick in tests.
        { status, headers: { "retry-after-ms": "5", "retry-after": "0" } },
      );
    }
    if (url.host === "api.anthropic.com") {
      return Response.json({
        id: "msg_01",
        type: "message",
        role: "assistant",
        model: body.model,
        content: [{ type: "text", text: "Anthropic says hi" }],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: {
          input_tokens: 900,
          output_tokens: 300,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 100,
        },
      });
    }
    if (url.host === "generativelanguage.googleapis.com") {
      return Response.json({
        candidates: [{ content: { role: "model", parts: [{ text: "Gemini says hi" }] }, finishReason: "STOP" }],
        usageMetadata: {
          promptTokenCount: 1000,
          candidatesTokenCount: 250,
          thoughtsTokenCount: 50,
          cachedContentTokenCount: 0,
          totalTokenCount: 1300,
        },
        modelVersion: "gemini-2.5-flash",
        responseId: "r1",
      });
    }
    return Response.json({
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1_700_000_000,
      model: body.model,
      choices: [{ index: 0, message: { role: "assistant", content: "OpenAI says hi" }, finish_reason: "stop" }],
      usage: {
        prompt_tokens: 1000,
        completion_tokens: 500,
        total_tokens: 1500,
        prompt_tokens_details: { cached_tokens: 200 },
      },
    });
  };
  return { fetch, requests };
}

const llmEnv = {
  ...env,
  OPENAI_API_KEY: "sk-test-openai",
  ANTHROPIC_API_KEY: "sk-ant-test",
  GEMINI_API_KEY: "gemini-test",
  CODING_MEMORY_BASE_URL: "http://localhost:11434/v1",
} as Env;

const policy = (overrides: Partial<LlmPolicy> = {}): LlmPolicy => ({
  model: "gpt-4o-mini",
  autoApprove: true,
  costThresholdUsd: 0.1,
  maxMonthlyBudgetUsd: null,
  warnAtPercentage: 80,
  ...overrides,
});

function gateway(fake: ReturnType<typeof fakeProviders>, ai?: WorkersAiTextBinding) {
  const withAi = { ...llmEnv, ...(ai ? { AI: ai } : {}) } as Env;
  return new LlmGateway(
    providerFactoryFromEnv(withAi, fake.fetch),
    new GenAiPriceBook({ localModels: true }),
    new D1CostLedger(env.DB),
    { now: () => Date.now(), newId: () => crypto.randomUUID() },
  );
}

/** A project that exists (the ledger references it), with a member token to read its costs. */
async function project() {
  const { token } = await newUser();
  const slug = uniqueName("llm");
  const created = await rest(token, "POST", `/api/v1/projects/${slug}/errors`, {
    error_type: "ValueError",
    message: "seed",
  });
  expect(created.status).toBe(201);
  const row = await env.DB.prepare("SELECT id FROM projects WHERE slug = ?").bind(slug).first<{ id: string }>();
  return { token, slug, id: row?.id ?? "" };
}

const request = {
  system: "You summarise coding sessions.",
  messages: [{ role: "user" as const, content: "Summarise: fixed a TypeError in auth.py" }],
  maxOutputTokens: 400,
};

describe("LLM providers through their real SDKs and APIs", () => {
  const cases: Array<{ model: string; text: string; host: string; usage: Record<string, number> }> = [
    {
      model: "gpt-4o-mini",
      text: "OpenAI says hi",
      host: "api.openai.com",
      usage: { inputTokens: 1000, cachedInputTokens: 200, outputTokens: 500 },
    },
    {
      model: "claude-haiku-4-5",
      text: "Anthropic says hi",
      host: "api.anthropic.com",
      usage: { inputTokens: 1000, cachedInputTokens: 100, outputTokens: 300 },
    },
    {
      model: "gemini/gemini-2.5-flash",
      text: "Gemini says hi",
      host: "generativelanguage.googleapis.com",
      usage: { inputTokens: 1000, cachedInputTokens: 0, outputTokens: 300 },
    },
    {
      model: "ollama/llama3.1",
      text: "OpenAI says hi",
      host: "localhost:11434",
      usage: { inputTokens: 1000, cachedInputTokens: 200, outputTokens: 500 },
    },
  ];
  for (const { model, text, host, usage } of cases) {
    it(`${model}: sends the request the API expects, maps text and usage, retries a 429`, async () => {
      const fake = fakeProviders({ [host]: [429] });
      const { id } = await project();
      const result = await gateway(fake).run(
        { projectId: id, userId: "u", sessionId: null, operation: "session_summary" },
        policy({ model }),
        request,
        { approved: false },
      );
      expect(result.status).toBe("completed");
      if (result.status !== "completed") return;
      expect(result.text).toBe(text);
      expect(result.usage).toEqual(usage);
      expect(fake.requests).toHaveLength(2);
      const sent = fake.requests[1] as Recorded;
      expect(new URL(sent.url).host).toBe(host);
      const ref = resolveModel(model);
      if (host === "api.anthropic.com") {
        // SDK 1.x sends the key as a bearer token; older versions used x-api-key. Either reaches the API.
        expect(sent.headers.get("x-api-key") ?? sent.headers.get("authorization")).toMatch(/sk-ant-test$/);
        expect(sent.headers.get("anthropic-version")).toBeTruthy();
        expect(sent.body).toMatchObject({ model: ref.model, max_tokens: 400, system: request.system });
      } else if (host === "generativelanguage.googleapis.com") {
        expect(sent.url).toContain(`/models/${ref.model}:generateContent`);
        expect(sent.headers.get("x-goog-api-key")).toBe("gemini-test");
        expect(sent.body).toMatchObject({
          systemInstruction: { parts: [{ text: request.system }] },
          generationConfig: { maxOutputTokens: 400 },
        });
      } else {
        expect(sent.body.messages[0]).toEqual({ role: "system", content: request.system });
        // OpenAI's own API takes max_completion_tokens; compatible servers the older max_tokens.
        if (host === "api.openai.com") {
          expect(sent.headers.get("authorization")).toBe("Bearer sk-test-openai");
          expect(sent.body.max_completion_tokens).toBe(400);
        } else expect(sent.body.max_tokens).toBe(400);
      }
    });
  }

  it("sends images (vision) in each provider's own shape, and counts them in the estimate", async () => {
    const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    const vision = {
      maxOutputTokens: 300,
      messages: [
        {
          role: "user" as const,
          content: [
            { type: "text" as const, text: "What error does this screenshot show?" },
            { type: "image" as const, mediaType: "image/png" as const, base64: png },
          ],
        },
      ],
    };
    const { id } = await project();
    const shapes: Record<string, (body: Record<string, any>) => unknown> = {
      "gpt-4o-mini": (body) => body.messages[0].content,
      "claude-haiku-4-5": (body) => body.messages[0].content,
      "gemini/gemini-2.5-flash": (body) => body.contents[0].parts,
    };
    const expected: Record<string, unknown> = {
      "gpt-4o-mini": [
        { type: "text", text: "What error does this screenshot show?" },
        { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } },
      ],
      "claude-haiku-4-5": [
        { type: "text", text: "What error does this screenshot show?" },
        { type: "image", source: { type: "base64", media_type: "image/png", data: png } },
      ],
      "gemini/gemini-2.5-flash": [
        { text: "What error does this screenshot show?" },
        { inline_data: { mime_type: "image/png", data: png } },
      ],
    };
    for (const model of Object.keys(shapes)) {
      const fake = fakeProviders();
      const result = await gateway(fake).run(
        { projectId: id, userId: "u", sessionId: null, operation: "screenshot_analysis" },
        policy({ model }),
        vision,
        { approved: false },
      );
      expect(result.status, model).toBe("completed");
      expect(shapes[model]?.(fake.requests[0]?.body ?? {}), model).toEqual(expected[model]);
    }
    // The bound counts the image by each provider's billing rules (a 1×1 PNG: Gemini's 1,120 floor, OpenAI's 255).
    expect(promptTokenBound("gemini", "gemini-2.5-flash", undefined, vision.messages)).toBeGreaterThan(1_120);
    expect(promptTokenBound("openai", "gpt-4o", undefined, vision.messages)).toBeGreaterThan(255);
    const images: number[][] = [];
    const ai: WorkersAiTextBinding = {
      run: async (_model, input) => {
        images.push((input as { image?: number[] }).image ?? []);
        return { response: "a TypeError" };
      },
    };
    const viaAi = await gateway(fakeProviders(), ai).run(
      { projectId: id, userId: "u", sessionId: null, operation: "screenshot_analysis" },
      policy({ model: "@cf/meta/llama-3.2-11b-vision-instruct" }),
      vision,
      { approved: false },
    );
    expect(viaAi.status).toBe("completed");
    expect(images[0]?.slice(0, 4)).toEqual([0x89, 0x50, 0x4e, 0x47]);
  }, 25_000); // 6 calls

  it("Workers AI: both output shapes, usage or an estimate when none is reported", async () => {
    const calls: unknown[] = [];
    const outputs: unknown[] = [
      { response: "classic", usage: { prompt_tokens: 120, completion_tokens: 30, total_tokens: 150 } },
      { choices: [{ message: { content: "chat shape" } }], usage: { prompt_tokens: 10, completion_tokens: 5 } },
      "bare string, no usage",
    ];
    const ai: WorkersAiTextBinding = {
      async run(model, input) {
        calls.push({ model, input });
        return outputs.shift();
      },
    };
    const { id } = await project();
    const llm = gateway(fakeProviders(), ai);
    const context = { projectId: id, userId: "u", sessionId: null, operation: "session_summary" as const };
    const run = () =>
      llm.run(context, policy({ model: "@cf/meta/llama-3.1-8b-instruct" }), request, { approved: true });
    const first = await run();
    expect(first).toMatchObject({
      status: "completed",
      text: "classic",
      usage: { inputTokens: 120, outputTokens: 30 },
    });
    expect(await run()).toMatchObject({ text: "chat shape", usageReported: true });
    const third = await run();
    expect(third).toMatchObject({ text: "bare string, no usage", usageReported: false });
    if (third.status === "completed") expect(third.usage.inputTokens).toBeGreaterThan(0);
    expect(calls[0]).toMatchObject({ model: "@cf/meta/llama-3.1-8b-instruct", input: { max_tokens: 400 } });
  }, 20_000); // 5 calls

  it("names the provider and the variable to set when a key is missing or the provider refuses", async () => {
    const { id } = await project();
    const context = { projectId: id, userId: "u", sessionId: null, operation: "session_summary" as const };
    const noKey = new LlmGateway(
      providerFactoryFromEnv({ ...env } as Env, fakeProviders().fetch),
      new GenAiPriceBook({ localModels: false }),
      new D1CostLedger(env.DB),
      { now: () => Date.now(), newId: () => crypto.randomUUID() },
    );
    await expect(
      noKey.run(context, policy({ model: "claude-haiku-4-5" }), request, { approved: true }),
    ).rejects.toThrow(/ANTHROPIC_API_KEY/);
    const refusing = fakeProviders({ "api.openai.com": [401] });
    const error = await gateway(refusing)
      .run(context, policy(), request, { approved: true })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("unavailable");
    expect((error as AppError).message).toMatch(/OpenAI: .*401/);
    expect(refusing.requests).toHaveLength(1); // 401 is not retried
  });
});

describe("costs, budgets and approvals", () => {
  it("prices calls from the bundled price table and reports them over MCP and REST", async () => {
    const { token, slug, id } = await project();
    const fake = fakeProviders();
    const llm = gateway(fake);
    const context = { projectId: id, userId: "u", sessionId: null, operation: "session_summary" as const };
    await llm.run(context, policy(), request, { approved: false });
    await llm.run({ ...context, operation: "error_analysis" }, policy({ model: "ollama/llama3.1" }), request, {
      approved: false,
    });

    const costs = await rest(token, "GET", `/api/v1/projects/${slug}/costs`);
    expect(costs.status).toBe(200);
    // gpt-4o-mini: $0.15/M input, $0.075/M cached input, $0.60/M output: 800·0.15 + 200·0.075 + 500·0.6 = 435 µ$.
    expect(costs.body.total_cost).toBeCloseTo(0.000435, 9);
    expect(costs.body).toMatchObject({ call_count: 2, total_tokens: 3000 });
    expect(costs.body.by_model).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ model: "openai/gpt-4o-mini", calls: 1 }),
        // A model on the developer's own machine costs nothing.
        expect.objectContaining({ model: "openai-compatible/llama3.1", cost_usd: 0, calls: 1 }),
      ]),
    );
    expect(costs.body.by_operation.map((row: { operation: string }) => row.operation).sort()).toEqual([
      "error_analysis",
      "session_summary",
    ]);
    expect(costs.body.by_month).toHaveLength(1);
    expect(costs.body.calls[0]).toMatchObject({ outcome: "ok", input_tokens: 1000, output_tokens: 500 });

    const client = await mcpClient(token);
    const viaMcp = await callTool(client, "coding_get_costs", { project_id: slug, limit: 1 });
    expect(viaMcp.isError, viaMcp.text).toBe(false);
    expect(viaMcp.data.calls).toHaveLength(1);
    expect(viaMcp.text).toMatch(/\$0\.0004 over 2 call/);
    const badMonth = await rest(token, "GET", `/api/v1/projects/${slug}/costs?month=2026-13`);
    expect(badMonth.status).toBe(400);
  }, 25_000); // 6 calls

  it("refuses a call whose estimate would pass the monthly budget, without calling the provider", async () => {
    const { token, slug, id } = await project();
    const fake = fakeProviders();
    const context = { projectId: id, userId: "u", sessionId: null, operation: "session_summary" as const };
    const tight = policy({ maxMonthlyBudgetUsd: 0.00001 });
    const refusal = await gateway(fake)
      .run(context, tight, request, { approved: true })
      .catch((caught: unknown) => caught);
    expect(refusal).toMatchObject({ code: "budget_exceeded" });
    expect((refusal as AppError).message).toMatch(/nothing was sent to the provider/);
    expect(fake.requests).toHaveLength(0);
    const costs = await rest(token, "GET", `/api/v1/projects/${slug}/costs`);
    expect(costs.body).toMatchObject({ total_cost: 0, call_count: 0 });
    expect(costs.body.calls[0]).toMatchObject({ outcome: "refused_budget", cost_usd: 0 });

    // An unpriced model cannot be held to a budget: refused too.
    const unpriced = await gateway(fake)
      .run(context, { ...tight, model: "openai/some-private-finetune", maxMonthlyBudgetUsd: 100 }, request, {
        approved: true,
      })
      .catch((caught: unknown) => caught);
    expect(unpriced).toMatchObject({ code: "budget_exceeded" });
    expect(fake.requests).toHaveLength(0);
  }, 20_000); // 3 calls

  it("lets concurrent calls spend at most the budget: reservations are atomic", async () => {
    const { id } = await project();
    const fake = fakeProviders();
    const llm = gateway(fake);
    const context = { projectId: id, userId: "u", sessionId: null, operation: "session_summary" as const };
    // A prompt whose pessimistic estimate (≥ 1,000 tokens) covers what the fake provider reports using.
    const large = {
      ...request,
      messages: [{ role: "user" as const, content: "word ".repeat(640) }],
      maxOutputTokens: 500,
    };
    const estimate = llm.estimate(policy(), large);
    expect(estimate?.priced).toBe(true);
    expect(estimate?.inputTokens).toBeGreaterThanOrEqual(1000);
    // Room for two estimates, not three.
    const budget = policy({ maxMonthlyBudgetUsd: (estimate?.usd ?? 0) * 2.5 });
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => llm.run(context, budget, large, { approved: true })),
    );
    const fulfilled = results.filter((result) => result.status === "fulfilled");
    expect(fulfilled.length).toBe(2);
    expect(fake.requests.length).toBe(fulfilled.length);
    const spent = await new D1CostLedger(env.DB).monthSpend(id, new Date().toISOString().slice(0, 7));
    expect(spent / 1e9).toBeLessThanOrEqual(budget.maxMonthlyBudgetUsd ?? 0);
    for (const result of results) {
      if (result.status === "rejected") expect(result.reason).toMatchObject({ code: "budget_exceeded" });
    }
  }, 25_000); // 10 calls

  it("holds an estimate above the threshold for approval unless auto-approve is on, and warns near the budget", async () => {
    const { id } = await project();
    const fake = fakeProviders();
    const llm = gateway(fake);
    const context = { projectId: id, userId: "u", sessionId: null, operation: "session_summary" as const };
    const strict = policy({ autoApprove: false, costThresholdUsd: 0 });
    const held = await llm.run(context, strict, request, { approved: false });
    expect(held).toMatchObject({ status: "approval_required", estimate: { provider: "openai", model: "gpt-4o-mini" } });
    expect(fake.requests).toHaveLength(0);
    expect(await llm.run(context, strict, request, { approved: true })).toMatchObject({ status: "completed" });
    expect(await llm.run(context, { ...strict, autoApprove: true }, request, { approved: false })).toMatchObject({
      status: "completed",
    });
    const nearlySpent = await llm.run(context, policy({ maxMonthlyBudgetUsd: 0.0015 }), request, { approved: true });
    expect(nearlySpent.status === "completed" && nearlySpent.budget.warning).toMatch(/% of the \$0\.0015 budget/);
    expect(await llm.run(context, policy({ model: null }), request, { approved: true })).toEqual({
      status: "no_model",
    });
  }, 20_000); // 5 calls
});

describe("project LLM settings", () => {
  it("shows server defaults, stores project overrides, resets them with null, and refuses unknown models", async () => {
    const { token, slug } = await project();
    const base = `/api/v1/projects/${slug}/settings`;
    const defaults = await rest(token, "POST", base, {});
    expect(defaults.status).toBe(200);
    expect(defaults.body).toEqual({
      model: null,
      vision_model: null,
      auto_approve: false,
      cost_threshold: 0.1,
      max_monthly_budget_usd: null,
      warn_at_percentage: 80,
      auto_summarize_on_end: true,
      project_overrides: [],
    });

    const client = await mcpClient(token);
    const updated = await callTool(client, "coding_update_settings", {
      project_id: slug,
      model: "gemini/gemini-2.5-flash",
      max_monthly_budget_usd: 5,
      auto_approve: true,
    });
    expect(updated.isError, updated.text).toBe(false);
    expect(updated.data).toMatchObject({
      model: "gemini/gemini-2.5-flash",
      max_monthly_budget_usd: 5,
      auto_approve: true,
    });
    expect(updated.data.project_overrides.sort()).toEqual(["auto_approve", "max_monthly_budget_usd", "model"]);
    expect(updated.text).toContain("model: gemini/gemini-2.5-flash (project)");

    // The budget shows in the cost report; an omitted field stays, null goes back to the default.
    const costs = await rest(token, "GET", `/api/v1/projects/${slug}/costs`);
    expect(costs.body.budget).toMatchObject({ max_monthly_budget_usd: 5, month_spent_usd: 0, percent_used: 0 });
    const reset = await rest(token, "POST", base, { max_monthly_budget_usd: null, warn_at_percentage: 50 });
    expect(reset.body).toMatchObject({
      model: "gemini/gemini-2.5-flash",
      max_monthly_budget_usd: null,
      warn_at_percentage: 50,
    });

    const unknown = await rest(token, "POST", base, { model: "mystery-model" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/^model: cannot tell which provider/);
    const negative = await rest(token, "POST", base, { cost_threshold: -1 });
    expect(negative.status).toBe(400);
    expect(JSON.stringify(negative.body.error)).toContain("cost_threshold");

    const { token: stranger } = await newUser();
    // Names are per team: the stranger's settings call reaches a project of their own, never this one.
    const strangers = await rest(stranger, "POST", base, { auto_approve: false, model: null });
    expect(strangers.status).toBe(200);
    expect((await rest(token, "POST", base, {})).body).toMatchObject({
      model: "gemini/gemini-2.5-flash",
      auto_approve: true,
    });
  }, 25_000); // 8 calls
});
