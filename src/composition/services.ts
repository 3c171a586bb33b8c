import { D1CostLedger } from "../adapters/d1/cost-ledger";
import { D1CodeIndexStore } from "../adapters/d1/code-index-store";
import { D1ContextStore } from "../adapters/d1/context-store";
import { D1DecisionStore } from "../adapters/d1/decision-store";
import { D1ErrorStore } from "../adapters/d1/error-store";
import { D1ProjectStore } from "../adapters/d1/project-store";
import { D1SessionStore } from "../adapters/d1/session-store";
import { redactingPort } from "../domain/core/redact-fields";
import { D1ErrorClassStore } from "../adapters/d1/error-classes";
import { D1IdempotencyStore } from "../adapters/d1/idempotency-store";
import type { IdempotencyStore } from "../domain/core/idempotency";
import { D1TeamStore } from "../adapters/d1/team-store";
import { TeamService } from "../domain/projects/teams";
import { D1WebhookStore } from "../adapters/d1/webhook-store";
import { GitHubActionsLogs } from "../adapters/github-actions";
import type { CiLogSource, WebhookStore } from "../domain/ci/ports";
import { CiFailureRecorder } from "../domain/ci/ci-failures";
import { AttachmentService } from "../domain/screenshots/attachments";
import { ErrorRecorder } from "../domain/errors/error-recorder";
import { ArchitectureService, architectureOverview } from "../domain/diagrams/diagram-service";
import { D1DiagramStore } from "../adapters/d1/diagram-store";
import { VisionReader } from "../domain/llm/vision";
import { D1AttachmentRecords } from "../adapters/d1/attachment-records";
import { R2BlobStore } from "../adapters/r2-blob-store";
import { httpsImageFetcher } from "../adapters/https-image-fetcher";
import { CodeIndexService } from "../domain/code/code-index";
import { GenAiPriceBook } from "../adapters/genai-price-book";
import { D1SettingsStore } from "../adapters/d1/settings-store";
import { baseUrlIsLocal, llmDefaultsFromEnv, providerFactoryFromEnv } from "./llm";
import { LlmGateway } from "../domain/llm/gateway";
import { LlmSettingsService } from "../domain/llm/settings";
import { SessionSummaries } from "../domain/llm/session-summaries";
import { ApprovalDesk } from "../domain/llm/approvals";
import { SolutionAdvisor } from "../domain/llm/solution-advice";
import { PreferenceExtractor } from "../domain/llm/preferences";
import { ContextCompressor } from "../domain/llm/context-compression";
import { PROMPTS } from "./prompts";
import type { CostLedger } from "../domain/llm/types";
import { DurableSessionStore } from "../adapters/durable-session-store";
import type { TokenService } from "../auth/tokens";
import { sha256Hex } from "../domain/core/encoding";
import { D1TokenService } from "./auth";
import { ErrorSearchService } from "../domain/errors/search";
import { ProjectAccessService } from "../domain/projects/project-access";
import { SessionService } from "../domain/sessions/sessions";
import { ErrorRecords } from "../domain/errors/error-records";
import { DecisionService } from "../domain/decisions/decisions";
import { ProjectContextService } from "../domain/context/project-context";
import { QueueIndexQueue, QueueSummaryQueue } from "../adapters/json-queue";
import { AppError } from "../domain/core/app-error";
import { ErrorIndexer } from "../domain/errors/indexing";
import type { Runtime } from "../domain/core/ports";
import type { Identity } from "../domain/core/records";
import type { Embedder, Reranker, VectorIndex } from "../domain/vectors/ports";
import type { Env } from "./env";
import { embedderFromEnv, LazyEmbedder, minSimilarityFromEnv, rerankerFromEnv, vectorIndexFromEnv } from "./embedding";

/**
 * Everything the edges (MCP tools, REST routes, queue consumers, Durable Object alarms) call, grouped by feature:
 * a feature with one use-case service is that service; one with several is a small bag of them.
 */
