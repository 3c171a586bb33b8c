import { D1CostLedger } from "../adapters/d1/cost-ledger";
import { D1CodeIndexStore } from "../adapters/d1/code-index-store";
import { D1MemoryStore } from "../adapters/d1/memory-store";
import { redactingPort } from "../domain/core/redact-fields";
import { D1TeamStore } from "../adapters/d1/team-store";
import { TeamService } from "../domain/projects/teams";
import { D1WebhookStore } from "../adapters/d1/webhook-store";
import { GitHubActionsLogs } from "../adapters/github-actions";
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
import { SessionSummaries } from "../domain/llm/summaries";
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
import { HashingEmbedder } from "../domain/vectors/hash-embedder";
import { MemoryService } from "../domain/memory";
import { DurableObjectVectorIndex } from "../adapters/durable-object-vector-index";
import { OpenAiCompatibleEmbedder } from "../adapters/openai-compatible-embedder";
import { QueueIndexQueue, QueueSummaryQueue } from "../adapters/json-queue";
import { VectorizeIndex } from "../adapters/vectorize-index";
import { WorkersAiEmbedder } from "../adapters/workers-ai-embedder";
import { AppError } from "../domain/core/app-error";
import { ErrorIndexer } from "../domain/errors/indexing";
import type { Runtime } from "../domain/ports";
import type { Identity } from "../domain/core/records";
import type { Embedder, VectorIndex } from "../domain/vectors/vectors";
import type { Env } from "./env";
import type { OAuthDeps } from "../auth/oauth";
import { GitHubProvider, OidcProvider, type IdentityProvider } from "../auth/identity-providers";

