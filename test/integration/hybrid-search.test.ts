import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildServices } from "../../src/composition/services";
import worker from "../../src/index";
import { D1ErrorStore } from "../../src/adapters/d1/error-store";
import { ErrorIndexer } from "../../src/domain/errors/indexing";
import { ErrorSearchService } from "../../src/domain/errors/search";
import { HashingEmbedder } from "../../src/domain/vectors/hash-embedder";
import type { IndexJob } from "../../src/domain/errors/ports";
import type { Embedder, Reranker } from "../../src/domain/vectors/ports";
import { WorkersAiReranker } from "../../src/adapters/workers-ai-reranker";
import { ERROR_INDEX_DLQ, ERROR_INDEX_QUEUE, handleQueueBatch } from "../../src/queue/consumer";
import { callTool, mcpClient, newUser, rest, uniqueName } from "../helpers";

const DATETIME_TRACE = (path: string, line: number) =>
  `Traceback (most recent call last):\n  File "${path}", line ${line}, in is_expired\n    return exp < datetime.now()\n` +
  "TypeError: can't compare offset-naive and offset-aware datetimes";

/** Waits until the queue consumer has built every vector of the project (the real local queue runs it). */
async function waitIndexed(token: string, base: string, expectedTotal?: number) {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const status = await rest(token, "GET", `${base}/errors/index-status`);
    expect(status.status).toBe(200);
    const done = status.body.pending === 0 && status.body.failed === 0;
    if (done && (expectedTotal === undefined || status.body.total === expectedTotal)) return status.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("vectors were not indexed within 10 s");
}

async function recordAll(token: string, base: string, bodies: Array<Record<string, unknown>>) {
  const ids: string[] = [];
  for (const body of bodies) {
    const response = await rest(token, "POST", `${base}/errors`, body);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    ids.push(response.body.error_id);
  }
  return ids;
}

const PROJECT_ERRORS = [
  {
    error_type: "TypeError",
    message: "can't compare offset-naive and offset-aware datetimes",
    stack_trace: DATETIME_TRACE("/home/ann/api/src/auth/tokens.py", 42),
    file_path: "src/auth/tokens.py",
    solution: "Use datetime.now(timezone.utc) everywhere",
    tags: ["auth", "time"],
  },
  {
    error_type: "ModuleNotFoundError",
    message: "No module named 'requests'",
    file_path: "scripts/fetch.py",
    solution: "pip install requests in the project venv",
    tags: ["deps"],
  },
  {
    error_type: "KeyError",
    message: "'user_id' missing from session payload",
    file_path: "src/api/session.py",
    tags: ["auth"],
  },
  {
    error_type: "java.lang.NullPointerException",
    message: 'Cannot invoke "String.length()" because "name" is null',
    stack_trace:
      'java.lang.NullPointerException: Cannot invoke "String.length()" because "name" is null\n' +
      "\tat com.acme.users.NameFormatter.format(NameFormatter.java:31)\n" +
      "\tat com.acme.users.UserService.display(UserService.java:88)",
    file_path: "src/main/java/com/acme/users/NameFormatter.java",
    tags: ["java"],
  },
];