export interface Services {
  runtime: Runtime;
  /** Stored answers of keyed writes (Idempotency-Key), so a retried write is not written twice. */
  idempotency: IdempotencyStore;
  /** Which project a call is about, and whether the caller may act there (the one authorization point). */
  projects: ProjectAccessService;
  sessions: SessionService;
  errors: {
    records: ErrorRecords;
    /** coding_record_error: text or screenshot in, a recorded error out (holding the analysis for approval). */
    recorder: ErrorRecorder;
    search: ErrorSearchService;
    indexer: ErrorIndexer;
    /** Chosen by EMBEDDING_PROVIDER; resolved at first use (see `LazyEmbedder`). */
    embedder: Embedder;
    /** Vectorize when bound, else the local index. */
    vectors: VectorIndex;
  };
  decisions: DecisionService;
  context: ProjectContextService;
  /** Uploaded files' import structure and the resolved import graph. */
  code: CodeIndexService;
  diagrams: ArchitectureService;
  /** Uploaded screenshots and diagrams (R2 blobs with their D1 records). */
  screenshots: AttachmentService;
  ci: {
    failures: CiFailureRecorder;
    webhooks: WebhookStore;
    /** Failed job logs from the GitHub API, when GITHUB_API_TOKEN is set. */
    githubLogs: CiLogSource | null;
  };
  llm: {
    /** Every LLM call goes through it (estimate, budget, approval, ledger). */
    gateway: LlmGateway;
    ledger: CostLedger;
    /** Server defaults (env) under each project's stored overrides. */
    settings: LlmSettingsService;
    approvals: ApprovalDesk;
    summaries: SessionSummaries;
    advisor: SolutionAdvisor;
    preferences: PreferenceExtractor;
    compressor: ContextCompressor;
    vision: VisionReader;
  };
  /** Account-level things: API tokens, teams, and the per-credential write budget. */
  accounts: {
    tokens: TokenService;
    teams: TeamService;
    /** Refuses a write with `rate_limited` when the credential is over its per-minute budget (WRITE_LIMITER). */
    limitWrites(identity: Identity): Promise<void>;
  };
}

