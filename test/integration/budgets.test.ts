import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { buildServices } from "../../src/composition/services";
import { D1CostLedger } from "../../src/adapters/d1/cost-ledger";
import { handleQueueBatch, SUMMARY_QUEUE } from "../../src/queue/consumer";
import { billingMonth } from "../../src/domain/llm/models";
import { imageSize, imageTokenBound, utf8Bytes } from "../../src/domain/llm/token-bounds";
import { toBase64 } from "../../src/domain/core/encoding";
import { callTool, interceptOpenAi, mcpClient, newUser, rest, uniqueName, type OpenAiFake } from "../helpers";

const ADVICE = JSON.stringify({ root_cause: "x", fix_steps: ["y"], confidence: "low", based_on: [] });

/**
 * The most prompt tokens any real tokenizer could count for the request OpenAI received: every byte a token, plus
 * a few framing tokens per message; and every allowed output token used.
 */
function worstRealUsage(body: Record<string, any>) {
  const messages = body.messages as Array<{ content: string }>;
  return {
    prompt_tokens: messages.reduce((sum, m) => sum + utf8Bytes(String(m.content)) + 4, 3),
    completion_tokens: Number(body.max_completion_tokens),
  };
}

let openAi: OpenAiFake | null = null;
afterEach(() => openAi?.restore());

async function budgetedProject(settings: Record<string, unknown>) {
  const { token } = await newUser();
  const project_id = uniqueName("budget");
  const client = await mcpClient(token);
  const set = await callTool(client, "coding_update_settings", { project_id, auto_approve: true, ...settings });
  expect(set.isError, set.text).toBe(false);
  const row = await env.DB.prepare("SELECT id FROM projects WHERE slug = ?").bind(project_id).first<{ id: string }>();
  return { token, client, project_id, id: row?.id ?? "" };
}

/** Asks for AI advice until the budget refuses (402); returns how many calls were made. */
async function spendUntilRefused(token: string, project_id: string, text: string, max = 12) {
  for (let made = 0; made < max; made += 1) {
    const result = await rest(token, "POST", `/api/v1/projects/${project_id}/errors/solutions`, {
      error_text: text,
      ai: true,
    });
    if (result.status === 402) {
      expect(result.body.error.message).toMatch(/nothing was sent to the provider/);
      return made;
    }
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.ai_suggestion?.state, JSON.stringify(result.body)).toBe("ready");
  }
  throw new Error(`the budget never refused after ${max} calls`);
}

const spentNano = (id: string) => new D1CostLedger(env.DB).monthSpend(id, billingMonth(Date.now()));