describe("hybrid error search over REST, with vectors built by the queue consumer", () => {
  it("finds a paraphrase by meaning, explains the match, and applies every filter", async () => {
    const { token } = await newUser();
    const base = `/api/v1/projects/${uniqueName("hyb")}`;
    const [datetimeId, moduleId, keyId, npeId] = await recordAll(token, base, PROJECT_ERRORS);
    const status = await waitIndexed(token, base, 4);
    expect(status).toMatchObject({ model: "local-error-hash-v2", dimensions: 384, indexed: 4, total: 4 });

    // Shares no word with the record ("offsets" ≠ "offset", "comparisons" ≠ "compare"), only word stems.
    const semantic = await rest(token, "POST", `${base}/errors/search`, { query: "comparisons of offsets", k: 3 });
    expect(semantic.status).toBe(200);
    expect(semantic.body.vector_search).toMatchObject({ state: "used", pending_errors: 0 });
    const [top] = semantic.body.results;
    expect(top).toMatchObject({
      error_id: datetimeId,
      solution: "Use datetime.now(timezone.utc) everywhere",
      occurrences: 1,
      matched_by: ["vector"],
      vector_pending: false,
    });
    expect(top.signals.vector).toBeGreaterThan(0.2);
    expect(top.signals.lexical).toBe(0);
    expect(top.why).toMatch(/semantic similarity/);
    const lexicalOnly = await rest(token, "POST", `${base}/errors/search`, {
      query: "comparisons of offsets",
      mode: "lexical",
    });
    expect(lexicalOnly.body).toMatchObject({ count: 0, vector_search: { state: "off" } });

    // Same error, other path and line: the fingerprint says so, and the score is 1.
    const same = await rest(token, "POST", `${base}/errors/search`, {
      query: DATETIME_TRACE("/srv/ci/checkout/src/auth/tokens.py", 97),
    });
    expect(same.body.results[0]).toMatchObject({ error_id: datetimeId, score: 1 });
    expect(same.body.results[0].matched_by).toEqual(expect.arrayContaining(["lexical", "vector", "fingerprint"]));
    expect(same.body.results[0].signals.fingerprint).toBe(1);
    expect(same.body.results[0].why).toMatch(/same error/);

    // Frames shared with the query are named.
    const npe = await rest(token, "POST", `${base}/errors/search`, {
      query: "NullPointerException\n\tat com.acme.users.NameFormatter.format(NameFormatter.java:40)",
    });
    expect(npe.body.results[0].error_id).toBe(npeId);
    expect(npe.body.results[0].shared_frames).toContain("nameformatter.format");

    const search = (body: Record<string, unknown>) =>
      rest(token, "POST", `${base}/errors/search`, { query: "error module user session datetimes", k: 10, ...body });
    const ids = async (body: Record<string, unknown>) => {
      const response = await search(body);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return (response.body.results as Array<{ error_id: string }>).map((hit) => hit.error_id).sort();
    };
    expect(await ids({ resolved_only: true })).toEqual([datetimeId, moduleId].sort());
    expect(await ids({ error_type: "KeyError" })).toEqual([keyId]);
    expect(await ids({ error_type: "nullpointerexception", query: "null name length" })).toEqual([npeId]);
    expect(await ids({ file: "auth/tokens.py" })).toEqual([datetimeId]);
    // A suffix must end at a path separator: "tokens.py" matches, "ens.py" does not.
    expect(await ids({ file: "ens.py" })).toEqual([]);
    expect(await ids({ tag: "auth" })).toEqual([datetimeId, keyId].sort());
    const unfiltered = await ids({});
    expect(unfiltered.length).toBeGreaterThanOrEqual(3);
    expect(await ids({ since: "2000-01-01" })).toEqual(unfiltered);
    expect(await ids({ since: new Date(Date.now() + 3_600_000).toISOString() })).toEqual([]);
    for (const mode of ["lexical", "vector"]) {
      expect(await ids({ mode, tag: "deps", query: "No module named requests" })).toEqual([moduleId]);
    }

    const badDate = await search({ since: "last tuesday" });
    expect(badDate.status).toBe(400);
    expect(JSON.stringify(badDate.body.error)).toContain("since");
    const badMode = await search({ mode: "semantic" });
    expect(badMode.status).toBe(400);
    expect(JSON.stringify(badMode.body.error)).toContain("mode");
  }, 45_000); // 30 calls

  it("keeps vector results inside the project, even for look-alike project ids", async () => {
    const { token } = await newUser();
    const suffix = crypto.randomUUID().slice(0, 6);
    const owner = `/api/v1/projects/a_c-${suffix}`;
    const other = `/api/v1/projects/abc-${suffix}`;
    await recordAll(token, owner, [PROJECT_ERRORS[0] as Record<string, unknown>]);
    await recordAll(token, other, [{ error_type: "ValueError", message: "bad literal for int()" }]);
    await waitIndexed(token, owner, 1);
    await waitIndexed(token, other, 1);
    for (const mode of ["vector", "hybrid"]) {
      const found = await rest(token, "POST", `${other}/errors/search`, { query: DATETIME_TRACE("/x.py", 1), mode });
      expect(found.body.results.map((hit: { error_type: string }) => hit.error_type)).not.toContain("TypeError");
    }
    const { token: stranger } = await newUser();
    const refused = await rest(stranger, "POST", `${owner}/errors/search`, { query: "datetimes", mode: "vector" });
    expect(refused.status).toBe(404);
  }, 45_000); // 30 calls

  it("scores a pending error lexically, says so, and rebuilds vectors on re-index", async () => {
    const { token } = await newUser();
    const slug = uniqueName("pend");
    const base = `/api/v1/projects/${slug}`;
    const [datetimeId] = await recordAll(token, base, PROJECT_ERRORS.slice(0, 2));
    await waitIndexed(token, base, 2);

    // As after a change of embedding model: the stored vectors are from another model, so both are pending.
    await env.DB.prepare(
      "UPDATE errors SET vector_model = 'an-older-model' WHERE project_id = (SELECT id FROM projects WHERE slug = ?)",
    )
      .bind(slug)
      .run();
    const stale = await rest(token, "GET", `${base}/errors/index-status`);
    expect(stale.body).toMatchObject({ total: 2, indexed: 0, pending: 2, failed: 0 });
    const pending = await rest(token, "POST", `${base}/errors/search`, { query: "offset-naive datetimes" });
    expect(pending.body.vector_search).toMatchObject({ state: "used", pending_errors: 2 });
    expect(pending.body.results[0]).toMatchObject({
      error_id: datetimeId,
      vector_pending: true,
      matched_by: ["lexical"],
    });
    expect(pending.body.results[0].signals.vector).toBeNull();
    expect(pending.body.results[0].why).toMatch(/not indexed yet/);
    const client = await mcpClient(token);
    const viaMcp = await callTool(client, "coding_search_errors", {
      project_id: slug,
      query: "offset-naive datetimes",
    });
    expect(viaMcp.text).toMatch(/2 errors are still being indexed/);

    const reindex = await rest(token, "POST", `${base}/errors/reindex`, { only_pending: true });
    expect(reindex.status).toBe(202);
    expect(reindex.body).toMatchObject({ model: "local-error-hash-v2", queued: 2, jobs: 1 });
    await waitIndexed(token, base, 2);
    const rebuilt = await rest(token, "POST", `${base}/errors/search`, { query: "offset-naive datetimes" });
    expect(rebuilt.body.results[0]).toMatchObject({ error_id: datetimeId, vector_pending: false });
    expect(rebuilt.body.results[0].signals.vector).toBeGreaterThan(0.3);

    const all = await rest(token, "POST", `${base}/errors/reindex`, {});
    expect(all.body).toMatchObject({ queued: 2, only_pending: false });
    const badBody = await rest(token, "POST", `${base}/errors/reindex`, { only_pending: "yes" });
    expect(badBody.status).toBe(400);
    expect(JSON.stringify(badBody.body.error)).toContain("only_pending");
    await waitIndexed(token, base, 2);
  }, 60_000); // 45 calls
});