/** The composition root: the only place that reads `env` and picks adapters. Built per request; it is cheap. */
export function buildServices(env: Env): Services {
  const runtime: Runtime = {
    now: () => Date.now(),
    newId: () => crypto.randomUUID(),
    sha256Hex,
  };
  const maxHours = Number(env.MAX_SESSION_DURATION_HOURS ?? "24");
  // Every port that stores, indexes, embeds or queues project text redacts all of its arguments (redact-fields.ts).
  const projectStore = redactingPort(new D1ProjectStore(env.DB));
  const sessionStore = redactingPort(new D1SessionStore(env.DB));
  const errorStore = redactingPort(new D1ErrorStore(env.DB));
  const decisionStore = redactingPort(new D1DecisionStore(env.DB));
  const contextStore = redactingPort(new D1ContextStore(env.DB));
  const embedder = redactingPort(
    new LazyEmbedder(
      () => embedderFromEnv(env),
      () => minSimilarityFromEnv(env),
    ),
  );
  const vectors = redactingPort(vectorIndexFromEnv(env));
  const indexQueue = redactingPort(new QueueIndexQueue(env.ERROR_INDEX_QUEUE));
  const ledger = redactingPort(new D1CostLedger(env.DB));
  const gateway = new LlmGateway(
    providerFactoryFromEnv(env, (input, init) => fetch(input, init)),
    new GenAiPriceBook({ localModels: baseUrlIsLocal(env) }),
    ledger,
    runtime,
  );
  // Defaults are read lazily: a malformed value then fails the calls that need it, naming the variable.
  const settings = new LlmSettingsService(new D1SettingsStore(env.DB), () => llmDefaultsFromEnv(env), runtime.now);
  const sessionState = redactingPort(new DurableSessionStore(env.PROJECT_SESSION));
  const waitMs = Number(env.CODING_MEMORY_SUMMARY_WAIT_MS ?? "3000");
  const approvals = new ApprovalDesk(sessionState, runtime);
  let reranker: Reranker | null | undefined;
  const search = new ErrorSearchService(errorStore, embedder, vectors, runtime, () => {
    reranker ??= rerankerFromEnv(env);
    return reranker;
  });
  const code = new CodeIndexService(new D1CodeIndexStore(env.DB), runtime);
  const diagramStore = redactingPort(new D1DiagramStore(env.DB));
  const records = new ErrorRecords(errorStore, runtime, indexQueue);
  const decisions = new DecisionService(decisionStore, runtime);
  const screenshots = new AttachmentService(
    redactingPort(new D1AttachmentRecords(env.DB)),
    new R2BlobStore(env.SCREENSHOTS),
    httpsImageFetcher((input, init) => fetch(input, init)),
    runtime,
  );
  const vision = new VisionReader(gateway, settings, approvals);
  return {
    runtime,
    idempotency: new D1IdempotencyStore(env.DB),
    projects: new ProjectAccessService(projectStore, runtime),
    sessions: new SessionService(sessionStore, sessionState, runtime, {
      maxSessionDurationHours: Number.isFinite(maxHours) && maxHours > 0 ? maxHours : 24,
    }),
    errors: {
      records,
      recorder: new ErrorRecorder(records, screenshots, vision, PROMPTS.screenshotAnalysis, runtime),
      search,
      indexer: new ErrorIndexer(errorStore, embedder, vectors, indexQueue, runtime),
      embedder,
      vectors,
    },
    decisions,
    context: new ProjectContextService(
      contextStore,
      sessionState,
      (project, memories) => code.staleness(project, memories),
      async (projectId, limit) => (await diagramStore.list(projectId, limit)).map(architectureOverview),
      (project) => code.graph(project),
    ),
    code,
    diagrams: new ArchitectureService(diagramStore, decisions, screenshots, vision, PROMPTS.diagramAnalysis, runtime),
    screenshots,
    ci: {
      failures: new CiFailureRecorder(records, search),
      webhooks: new D1WebhookStore(env.DB),
      githubLogs: env.GITHUB_API_TOKEN
        ? new GitHubActionsLogs(env.GITHUB_API_TOKEN, (input, init) => fetch(input, init))
        : null,
    },
    llm: {
      gateway,
      ledger,
      settings,
      approvals,
      summaries: new SessionSummaries(
        sessionStore,
        gateway,
        settings,
        approvals,
        redactingPort(new QueueSummaryQueue(env.SUMMARY_QUEUE)),
        PROMPTS.sessionSummary,
        runtime,
        {
          waitMs: Number.isFinite(waitMs) && waitMs >= 0 ? waitMs : 3000,
          pollMs: 200,
          sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        },
      ),
      advisor: new SolutionAdvisor(errorStore, search, gateway, settings, approvals, PROMPTS),
      preferences: new PreferenceExtractor(decisionStore, gateway, settings, approvals, PROMPTS.preferenceExtraction),
      compressor: new ContextCompressor(gateway, settings, approvals, PROMPTS.contextCompression),
      vision,
    },
    accounts: {
      tokens: new D1TokenService(env.DB),
      teams: new TeamService(new D1TeamStore(env.DB), runtime, new D1ErrorClassStore(env.DB)),
      limitWrites: async (identity) => {
        const key = identity.credentialId ?? identity.userId;
        if (env.RATE_LIMITS !== "off" && env.WRITE_LIMITER && !(await env.WRITE_LIMITER.limit({ key })).success) {
          throw new AppError("rate_limited", "Too many writes with this credential; retry in a minute.", {
            details: { limit: "WRITE_LIMITER" },
          });
        }
      },
    },
  };
}
