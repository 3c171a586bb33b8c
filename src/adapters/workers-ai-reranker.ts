import { AppError } from "../domain/core/app-error";
import type { Reranker } from "../domain/vectors/ports";

/**
 * The part of the Workers AI binding (`env.AI`) this adapter uses. `@cf/baai/bge-reranker-base` takes
 * `{ query, contexts: [{ text }], top_k? }` (query and every text at least one character) and answers
 * `{ response: [{ id, score }] }`, best score first, where `id` is the index of the context in the request
 * (developers.cloudflare.com/workers-ai/models/bge-reranker-base/).
 */
export interface WorkersAiRerankerBinding {
  run(
    model: string,
    input: { query: string; contexts: Array<{ text: string }>; top_k?: number },
  ): Promise<{ response?: Array<{ id?: number; score?: number }> }>;
}

export interface WorkersAiRerankerOptions {
  /** Defaults to `@cf/baai/bge-reranker-base`. */
  model?: string;
  /** Contexts per `run` call; default 50. */
  maxDocuments?: number;
  /**
   * What the model's `score` is. The model page says it "can be mapped to a float value in [0,1] by sigmoid
   * function", so by default it is read as a logit and mapped. Should a model answer probabilities already,
   * `probability` passes them through (clamped); a sigmoid over them would keep the order but squeeze every
   * score into [0.5, 0.73] and break any threshold.
   */
  scores?: "logit" | "probability";
}

export const DEFAULT_WORKERS_AI_RERANKER = "@cf/baai/bge-reranker-base";

/**
 * bge-reranker-base reads query and document as one pair of at most 512 tokens; text past that cannot change
 * the score. Cutting here keeps requests (and billed input tokens) bounded whatever the service does with the
 * excess, which its schema does not say. The start of an error text (message, top frames) carries its meaning,
 * so the end is what goes. About 3-4 characters a token: a 1,000-character query and 2,000-character documents
 * stay near the window without cutting what fits.
 */
const MAX_QUERY_CHARS = 1_000;
const MAX_DOCUMENT_CHARS = 2_000;
/** The service documents no limit on contexts; a few dozen, the top of a search, is what reranking is for. */
const DEFAULT_MAX_DOCUMENTS = 50;

const PROVIDER = "Workers AI";

export class WorkersAiReranker implements Reranker {
  readonly id: string;
  readonly maxDocuments: number;
  private readonly model: string;
  private readonly scores: "logit" | "probability";

  constructor(
    private readonly ai: WorkersAiRerankerBinding,
    options: WorkersAiRerankerOptions = {},
  ) {
    this.model = options.model ?? DEFAULT_WORKERS_AI_RERANKER;
    this.maxDocuments = Math.max(1, Math.floor(options.maxDocuments ?? DEFAULT_MAX_DOCUMENTS));
    this.scores = options.scores ?? "logit";
    this.id = `workers-ai:${this.model}`;
  }

  async rerank(query: string, documents: string[]): Promise<number[]> {
    const scores = documents.map(() => 0);
    const trimmedQuery = clip(query, MAX_QUERY_CHARS);
    // The schema rejects an empty query or context; with nothing to compare, relevance is 0 without a call.
    if (trimmedQuery === "") return scores;
    const positions: number[] = [];
    const texts: string[] = [];
    documents.forEach((document, position) => {
      const text = clip(document, MAX_DOCUMENT_CHARS);
      if (text === "") return;
      positions.push(position);
      texts.push(text);
    });
    for (let start = 0; start < texts.length; start += this.maxDocuments) {
      const batch = texts.slice(start, start + this.maxDocuments);
      const batchScores = await this.call(trimmedQuery, batch);
      batchScores.forEach((score, index) => {
        scores[positions[start + index] ?? 0] = score;
      });
    }
    return scores;
  }

  private async call(query: string, texts: string[]): Promise<number[]> {
    let output: unknown;
    try {
      output = await this.ai.run(this.model, {
        query,
        contexts: texts.map((text) => ({ text })),
        // Every context's score is wanted, not only the best few.
        top_k: texts.length,
      });
    } catch (cause) {
      throw new AppError("internal", `${PROVIDER} rerank call failed for ${this.model}.`, {
        details: { provider: PROVIDER, model: this.model },
        cause,
      });
    }
    return this.parse(output, texts.length);
  }

  /** The answer is sorted by score; `id` puts each score back at its context. */
  private parse(output: unknown, expected: number): number[] {
    const response = (output as { response?: unknown } | null)?.response;
    if (!Array.isArray(response) || response.length !== expected) {
      throw this.malformed(`expected ${expected} scores, got ${Array.isArray(response) ? response.length : "none"}`);
    }
    const scores: Array<number | undefined> = new Array<number | undefined>(expected).fill(undefined);
    for (const item of response as unknown[]) {
      const { id, score } = (item ?? {}) as { id?: unknown; score?: unknown };
      if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= expected) {
        throw this.malformed(`a result has id ${JSON.stringify(id)}, not a context index below ${expected}`);
      }
      if (scores[id] !== undefined) throw this.malformed(`context ${id} is scored twice`);
      if (typeof score !== "number" || !Number.isFinite(score)) {
        throw this.malformed(`context ${id} has a non-numeric score`);
      }
      scores[id] = this.scores === "logit" ? sigmoid(score) : Math.min(1, Math.max(0, score));
    }
    // `expected` results with distinct in-range ids cover every context.
    return scores.map((score) => score ?? 0);
  }

  private malformed(reason: string): AppError {
    return new AppError("internal", `${PROVIDER} returned malformed rerank scores for ${this.model}: ${reason}.`, {
      details: { provider: PROVIDER, model: this.model },
    });
  }
}

function clip(text: string, maxChars: number): string {
  const trimmed = text.trim();
  return trimmed.length <= maxChars ? trimmed : trimmed.slice(0, maxChars);
}

/** Written both ways so a large logit of either sign cannot overflow `exp`. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