describe("solutions for an error", () => {
  it("suggests fixes from the error itself and from similar resolved errors, with confidence", async () => {
    const { token } = await newUser();
    const client = await mcpClient(token);
    const project_id = uniqueName("sol");
    const base = `/api/v1/projects/${project_id}`;
    const fix = "Use datetime.now(timezone.utc) everywhere";
    // The same fix resolved two different datetime errors: it has worked more than once.
    await recordAll(token, base, [
      PROJECT_ERRORS[0] as Record<string, unknown>,
      {
        error_type: "TypeError",
        message: "can't subtract offset-naive and offset-aware datetimes",
        file_path: "src/billing/invoice.py",
        solution: fix,
      },
      PROJECT_ERRORS[1] as Record<string, unknown>,
    ]);
    await waitIndexed(token, base, 3);

    // Recording a new, similar error answers with the known fixes at once.
    const recorded = await callTool(client, "coding_record_error", {
      project_id,
      error_type: "TypeError",
      message: "can't compare offset-naive and offset-aware datetimes in scheduler",
      file_path: "src/jobs/scheduler.py",
    });
    expect(recorded.isError, recorded.text).toBe(false);
    expect(recorded.data.suggested_solutions.length).toBeGreaterThanOrEqual(1);
    expect(recorded.data.suggested_solutions.length).toBeLessThanOrEqual(3);
    expect(recorded.data.suggested_solutions[0]).toMatchObject({ solution: fix, resolved_errors: 2 });
    expect(recorded.text).toContain(fix);

    const byId = await callTool(client, "coding_get_solutions_for_error", {
      project_id,
      error_id: recorded.data.error_id,
    });
    expect(byId.isError, byId.text).toBe(false);
    const [best] = byId.data.solutions;
    expect(best).toMatchObject({ solution: fix, confidence: "high", resolved_errors: 2, same_error: false });
    expect(best.basis).toMatch(/resolved 2 similar errors/);
    expect(byId.data.solutions.map((s: { solution: string }) => s.solution)).not.toContain(
      "pip install requests in the project venv",
    );
    expect(byId.text).toMatch(/high/);

    const byText = await rest(token, "POST", `${base}/errors/solutions`, {
      error_text: "ModuleNotFoundError: No module named 'requests'",
    });
    expect(byText.status).toBe(200);
    expect(byText.body.solutions[0]).toMatchObject({
      solution: "pip install requests in the project venv",
      confidence: "high",
      same_error: true,
    });

    const unrelated = await rest(token, "POST", `${base}/errors/solutions`, { error_text: "segfault in libpng" });
    expect(unrelated.body).toMatchObject({ count: 0 });

    const both = await rest(token, "POST", `${base}/errors/solutions`, { error_id: "x", error_text: "y" });
    expect(both.status).toBe(400);
    const neither = await rest(token, "POST", `${base}/errors/solutions`, {});
    expect(neither.status).toBe(400);
    expect(JSON.stringify(neither.body.error)).toContain("error_id");
    const unknown = await callTool(client, "coding_get_solutions_for_error", { project_id, error_id: "nope" });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toMatch(/error_id: error nope not found/);
  }, 35_000); // 20 calls

  it("lowers the confidence of a fix after which the error came back", async () => {
    const { token } = await newUser();
    const base = `/api/v1/projects/${uniqueName("recur")}`;
    const body = { error_type: "OSError", message: "Too many open files", solution: "raise ulimit -n" };
    const [id] = await recordAll(token, base, [body]);
    const again = await rest(token, "POST", `${base}/errors`, { ...body, solution: undefined });
    expect(again.body).toMatchObject({ error_id: id, occurrences: 2 });
    const solutions = await rest(token, "POST", `${base}/errors/solutions`, { error_id: id });
    expect(solutions.body.solutions[0]).toMatchObject({
      solution: "raise ulimit -n",
      same_error: true,
      recurred_after_fix: true,
      confidence: "medium",
    });
    expect(solutions.body.solutions[0].basis).toMatch(/came back/);
  }, 20_000); // 3 calls
});