export interface Services {
  memory: MemoryService;
  search: ErrorSearchService;
  tokens: TokenService;
  runtime: Runtime;
  /** Chosen by EMBEDDING_PROVIDER; resolved at first use (see `LazyEmbedder`). */
  embedder: Embedder;
  /** Vectorize when bound, else the local index. */
  vectors: VectorIndex;
  indexer: ErrorIndexer;
  /** Every LLM call goes through it (estimate, budget, approval, ledger). */
  llm: LlmGateway;
  ledger: CostLedger;
  /** Server defaults (env) under each project's stored overrides. */
  llmSettings: LlmSettingsService;
  summaries: SessionSummaries;
  advisor: SolutionAdvisor;
  preferences: PreferenceExtractor;
  compressor: ContextCompressor;
  approvals: ApprovalDesk;
  /** Uploaded files' import structure and the resolved import graph. */
  code: CodeIndexService;
  teams: TeamService;
  ciFailures: CiFailureRecorder;
  webhooks: D1WebhookStore;
  /** Failed job logs from the GitHub API, when GITHUB_API_TOKEN is set. */
  githubLogs: GitHubActionsLogs | null;
  attachments: AttachmentService;
  vision: VisionReader;
  errorRecorder: ErrorRecorder;
  architecture: ArchitectureService;
  /** Refuses a write with `rate_limited` when the credential is over its per-minute budget (WRITE_LIMITER). */
  limitWrites(identity: Identity): Promise<void>;
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
  const store = redactingPort(new D1MemoryStore(env.DB));
  const embedder = redactingPort(
    new LazyEmbedder(
      () => embedderFromEnv(env),
      () => minSimilarityFromEnv(env),
    ),
  );
  const vectors = redactingPort(vectorIndexFromEnv(env));
  const indexQueue = redactingPort(new QueueIndexQueue(env.ERROR_INDEX_QUEUE));
  const ledger = redactingPort(new D1CostLedger(env.DB));
  const llm = new LlmGateway(
    providerFactoryFromEnv(env, (input, init) => fetch(input, init)),
    new GenAiPriceBook({ localModels: baseUrlIsLocal(env) }),
    ledger,
    runtime,
  );
  const llmSettings = new LlmSettingsService(new D1SettingsStore(env.DB), () => llmDefaultsFromEnv(env), runtime.now);
  const sessionState = redactingPort(new DurableSessionStore(env.PROJECT_SESSION));
  const waitMs = Number(env.CODING_MEMORY_SUMMARY_WAIT_MS ?? "3000");
  const approvals = new ApprovalDesk(sessionState, runtime);
  const search = new ErrorSearchService(store, embedder, vectors, runtime);
  const code = new CodeIndexService(new D1CodeIndexStore(env.DB), runtime);
  const diagrams = redactingPort(new D1DiagramStore(env.DB));
  const memory = new MemoryService(
    store,
    sessionState,
    runtime,
    { maxSessionDurationHours: Number.isFinite(maxHours) && maxHours > 0 ? maxHours : 24 },
    indexQueue,
    (project, memories) => code.staleness(project, memories),
    async (projectId, limit) => (await diagrams.list(projectId, limit)).map(architectureOverview),
  );
  const attachments = new AttachmentService(
    redactingPort(new D1AttachmentRecords(env.DB)),
    new R2BlobStore(env.SCREENSHOTS),
    httpsImageFetcher((input, init) => fetch(input, init)),
    runtime,
  );
  const vision = new VisionReader(llm, llmSettings, approvals);
  return {
    search,
    code,
    teams: new TeamService(new D1TeamStore(env.DB), runtime),
    webhooks: new D1WebhookStore(env.DB),
    attachments,
    vision,
    errorRecorder: new ErrorRecorder(memory, attachments, vision, PROMPTS.screenshotAnalysis, runtime),
    architecture: new ArchitectureService(diagrams, memory, attachments, vision, PROMPTS.diagramAnalysis, runtime),
    limitWrites: async (identity) => {
      const key = identity.credentialId ?? identity.userId;
      if (env.RATE_LIMITS !== "off" && env.WRITE_LIMITER && !(await env.WRITE_LIMITER.limit({ key })).success) {
        throw new AppError("rate_limited", "Too many writes with this credential; retry in a minute.", {
          details: { limit: "WRITE_LIMITER" },
        });
      }
    },
    githubLogs: env.GITHUB_API_TOKEN
      ? new GitHubActionsLogs(env.GITHUB_API_TOKEN, (input, init) => fetch(input, init))
      : null,
    memory,
    ciFailures: new CiFailureRecorder(memory, search),
    tokens: new D1TokenService(env.DB),
    runtime,
    embedder,
    vectors,
    indexer: new ErrorIndexer(store, embedder, vectors, indexQueue, runtime),
    llm,
    ledger,
    approvals,
    advisor: new SolutionAdvisor(store, search, llm, llmSettings, approvals, PROMPTS),
    preferences: new PreferenceExtractor(store, llm, llmSettings, approvals, PROMPTS.preferenceExtraction),
    compressor: new ContextCompressor(llm, llmSettings, approvals, PROMPTS.contextCompression),
    // Defaults are read lazily: a malformed value then fails the calls that need it, naming the variable.
    llmSettings,
    summaries: new SessionSummaries(
      store,
      llm,
      llmSettings,
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
  };
}

/** Vectorize when the binding exists (production); otherwise the local index, for `wrangler dev` and tests. */
export function vectorIndexFromEnv(env: Env): VectorIndex {
  // "indexed" metadata allows topK up to 100; it needs the metadata indexes made before any vector is inserted
  // (see wrangler.toml).
  return env.VECTORIZE ? new VectorizeIndex(env.VECTORIZE, { returnMetadata: "indexed" }) : localVectorIndex(env);
}

/** The vector index used when Vectorize is not bound. */
export function localVectorIndex(env: Env): VectorIndex {
  return new DurableObjectVectorIndex(env.PROJECT_VECTORS);
}

export const EMBEDDING_PROVIDERS = ["local", "workers-ai", "openai"] as const;
export const DEFAULT_WORKERS_AI_MODEL = "@cf/baai/bge-base-en-v1.5";
/** Output sizes of the Workers AI BGE models, so EMBEDDING_DIMENSIONS can be left out for them. */
const WORKERS_AI_DIMENSIONS: Record<string, number> = {
  "@cf/baai/bge-small-en-v1.5": 384,
  "@cf/baai/bge-base-en-v1.5": 768,
  "@cf/baai/bge-large-en-v1.5": 1024,
};

/** The embedder the configuration names; a misconfiguration is an AppError naming the variable to fix. */
export function embedderFromEnv(env: Env): Embedder {
  const provider = env.EMBEDDING_PROVIDER?.trim() || "local";
  switch (provider) {
    case "local": {
      const dimensions = optionalDimensions(env);
      return new HashingEmbedder(dimensions === undefined ? {} : { dimensions });
    }
    case "workers-ai": {
      if (!env.AI) {
        throw configError(
          "AI",
          'EMBEDDING_PROVIDER is "workers-ai" but the AI binding is missing: add `[ai] binding = "AI"` to wrangler.toml.',
        );
      }
      const model = env.EMBEDDING_MODEL?.trim() || DEFAULT_WORKERS_AI_MODEL;
      const dimensions = optionalDimensions(env) ?? WORKERS_AI_DIMENSIONS[model];
      if (dimensions === undefined) {
        throw configError(
          "EMBEDDING_DIMENSIONS",
          `EMBEDDING_DIMENSIONS is required for the Workers AI model ${model} (its vector length is not known here).`,
        );
      }
      return new WorkersAiEmbedder(env.AI, { model, dimensions });
    }
    case "openai": {
      const baseUrl = env.EMBEDDING_BASE_URL?.trim();
      if (!baseUrl) {
        throw configError(
          "EMBEDDING_BASE_URL",
          'EMBEDDING_BASE_URL is required when EMBEDDING_PROVIDER is "openai", e.g. https://api.openai.com/v1.',
        );
      }
      if (!/^https?:\/\//.test(baseUrl) || !URL.canParse(baseUrl)) {
        throw configError("EMBEDDING_BASE_URL", `EMBEDDING_BASE_URL must be an http(s) URL; got "${baseUrl}".`);
      }
      const model = env.EMBEDDING_MODEL?.trim();
      if (!model) {
        throw configError(
          "EMBEDDING_MODEL",
          'EMBEDDING_MODEL is required when EMBEDDING_PROVIDER is "openai", e.g. text-embedding-3-small.',
        );
      }
      const dimensions = optionalDimensions(env);
      if (dimensions === undefined) {
        throw configError(
          "EMBEDDING_DIMENSIONS",
          `EMBEDDING_DIMENSIONS is required when EMBEDDING_PROVIDER is "openai" (the vector length of ${model}).`,
        );
      }
      return new OpenAiCompatibleEmbedder({
        baseUrl,
        model,
        dimensions,
        ...(env.EMBEDDING_API_KEY ? { apiKey: env.EMBEDDING_API_KEY } : {}),
        fetch: (input, init) => fetch(input, init),
      });
    }
    default:
      throw configError(
        "EMBEDDING_PROVIDER",
        `EMBEDDING_PROVIDER "${provider}" is not one of ${EMBEDDING_PROVIDERS.join(", ")}.`,
      );
  }
}

/** EMBEDDING_MIN_SIMILARITY: the cosine a vector-only match must reach; calibrate it for a learned model. */
export function minSimilarityFromEnv(env: Env): number | undefined {
  const raw = env.EMBEDDING_MIN_SIMILARITY?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < -1 || value > 1) {
    throw configError(
      "EMBEDDING_MIN_SIMILARITY",
      `EMBEDDING_MIN_SIMILARITY must be a number from -1 to 1; got "${raw}".`,
    );
  }
  return value;
}