describe("the monthly budget is a hard cap", () => {
  const dense = {
    cjk: `TypeError: 無効な値です ${"数据库连接失败请检查配置文件中的用户名和密码是否正确".repeat(90)}`,
    hex: `Error: bad digest ${Array.from({ length: 4_000 }, (_, i) => ((i * 2654435761) >>> 0).toString(16).slice(-1)).join("")}`,
  };
  for (const [name, text] of Object.entries(dense)) {
    it(`dense ${name} text, usage reported as high as a real tokenizer can count: spend stays within the budget`, async () => {
      openAi = interceptOpenAi(() => ADVICE, worstRealUsage);
      const budget = 0.004;
      const { token, project_id, id } = await budgetedProject({ model: "gpt-4o-mini", max_monthly_budget_usd: budget });
      const made = await spendUntilRefused(token, project_id, text);
      expect(made).toBeGreaterThan(0);
      expect(openAi.calls).toHaveLength(made);
      expect((await spentNano(id)) / 1e9).toBeLessThanOrEqual(budget);
      const costs = await rest(token, "GET", `/api/v1/projects/${project_id}/costs`);
      // Each call was billed what the provider reported, which never passed what was reserved.
      for (const call of costs.body.calls.filter((c: { outcome: string }) => c.outcome === "ok")) {
        expect(call.cost_usd).toBeLessThanOrEqual(call.estimated_cost_usd);
        expect(call.error).toBeNull();
      }
    }, 60_000);
  }

  it("a provider that omits usage is billed the reservation, so it cannot spend for free", async () => {
    openAi = interceptOpenAi(() => ADVICE, null);
    const budget = 0.003;
    const { token, project_id, id } = await budgetedProject({ model: "gpt-4o-mini", max_monthly_budget_usd: budget });
    const made = await spendUntilRefused(token, project_id, dense.cjk);
    expect(made).toBeGreaterThan(0);
    expect(openAi.calls).toHaveLength(made);
    const spent = (await spentNano(id)) / 1e9;
    expect(spent).toBeGreaterThan(0);
    expect(spent).toBeLessThanOrEqual(budget);
    const costs = await rest(token, "GET", `/api/v1/projects/${project_id}/costs`);
    const ok = costs.body.calls.filter((c: { outcome: string }) => c.outcome === "ok");
    expect(ok).toHaveLength(made);
    for (const call of ok) {
      expect(call.cost_usd).toBe(call.estimated_cost_usd);
      expect(call.error).toMatch(/no usage reported: billed at the reserved worst case/);
    }
  }, 60_000);

  it("usage reported above any tokenizer's bound is billed as reported, and every later call is refused", async () => {
    // 40 times every byte: no real tokenizer counts this, a buggy or hostile endpoint might.
    openAi = interceptOpenAi(
      () => ADVICE,
      (body) => {
        const worst = worstRealUsage(body);
        return { prompt_tokens: worst.prompt_tokens * 40, completion_tokens: worst.completion_tokens };
      },
    );
    const budget = 0.004;
    const { token, project_id, id } = await budgetedProject({ model: "gpt-4o-mini", max_monthly_budget_usd: budget });
    const first = await rest(token, "POST", `/api/v1/projects/${project_id}/errors/solutions`, {
      error_text: dense.cjk,
      ai: true,
    });
    expect(first.status).toBe(200);
    const costs = await rest(token, "GET", `/api/v1/projects/${project_id}/costs`);
    expect(costs.body.calls[0].error).toMatch(/usage reported above the bound .* billed as reported/);
    expect(costs.body.calls[0].cost_usd).toBeGreaterThan(costs.body.calls[0].estimated_cost_usd);
    expect((await spentNano(id)) / 1e9).toBeGreaterThan(budget);
    // From here on nothing reaches the provider this month, whatever the request.
    for (const text of [dense.cjk, "ValueError: x"]) {
      const later = await rest(token, "POST", `/api/v1/projects/${project_id}/errors/solutions`, {
        error_text: text,
        ai: true,
      });
      expect(later.status).toBe(402);
    }
    expect(openAi.calls).toHaveLength(1);
  }, 60_000);

  it("a model without its API key books nothing and reaches no provider (no phantom charge)", async () => {
    openAi = interceptOpenAi(() => ADVICE, worstRealUsage);
    // The test Worker has OPENAI_API_KEY only; Anthropic's key is missing.
    const { token, project_id, id } = await budgetedProject({ model: "claude-haiku-4-5", max_monthly_budget_usd: 1 });
    const result = await rest(token, "POST", `/api/v1/projects/${project_id}/errors/solutions`, {
      error_text: "TypeError: x is undefined",
      ai: true,
    });
    expect(result.status).toBe(503);
    expect(result.body.error.message).toMatch(/ANTHROPIC_API_KEY/);
    expect(await spentNano(id)).toBe(0);
    const costs = await rest(token, "GET", `/api/v1/projects/${project_id}/costs`);
    expect(costs.body).toMatchObject({ total_cost: 0, call_count: 0 });
    expect(costs.body.calls).toEqual([]);
  }, 60_000);
});

/** Delivers one summary job to the real consumer; says whether it was acknowledged or retried. */
async function consume(job: Record<string, unknown>) {
  const outcome = { acked: false, retried: false };
  const message = {
    id: crypto.randomUUID(),
    attempts: 1,
    body: { kind: "session_summary", approved: true, requestedAt: Date.now(), ...job },
    ack: () => (outcome.acked = true),
    retry: () => (outcome.retried = true),
  };
  const batch = { queue: SUMMARY_QUEUE, messages: [message] } as unknown as MessageBatch<unknown>;
  await handleQueueBatch(batch, buildServices(env));
  return outcome;
}