class FailingEmbedder implements Embedder {
  readonly id = new HashingEmbedder().id;
  readonly dimensions = 384;
  calls = 0;
  async embed(): Promise<Float32Array[]> {
    this.calls += 1;
    throw new Error("AI binding: 503 model overloaded");
  }
}

interface FakeMessage {
  id: string;
  body: unknown;
  attempts: number;
  acked: boolean;
  retryDelay: number | null;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}

function batchOf(queue: string, bodies: unknown[], attempts = 1) {
  const messages: FakeMessage[] = bodies.map((body, index) => ({
    id: `m${index}`,
    body,
    attempts,
    acked: false as boolean,
    retryDelay: null as number | null,
    ack() {
      this.acked = true;
    },
    retry(options) {
      this.retryDelay = options?.delaySeconds ?? 0;
    },
  }));
  return { batch: { queue, messages } as unknown as MessageBatch<unknown>, messages };
}

describe("indexing failures", () => {
  it("retries a failed job with backoff, dead-letters it, and search still answers lexically", async () => {
    const { token } = await newUser();
    const slug = uniqueName("fail");
    const base = `/api/v1/projects/${slug}`;
    const [errorId] = await recordAll(token, base, [PROJECT_ERRORS[2] as Record<string, unknown>]);
    await waitIndexed(token, base, 1);
    const project = await env.DB.prepare("SELECT id FROM projects WHERE slug = ?").bind(slug).first<{ id: string }>();
    const projectId = project?.id ?? "";
    await env.DB.prepare("UPDATE errors SET vector_model = NULL WHERE id = ?").bind(errorId).run();

    const failing = new FailingEmbedder();
    const real = buildServices(env);
    const store = new D1ErrorStore(env.DB);
    const services = {
      ...real,
      errors: {
        ...real.errors,
        indexer: new ErrorIndexer(store, failing, real.errors.vectors, { enqueue: async () => {} }, real.runtime),
      },
    };
    const job: IndexJob = { kind: "index_errors", projectId, errorIds: [errorId ?? ""], requestedAt: Date.now() };
    const first = batchOf(ERROR_INDEX_QUEUE, [job, { kind: "nonsense" }, { ...job, requestedAt: 1 }], 3);
    await handleQueueBatch(first.batch, services);
    // The two jobs of one project were merged into one attempt, and both retry after 10 s · 2^(attempts − 1).
    expect(failing.calls).toBe(1);
    expect(first.messages[0]).toMatchObject({ acked: false, retryDelay: 40 });
    expect(first.messages[2]).toMatchObject({ acked: false, retryDelay: 40 });
    // A malformed message can never succeed: it is dropped, not retried.
    expect(first.messages[1]).toMatchObject({ acked: true, retryDelay: null });

    const dead = batchOf(ERROR_INDEX_DLQ, [job]);
    await handleQueueBatch(dead.batch, services);
    expect(dead.messages[0]?.acked).toBe(true);
    const status = await rest(token, "GET", `${base}/errors/index-status`);
    expect(status.body).toMatchObject({ total: 1, indexed: 0, failed: 1, pending: 0 });

    const lexical = await rest(token, "POST", `${base}/errors/search`, { query: "user_id missing" });
    expect(lexical.body.results[0]).toMatchObject({ error_id: errorId, vector_pending: true });

    const retried = await rest(token, "POST", `${base}/errors/reindex`, { only_pending: true });
    expect(retried.body.queued).toBe(1);
    await waitIndexed(token, base, 1);
  }, 40_000); // 25 calls

  it("re-queues, from the scheduled sweep, an error whose indexing job was lost, and only when overdue", async () => {
    const { token } = await newUser();
    const slug = uniqueName("lost");
    const base = `/api/v1/projects/${slug}`;
    const [lostId, recentId] = await recordAll(
      token,
      base,
      PROJECT_ERRORS.slice(0, 2) as Array<Record<string, unknown>>,
    );
    await waitIndexed(token, base, 2);
    // As if their queue sends had failed: no vector; one recorded 11 minutes ago, one just now.
    const stale = Date.now() - 11 * 60_000;
    await env.DB.prepare("UPDATE errors SET vector_model = NULL, vector_indexed_at = NULL, created_at = ? WHERE id = ?")
      .bind(stale, lostId ?? "")
      .run();
    await env.DB.prepare("UPDATE errors SET vector_model = NULL, vector_indexed_at = ? WHERE id = ?")
      .bind(Date.now(), recentId ?? "")
      .run();

    await worker.scheduled(createScheduledController({ cron: "*/10 * * * *" }), env);
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const status = await rest(token, "GET", `${base}/errors/index-status`);
      if (status.body.indexed === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const rows = await env.DB.prepare("SELECT id, vector_model FROM errors WHERE id IN (?, ?)")
      .bind(lostId, recentId)
      .all<{ id: string; vector_model: string | null }>();
    const models = new Map(rows.results.map((row) => [row.id, row.vector_model]));
    expect(models.get(lostId ?? "")).toBe("local-error-hash-v2");
    expect(models.get(recentId ?? "")).toBeNull();
    // Claimed rows are stamped: a second sweep right away re-queues nothing of this project.
    const again = await buildServices(env).errors.indexer.requeueOverdue();
    expect(again.requeued).toBe(0);
  }, 125_000); // 107 calls

  it("degrades to keyword search when the embedder is down, and refuses vector mode with 503", async () => {
    const { token } = await newUser();
    const base = `/api/v1/projects/${uniqueName("down")}`;
    await recordAll(token, base, [PROJECT_ERRORS[1] as Record<string, unknown>]);
    await waitIndexed(token, base, 1);
    const real = buildServices(env);
    const row = await env.DB.prepare("SELECT id, slug FROM projects WHERE slug = ?")
      .bind(base.split("/").pop())
      .first<{ id: string; slug: string }>();
    const search = new ErrorSearchService(
      new D1ErrorStore(env.DB),
      new FailingEmbedder(),
      real.errors.vectors,
      real.runtime,
    );
    const projectRecord = { id: row?.id ?? "", slug: row?.slug ?? "" } as never;
    const filters = { resolvedOnly: false, errorType: null, file: null, tag: null, since: null };
    const result = await search.search(projectRecord, "No module named requests", { k: 5, mode: "hybrid", filters });
    expect(result.vector).toMatchObject({ state: "unavailable", reason: "AI binding: 503 model overloaded" });
    expect(result.hits[0]?.error.errorType).toBe("ModuleNotFoundError");
    await expect(
      search.search(projectRecord, "No module named requests", { k: 5, mode: "vector", filters }),
    ).rejects.toMatchObject({ code: "unavailable" });
  }, 30_000); // 15 calls
});

describe("ranking", () => {
  it("scores a project's errors the same whether or not another project holds the query's words", async () => {
    const { token } = await newUser();
    const base = `/api/v1/projects/${uniqueName("iso-a")}`;
    const otherBase = `/api/v1/projects/${uniqueName("iso-b")}`;
    await recordAll(token, base, PROJECT_ERRORS.slice(0, 3) as Array<Record<string, unknown>>);
    const query = { query: "TypeError: can't compare offset-naive datetimes in session payload", mode: "lexical" };
    const before = await rest(token, "POST", `${base}/errors/search`, query);
    expect(before.status).toBe(200);
    expect(before.body.results.length).toBeGreaterThan(0);
    await recordAll(
      token,
      otherBase,
      ["offset naive datetimes", "session payload compare", "typeerror offset"].map((message) => ({
        error_type: "TypeError",
        message,
      })),
    );
    const after = await rest(token, "POST", `${base}/errors/search`, query);
    const scores = (body: { results: Array<{ error_id: string; score: number; signals: unknown }> }) =>
      body.results.map((hit) => [hit.error_id, hit.score, hit.signals]);
    expect(scores(after.body)).toEqual(scores(before.body));
  }, 30_000); // 8 calls

  it("reranks the best hits with the configured reranker, and keeps the first-stage order when it fails", async () => {
    const { token } = await newUser();
    const base = `/api/v1/projects/${uniqueName("rerank")}`;
    await recordAll(token, base, PROJECT_ERRORS.slice(0, 3) as Array<Record<string, unknown>>);
    const real = buildServices(env);
    const row = await env.DB.prepare("SELECT id, slug FROM projects WHERE slug = ?")
      .bind(base.split("/").pop())
      .first<{ id: string; slug: string }>();
    const project = { id: row?.id ?? "", slug: row?.slug ?? "" } as never;
    const filters = { resolvedOnly: false, errorType: null, file: null, tag: null, since: null };
    const calls: Array<{ model: string; contexts: number }> = [];
    // Workers AI's documented answer: `{ response: [{ id, score }] }`, best first, scores as logits.
    const binding = {
      async run(model: string, input: { query: string; contexts: Array<{ text: string }> }) {
        calls.push({ model, contexts: input.contexts.length });
        const response = input.contexts
          .map((context, id) => ({ id, score: context.text.includes("KeyError") ? 6 : -6 }))
          .sort((a, b) => b.score - a.score);
        return { response };
      },
    };
    const searchWith = (reranker: () => Reranker | null) =>
      new ErrorSearchService(
        new D1ErrorStore(env.DB),
        new HashingEmbedder(),
        real.errors.vectors,
        real.runtime,
        reranker,
      );
    const query = "compare offset datetimes session payload";
    const plain = await searchWith(() => null).search(project, query, { k: 3, mode: "lexical", filters });
    expect(plain.rerank).toEqual({ state: "off", model: null });
    expect(plain.hits[0]?.error.errorType).toBe("TypeError");

    const reranked = await searchWith(() => new WorkersAiReranker(binding)).search(project, query, {
      k: 3,
      mode: "lexical",
      filters,
    });
    expect(reranked.rerank).toEqual({ state: "used", model: "workers-ai:@cf/baai/bge-reranker-base" });
    expect(calls).toEqual([{ model: "@cf/baai/bge-reranker-base", contexts: plain.hits.length }]);
    expect(reranked.hits[0]?.error.errorType).toBe("KeyError");
    expect(reranked.hits[0]?.signals.rerank).toBeGreaterThan(0.99);

    const failing = { run: async () => Promise.reject(new Error("3040: capacity exceeded")) };
    const fallback = await searchWith(() => new WorkersAiReranker(failing)).search(project, query, {
      k: 3,
      mode: "lexical",
      filters,
    });
    expect(fallback.rerank).toMatchObject({ state: "unavailable" });
    expect(fallback.hits.map((hit) => hit.error.id)).toEqual(plain.hits.map((hit) => hit.error.id));
    // A misconfigured reranker fails softly too, naming what to fix.
    const misconfigured = await searchWith(() => {
      throw new Error("RERANKER_PROVIDER is not one of off, workers-ai.");
    }).search(project, query, { k: 3, mode: "lexical", filters });
    expect(misconfigured.rerank).toMatchObject({ state: "unavailable", reason: expect.stringContaining("RERANKER") });
  }, 30_000); // 3 calls
});

describe("bulk import", () => {
  it("records up to 100 errors in one batch, counts recurrences, indexes them, and validates every item", async () => {
    const { token } = await newUser();
    const base = `/api/v1/projects/${uniqueName("imp")}`;
    const datetime = PROJECT_ERRORS[0] as Record<string, unknown>;
    const imported = await rest(token, "POST", `${base}/errors/import`, {
      errors: [
        datetime,
        PROJECT_ERRORS[1],
        // The same error from another checkout: one record, two occurrences.
        { ...datetime, stack_trace: DATETIME_TRACE("/ci/work/src/auth/tokens.py", 99), solution: undefined },
      ],
    });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    expect(imported.body).toMatchObject({ imported: 3, created: 2 });
    expect(imported.body.results[2]).toMatchObject({
      error_id: imported.body.results[0].error_id,
      recurring: true,
      occurrences: 2,
    });
    await waitIndexed(token, base, 2);
    const found = await rest(token, "POST", `${base}/errors/search`, { query: "comparisons of offsets" });
    expect(found.body.results[0]).toMatchObject({ error_id: imported.body.results[0].error_id, occurrences: 2 });

    const bad = await rest(token, "POST", `${base}/errors/import`, {
      errors: [PROJECT_ERRORS[2], { error_type: "X", message: "" }],
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error)).toContain("errors.1.message");
    const tooMany = await rest(token, "POST", `${base}/errors/import`, {
      errors: Array.from({ length: 101 }, () => PROJECT_ERRORS[2]),
    });
    expect(tooMany.status).toBe(400);
    const status = await rest(token, "GET", `${base}/errors/index-status`);
    expect(status.body.total).toBe(2); // nothing of the refused requests was written
    const { token: stranger } = await newUser();
    // Names are per team: the stranger's import lands in a project of their own, not in this one.
    expect((await rest(stranger, "POST", `${base}/errors/import`, { errors: [PROJECT_ERRORS[2]] })).status).toBe(201);
    expect((await rest(token, "GET", `${base}/errors/index-status`)).body.total).toBe(2);
  }, 45_000); // 30 calls
});