function optionalDimensions(env: Env): number | undefined {
  const raw = env.EMBEDDING_DIMENSIONS?.trim();
  if (!raw) return undefined;
  const dimensions = Number(raw);
  if (!Number.isInteger(dimensions) || dimensions < 1) {
    throw configError("EMBEDDING_DIMENSIONS", `EMBEDDING_DIMENSIONS must be a positive integer; got "${raw}".`);
  }
  return dimensions;
}

function configError(variable: string, message: string): AppError {
  return new AppError("internal", `Server misconfigured: ${message}`, { details: { variable } });
}

/**
 * Defers reading the embedding configuration until something needs the embedder. Services are built for every
 * request, and most requests (recording, listing) never embed; a misconfiguration then fails only the calls
 * that do, each time with the variable to fix, instead of every request.
 */
export class LazyEmbedder implements Embedder {
  private resolved: Embedder | undefined;
  private minSimilarityOverride: { value: number | undefined } | undefined;

  constructor(
    private readonly create: () => Embedder,
    /** A configured noise floor that replaces the model's own (see `Embedder.minSimilarity`). */
    private readonly readMinSimilarity?: () => number | undefined,
  ) {}

  private get target(): Embedder {
    this.resolved ??= this.create();
    return this.resolved;
  }
  get id(): string {
    return this.target.id;
  }
  get dimensions(): number {
    return this.target.dimensions;
  }
  get maxBatchSize(): number | undefined {
    return this.target.maxBatchSize;
  }
  get minSimilarity(): number | undefined {
    this.minSimilarityOverride ??= { value: this.readMinSimilarity?.() };
    return this.minSimilarityOverride.value ?? this.target.minSimilarity;
  }
  embed(texts: string[]): Promise<Float32Array[]> {
    return this.target.embed(texts);
  }
}

/** How OAuth sign-in is set up: upstream provider (GitHub wins over OIDC when both are set), sign-up, rate limit. */
export function oauthDepsFromEnv(env: Env): OAuthDeps {
  const fetcher = (input: string, init?: RequestInit) => fetch(input, init);
  let identityProvider: IdentityProvider | null = null;
  if (env.GITHUB_CLIENT_ID && env.GITHUB_CLIENT_SECRET) {
    identityProvider = new GitHubProvider(
      { clientId: env.GITHUB_CLIENT_ID, clientSecret: env.GITHUB_CLIENT_SECRET },
      fetcher,
    );
  } else if (
    env.OIDC_CLIENT_ID &&
    env.OIDC_CLIENT_SECRET &&
    env.OIDC_AUTHORIZATION_ENDPOINT &&
    env.OIDC_TOKEN_ENDPOINT &&
    env.OIDC_USERINFO_ENDPOINT
  ) {
    identityProvider = new OidcProvider(
      {
        label: env.OIDC_LABEL?.trim() || "single sign-on",
        clientId: env.OIDC_CLIENT_ID,
        clientSecret: env.OIDC_CLIENT_SECRET,
        authorizationEndpoint: env.OIDC_AUTHORIZATION_ENDPOINT,
        tokenEndpoint: env.OIDC_TOKEN_ENDPOINT,
        userinfoEndpoint: env.OIDC_USERINFO_ENDPOINT,
        issuer: env.OIDC_ISSUER,
      },
      fetcher,
    );
  }
  return {
    identityProvider,
    allowSignup: env.ALLOW_SIGNUP === "true",
    loginLimiter: env.LOGIN_LIMITER ?? null,
    addressLimiter: env.LOGIN_ADDRESS_LIMITER ?? null,
  };
}