describe("a summary that can never succeed is not retried and not billed", () => {
  it("no API key: coding_end_session says why at once, the session shows it, nothing is queued or booked", async () => {
    openAi = interceptOpenAi(() => "summary", worstRealUsage);
    const { token, client, project_id, id } = await budgetedProject({ model: "claude-haiku-4-5" });
    const started = await callTool(client, "coding_start_session", { project_id, description: "no key" });
    const ended = await callTool(client, "coding_end_session", { project_id });
    expect(ended.isError, ended.text).toBe(false);
    expect(ended.data.summary_status).toMatchObject({ state: "failed" });
    expect(ended.data.summary_status.reason).toMatch(/ANTHROPIC_API_KEY/);
    expect(ended.text).toMatch(/AI summary failed: .*ANTHROPIC_API_KEY/);
    expect(ended.data.summary_source).toBe("digest");
    const session = await rest(token, "GET", `/api/v1/projects/${project_id}/sessions/${started.data.session_id}`);
    expect(session.body.summary_error).toMatch(/ANTHROPIC_API_KEY/);
    expect(await spentNano(id)).toBe(0);
    expect((await rest(token, "GET", `/api/v1/projects/${project_id}/costs`)).body.calls).toEqual([]);
  }, 60_000);

  it("the consumer acknowledges a job whose key went missing or that the provider refuses, and records why", async () => {
    openAi = interceptOpenAi(() => "summary", worstRealUsage);
    const { userId, token } = await newUser();
    const client = await mcpClient(token);
    const project_id = uniqueName("nokey");
    const sessions: string[] = [];
    for (const description of ["one", "two", "three"]) {
      const started = await callTool(client, "coding_start_session", { project_id, description });
      await callTool(client, "coding_end_session", { project_id });
      sessions.push(started.data.session_id);
    }
    const row = await env.DB.prepare("SELECT id FROM projects WHERE slug = ?").bind(project_id).first<{ id: string }>();
    const projectId = row?.id ?? "";
    const settings = buildServices(env).llm.settings;

    // The key is missing by the time the job runs: acknowledged, not retried, not billed.
    await settings.update(projectId, userId, { model: "claude-haiku-4-5" });
    expect(await consume({ projectId, userId, sessionId: sessions[0] })).toEqual({ acked: true, retried: false });
    // The provider refuses the key (401): the same.
    await settings.update(projectId, userId, { model: "gpt-4o-mini" });
    openAi.failWith = 401;
    expect(await consume({ projectId, userId, sessionId: sessions[1] })).toEqual({ acked: true, retried: false });
    // An outage (503) may pass: retried.
    openAi.failWith = 503;
    expect(await consume({ projectId, userId, sessionId: sessions[2] })).toEqual({ acked: false, retried: true });

    const error = async (sessionId: string | undefined) =>
      (await rest(token, "GET", `/api/v1/projects/${project_id}/sessions/${sessionId}`)).body.summary_error;
    expect(await error(sessions[0])).toMatch(/ANTHROPIC_API_KEY/);
    expect(await error(sessions[1])).toMatch(/401/);
    expect(await error(sessions[2])).toBeNull();
    const costs = await rest(token, "GET", `/api/v1/projects/${project_id}/costs`);
    expect(costs.body.total_cost).toBe(0);
    // Only the calls that reached OpenAI are listed, at no cost; the keyless one is not there at all.
    expect(costs.body.calls.map((c: { outcome: string }) => c.outcome)).toEqual(["error", "error"]);
  }, 60_000);
});

