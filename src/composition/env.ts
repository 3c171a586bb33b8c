import type { VectorShardNamespace } from "../adapters/durable-object-vector-index";
import type { SessionSlotNamespace } from "../adapters/durable-session-store";
import type { VectorizeBinding } from "../adapters/vectorize-index";
import type { WorkersAiTextBinding } from "../adapters/llm/workers-ai";
import type { WorkersAiBinding } from "../adapters/workers-ai-embedder";
import type { WorkersAiRerankerBinding } from "../adapters/workers-ai-reranker";
import type { IndexJob } from "../domain/errors/ports";
import type { SummaryJob } from "../domain/llm/ports";

/** Bindings and vars from wrangler.toml. Only the composition root (src/composition/services.ts) and the edges read them. */
export interface Env {
  DB: D1Database;
  /**
   * Typed by the RPC interfaces the adapters declare (the classes, exported by src/index.ts, implement them), so
   * the bindings do not name the Durable Object classes and their imports.
   */
  PROJECT_SESSION: SessionSlotNamespace;
  /** Local vector index, one object per project (DurableObjectVectorIndex). */
  PROJECT_VECTORS: VectorShardNamespace;
  MAX_SESSION_DURATION_HOURS?: string;

  /** Producer for vector indexing jobs; the same Worker consumes them (see `queue()` in src/index.ts). */
  ERROR_INDEX_QUEUE: Queue<IndexJob>;
  /** Producer for AI session summaries; the same Worker consumes them. */
  SUMMARY_QUEUE: Queue<SummaryJob>;
  /** How long coding_end_session waits for the AI summary before answering "pending" (default 3000). */
  CODING_MEMORY_SUMMARY_WAIT_MS?: string;

  /** `local` (default: offline hashing embedder) | `workers-ai` | `openai` (any OpenAI-compatible endpoint). */
  EMBEDDING_PROVIDER?: string;
  /** workers-ai: defaults to `@cf/baai/bge-base-en-v1.5`; openai: required. */
  EMBEDDING_MODEL?: string;
  /** Vector length. local: default 384; workers-ai: known for BGE models, else required; openai: required. */
  EMBEDDING_DIMENSIONS?: string;
  /**
   * Cosine a match found only by its vector must reach (default: the model's own, 0.2 for `local`, else 0).
   * Learned models give unrelated texts a baseline similarity; measure it on your errors and set it here.
   */
  EMBEDDING_MIN_SIMILARITY?: string;
  /** openai: the endpoint's base, e.g. `https://api.openai.com/v1` (`/embeddings` is appended). */
  EMBEDDING_BASE_URL?: string;
  /** openai: bearer token; a secret (`wrangler secret put EMBEDDING_API_KEY`), optional for local servers. */
  EMBEDDING_API_KEY?: string;
  /**
   * `off` (default: search order stands) | `workers-ai` (a cross-encoder rescores the top few dozen matches; needs
   * the AI binding).
   */
  RERANKER_PROVIDER?: string;
  /** workers-ai: defaults to `@cf/baai/bge-reranker-base`. */
  RERANKER_MODEL?: string;
  /** Workers AI binding, for EMBEDDING_PROVIDER / RERANKER_PROVIDER=workers-ai and `@cf/…` language models. */
  AI?: WorkersAiBinding & WorkersAiTextBinding & WorkersAiRerankerBinding;
  /** Vectorize index; when bound it replaces the local vector index. */
  VECTORIZE?: VectorizeBinding;

  /** LLM work (README, "LLM providers and costs"). Unset: no model; every feature uses its fallback. */
  CODING_MEMORY_MODEL?: string;
  CODING_MEMORY_VISION_MODEL?: string;
  CODING_MEMORY_AUTO_APPROVE?: string;
  /** Default true: ending a session without a summary asks the model for one (queued). */
  CODING_MEMORY_AUTO_SUMMARIZE_ON_END?: string;
  /** USD; estimates above it need approval unless auto-approve is on (default 0.10). */
  CODING_MEMORY_COST_THRESHOLD?: string;
  /** USD per month and project; unset = no budget. */
  CODING_MEMORY_MAX_MONTHLY_BUDGET_USD?: string;
  CODING_MEMORY_WARN_AT_PERCENTAGE?: string;
  CODING_MEMORY_LLM_TIMEOUT_MS?: string;
  /** OpenAI-compatible server for `ollama/…`, `lmstudio/…`, `local/…` models, e.g. http://localhost:11434/v1. */
  CODING_MEMORY_BASE_URL?: string;
  CODING_MEMORY_BASE_URL_API_KEY?: string;
  /** Screenshots and other images attached to errors. */
  SCREENSHOTS: R2Bucket;
  /** OAuth (src/auth/oauth.ts): grants, tokens and clients of @cloudflare/workers-oauth-provider. */
  OAUTH_KV: KVNamespace;
  /** The server's public origin, e.g. https://memory.example.com (default: the request's origin). */
  PUBLIC_URL?: string;
  /** More host names (or host:port) served besides PUBLIC_URL's or loopback, comma-separated (src/http/hosts.ts). */
  ALLOWED_HOSTS?: string;
  /** "true": the sign-in page can create built-in accounts (default false; local dev sets it in .dev.vars). */
  ALLOW_SIGNUP?: string;
  /** Sign-in attempts per user and address (Workers rate limiting binding). */
  LOGIN_LIMITER?: RateLimit;
  /** Password attempts (sign-in, sign-up, linking) per address, whatever the user name (rate limiting binding). */
  LOGIN_ADDRESS_LIMITER?: RateLimit;
  /** "off" disables the write and webhook limits (benches that load data faster than any client would). */
  RATE_LIMITS?: string;
  /** Webhook deliveries per project (Workers rate limiting binding). */
  WEBHOOK_LIMITER?: RateLimit;
  /** Writes (memory:write tools and bulk routes) per credential (Workers rate limiting binding). */
  WRITE_LIMITER?: RateLimit;
  /** Token for the GitHub REST API, to fetch failed job logs of workflow_run/check_run webhooks (secret). */
  GITHUB_API_TOKEN?: string;
  /** Upstream sign-in with GitHub (an OAuth app's id; the secret with `wrangler secret put`). */
  GITHUB_CLIENT_ID?: string;
  GITHUB_CLIENT_SECRET?: string;
  /** Upstream sign-in with any OpenID Connect provider, by its endpoints. */
  OIDC_LABEL?: string;
  OIDC_CLIENT_ID?: string;
  OIDC_CLIENT_SECRET?: string;
  OIDC_AUTHORIZATION_ENDPOINT?: string;
  OIDC_TOKEN_ENDPOINT?: string;
  OIDC_USERINFO_ENDPOINT?: string;
  /** The OIDC provider's issuer; the ID token's `iss` must match, and identities are keyed by it. */
  OIDC_ISSUER?: string;
  /** Secrets. */
  OPENAI_API_KEY?: string;
  ANTHROPIC_API_KEY?: string;
  GEMINI_API_KEY?: string;
}
