import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import type { CostLedger, CostReport, CostTotals, LlmCallRecord } from "../../domain/llm/types";
import * as schema from "./schema";

const { llmCalls } = schema;

/** `CostLedger` on D1 (table llm_calls, migration 0006). */
export class D1CostLedger implements CostLedger {
  private readonly db: DrizzleD1Database<typeof schema>;

  constructor(d1: D1Database) {
    this.db = drizzle(d1, { schema });
  }

  async reserve(call: LlmCallRecord, limitNanoUsd: number | null): Promise<boolean> {
    // One INSERT … SELECT … WHERE: D1 runs statements one at a time, so the sum and the insert cannot be split
    // by another reservation.
    const c = call;
    const result = await this.db.run(sql`
      INSERT INTO llm_calls (id, project_id, user_id, session_id, operation, provider, model, input_tokens,
        cached_input_tokens, output_tokens, estimated_nano_usd, nano_usd, latency_ms, outcome, error, month, created_at)
      SELECT ${c.id}, ${c.projectId}, ${c.userId}, ${c.sessionId}, ${c.operation}, ${c.provider}, ${c.model},
        ${c.inputTokens}, ${c.cachedInputTokens}, ${c.outputTokens}, ${c.estimatedNanoUsd}, ${c.nanoUsd},
        ${c.latencyMs}, ${c.outcome}, ${c.error}, ${c.month}, ${c.createdAt}
      WHERE ${limitNanoUsd} IS NULL OR (
        SELECT coalesce(sum(nano_usd), 0) FROM llm_calls WHERE project_id = ${c.projectId} AND month = ${c.month}
      ) + ${c.nanoUsd} <= ${limitNanoUsd}`);
    return (result.meta.changes ?? 0) > 0;
  }

  async settle(id: string, actual: Parameters<CostLedger["settle"]>[1]): Promise<void> {
    await this.db.update(llmCalls).set(actual).where(eq(llmCalls.id, id)).run();
  }

  async note(call: LlmCallRecord): Promise<void> {
    await this.db
      .insert(llmCalls)
      .values({ ...call, nanoUsd: 0 })
      .run();
  }

  async monthSpend(projectId: string, month: string): Promise<number> {
    const row = await this.db
      .select({ total: sql<number>`coalesce(sum(${llmCalls.nanoUsd}), 0)` })
      .from(llmCalls)
      .where(and(eq(llmCalls.projectId, projectId), eq(llmCalls.month, month)))
      .get();
    return row?.total ?? 0;
  }

  async report(projectId: string, options: { month: string | null; limit: number }): Promise<CostReport> {
    const where = and(
      eq(llmCalls.projectId, projectId),
      options.month === null ? undefined : eq(llmCalls.month, options.month),
    );
    const totals = {
      nanoUsd: sql<number>`coalesce(sum(${llmCalls.nanoUsd}), 0)`,
      inputTokens: sql<number>`coalesce(sum(${llmCalls.inputTokens}), 0)`,
      cachedInputTokens: sql<number>`coalesce(sum(${llmCalls.cachedInputTokens}), 0)`,
      outputTokens: sql<number>`coalesce(sum(${llmCalls.outputTokens}), 0)`,
      // Calls actually made; refused and held ones are listed but not counted.
      calls: sql<number>`count(*) FILTER (WHERE ${llmCalls.outcome} IN ('ok', 'error'))`,
    };
    const grouped = (key: SQL<string>) =>
      this.db
        .select({ key, ...totals })
        .from(llmCalls)
        .where(where)
        .groupBy(key)
        .orderBy(desc(sql`2`));
    const [all, byModel, byOperation, byMonth, calls] = await this.db.batch([
      this.db.select(totals).from(llmCalls).where(where),
      grouped(sql<string>`${llmCalls.provider} || '/' || ${llmCalls.model}`),
      grouped(sql<string>`${llmCalls.operation}`),
      grouped(sql<string>`${llmCalls.month}`),
      this.db
        .select()
        .from(llmCalls)
        .where(where)
        .orderBy(desc(llmCalls.createdAt), desc(llmCalls.id))
        .limit(options.limit),
    ]);
    const empty: CostTotals = { nanoUsd: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, calls: 0 };
    return { totals: all[0] ?? empty, byModel, byOperation, byMonth, calls };
  }
}