/** A PNG, GIF, WebP (VP8X) and JPEG header of the given size: all the bound reads. */
function headers(width: number, height: number): Record<string, string> {
  const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  const le16 = (n: number) => [n & 255, (n >>> 8) & 255];
  const le24 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255];
  const png = [
    0x89,
    0x50,
    0x4e,
    0x47,
    13,
    10,
    26,
    10,
    0,
    0,
    0,
    13,
    0x49,
    0x48,
    0x44,
    0x52,
    ...u32(width),
    ...u32(height),
  ];
  const gif = [0x47, 0x49, 0x46, 0x38, 0x39, 0x61, ...le16(width), ...le16(height)];
  const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
  const webp = [
    ...ascii("RIFF"),
    0,
    0,
    0,
    0,
    ...ascii("WEBPVP8X"),
    10,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    ...le24(width - 1),
    ...le24(height - 1),
  ];
  // SOI, an APP0 segment to skip, then SOF0 with height and width.
  const jpeg = [
    0xff,
    0xd8,
    0xff,
    0xe0,
    0,
    4,
    0,
    0,
    0xff,
    0xc0,
    0,
    11,
    8,
    (height >> 8) & 255,
    height & 255,
    (width >> 8) & 255,
    width & 255,
    1,
    0,
    0,
    0,
  ];
  const b64 = (bytes: number[]) => toBase64(new Uint8Array(bytes));
  return { png: b64(png), gif: b64(gif), webp: b64(webp), jpeg: b64(jpeg) };
}

describe("text bounds", () => {
  it("counts UTF-8 bytes exactly, surrogate pairs and lone surrogates included", () => {
    const encoder = new TextEncoder();
    for (const text of ["", "ascii", "é", "中文", "😀 emoji", "\ud800 lone", "mixed 数据 ☃ 🐍 0xdeadbeef"]) {
      expect(utf8Bytes(text), text).toBe(encoder.encode(text).length);
    }
  });
});

describe("image bounds follow the image's size", () => {
  it("reads PNG, GIF, WebP and JPEG sizes, and bounds each provider's documented billing", () => {
    for (const [format, base64] of Object.entries(headers(1_920, 1_080))) {
      expect(imageSize({ base64 }), format).toEqual({ width: 1_920, height: 1_080 });
    }
    const size = (w: number, h: number) => ({ width: w, height: h });
    // OpenAI gpt-4o, documented examples: 1024×1024 high detail = 765 tokens; 2048×4096 = 1,105.
    expect(imageTokenBound("openai", "gpt-4o", size(1_024, 1_024))).toBeGreaterThanOrEqual(765);
    expect(imageTokenBound("openai", "gpt-4o", size(2_048, 4_096))).toBeGreaterThanOrEqual(1_105);
    // gpt-4o-mini bills 2,833 + 5,667 per tile: 1024×1024 = 4 tiles.
    expect(imageTokenBound("openai", "gpt-4o-mini", size(1_024, 1_024))).toBeGreaterThanOrEqual(2_833 + 4 * 5_667);
    // Patch models: 1024×1024 = 1,024 patches × 2.46 (gpt-4.1-nano).
    expect(imageTokenBound("openai", "gpt-4.1-nano", size(1_024, 1_024))).toBeGreaterThanOrEqual(2_519);
    // Anthropic: 1092×1092 ≈ 1,590 tokens.
    expect(imageTokenBound("anthropic", "claude-haiku-4-5", size(1_092, 1_092))).toBeGreaterThanOrEqual(1_590);
    // Gemini tiles grow with the image: 3000×3000 = 16 tiles of 258.
    expect(imageTokenBound("gemini", "gemini-2.5-flash", size(3_000, 3_000))).toBeGreaterThanOrEqual(16 * 258);
    expect(imageTokenBound("gemini", "gemini-2.5-flash", size(300, 300))).toBeGreaterThanOrEqual(258);
    // An unreadable size is the provider's maximum, never less than a readable one.
    expect(imageTokenBound("openai", "gpt-4o", null)).toBeGreaterThanOrEqual(
      imageTokenBound("openai", "gpt-4o", size(4_000, 4_000)),
    );
    expect(imageSize({ base64: toBase64(new Uint8Array([1, 2, 3, 4])) })).toBeNull();
  });
});
