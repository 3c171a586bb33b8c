/**
 * The one path an on-demand LLM feature takes: run the request through the gateway, and when the gateway says
 * it needs the user's approval, hold it at the approval desk so coding_approve (or an elicitation answer) can
 * run it later. Features only build their request and read the answer.
 */
import type { z } from "zod";
import type { PendingApproval } from "./ports";
import type { ApprovalDesk } from "./approvals";
import type { CallContext, LlmGateway, LlmPolicy, LlmRunResult } from "./gateway";
import type { LlmRequest } from "./types";

export type Completed = Extract<LlmRunResult, { status: "completed" }>;

export type HeldRun =
  | { state: "ready"; result: Completed }
  | { state: "approval_required"; approval: PendingApproval }
  | { state: "skipped"; reason: string };

export const NO_MODEL = "no model configured (CODING_MEMORY_MODEL)";

export async function runOrHold(
  gateway: LlmGateway,
  approvals: ApprovalDesk,
  call: {
    context: CallContext;
    settings: LlmPolicy;
    request: Omit<LlmRequest, "model">;
    approved: boolean;
    /** What a held approval needs to run the operation again (`operation` is what coding_approve dispatches on). */
    hold: Pick<PendingApproval, "operation" | "subjectId" | "input">;
  },
): Promise<HeldRun> {
  const result = await gateway.run(call.context, call.settings, call.request, { approved: call.approved });
  if (result.status === "no_model") return { state: "skipped", reason: NO_MODEL };
  if (result.status === "approval_required") {
    const approval = await approvals.hold(
      { projectId: call.context.projectId, userId: call.context.userId, ...call.hold },
      result.estimate,
    );
    return { state: "approval_required", approval };
  }
  return { state: "ready", result };
}

/** A model's JSON answer (also inside a ```json fence) checked against `schema`; null when it is not one. */
export function parseJsonAnswer<T>(text: string, schema: z.ZodType<T>): T | null {
  const match = /\{[\s\S]*\}/.exec(text);
  if (!match) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(match[0]));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

// Models write "null" as text, pad with spaces or change case now and then: read their fields leniently.

/** A text field of a model's answer, trimmed and capped; null for anything else, empty or "null". */
export function answerText(value: unknown, max: number): string | null {
  return typeof value === "string" && value.trim() && value.trim().toLowerCase() !== "null"
    ? value.trim().slice(0, max)
    : null;
}

/** One of `values`, matched case-insensitively; null for anything else. */
export function answerChoice<T extends string>(values: readonly T[], value: unknown): T | null {
  const wanted = typeof value === "string" ? value.trim().toLowerCase() : null;
  return values.find((candidate) => candidate === wanted) ?? null;
}
