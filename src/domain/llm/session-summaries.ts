/**
 * AI session summaries, off the request path. Ending a session stores the deterministic digest at once; if the
 * project has a model and auto-summarize is on, a summary job is queued (or, when its estimate needs approval,
 * held for the user's decision). The consumer asks the model through the gateway and replaces the digest; the
 * end-session call waits briefly for that and otherwise answers "summary pending".
 */
import { plural } from "../core/plural";
import { AppError } from "../core/app-error";
import type { SessionStore } from "../sessions/ports";
import type { PendingApproval, SummaryJob, SummaryQueue } from "./ports";
import type { Runtime } from "../core/ports";
import type { ApprovalDesk } from "./approvals";
import type { CodingSession } from "../core/records";
import { needsApproval, type BudgetState, type LlmGateway } from "./gateway";
import { NO_MODEL } from "./held-run";
import { sessionSummaryRequest } from "./session-summary-input";
import type { LlmSettingsService } from "./settings";

export type SummaryStatus =
  | { state: "ready"; summary: string; source: "llm" | "user" }
  | { state: "pending"; reason: string }
  | { state: "approval_required"; approval: PendingApproval; budget: BudgetState | null }
  | { state: "skipped"; reason: string }
  /** The summary can never be written as things stand (no API key, the provider refused it): the digest stays. */
  | { state: "failed"; reason: string };

/** Provider answers that another attempt cannot change: bad request, bad key, no access, no such model. */
const PERMANENT_STATUSES = new Set([400, 401, 403, 404, 422]);

/**
 * Why a failed summary call will fail again however often it is retried, or null when a retry may succeed
 * (rate limits, outages, timeouts).
 */
export function permanentFailure(error: unknown): string | null {
  if (!(error instanceof AppError) || error.code !== "unavailable") return null;
  if (error.details?.configuration === true) return error.message;
  const status = error.details?.status;
  return typeof status === "number" && PERMANENT_STATUSES.has(status) ? error.message : null;
}

export interface SummaryServiceOptions {
  /** How long coding_end_session waits for the model before answering "pending". */
  waitMs: number;
  pollMs: number;
  sleep: (ms: number) => Promise<void>;
}

export class SessionSummaries {
  constructor(
    private readonly store: Pick<
      SessionStore,
      "getSession" | "sessionActivity" | "saveModelSummary" | "markSummaryFailed"
    >,
    private readonly gateway: LlmGateway,
    private readonly settings: LlmSettingsService,
    private readonly approvals: ApprovalDesk,
    private readonly queue: SummaryQueue,
    private readonly systemPrompt: string,
    private readonly runtime: Pick<Runtime, "now" | "newId">,
    private readonly options: SummaryServiceOptions,
  ) {}

  /** After a session ended with the digest: queue, hold for approval, or say why no model summary comes. */
  async afterSessionEnd(session: CodingSession): Promise<SummaryStatus> {
    if (session.summarySource !== "digest") return { state: "skipped", reason: "the session has your summary" };
    const settings = await this.settings.effective(session.projectId);
    if (!settings.model) return { state: "skipped", reason: `${NO_MODEL}; the digest is the summary` };
    if (!settings.autoSummarizeOnEnd) return { state: "skipped", reason: "auto_summarize_on_end is off" };
    // A summary that cannot reach a provider (no key, no binding) is not queued to fail: it fails here, visibly.
    const misconfigured = this.gateway.configurationError(settings);
    if (misconfigured) {
      await this.store.markSummaryFailed(session.projectId, session.id, misconfigured);
      return { state: "failed", reason: misconfigured };
    }
    const estimate = this.gateway.estimate(settings, await this.request(session));
    if (estimate && needsApproval(settings, estimate)) {
      const approval = await this.approvals.hold(
        {
          operation: "session_summary",
          projectId: session.projectId,
          userId: session.userId,
          subjectId: session.id,
          input: null,
        },
        estimate,
      );
      return { state: "approval_required", approval, budget: null };
    }
    return this.queueAndWait(session, false);
  }

  /** The user approved a held summary: queue it as approved and wait briefly for it. */
  async runApproved(approval: PendingApproval): Promise<SummaryStatus> {
    const session = await this.store.getSession(approval.projectId, approval.subjectId);
    if (!session) throw new AppError("not_found", `The session of approval ${approval.id} no longer exists.`);
    return this.queueAndWait(session, true);
  }

  /**
   * The queue consumer's work. Idempotent: a session that already has a model (or user) summary is left alone.
   * Throws on provider failures a retry may cure, so the queue retries; a budget refusal or a policy that now
   * needs approval is final (the digest stays) and returns the reason; a configuration error or a request the
   * provider refuses for good is final too, recorded on the session (`summary_error`) and returned.
   */
  async run(job: SummaryJob): Promise<"written" | "exists" | string> {
    const session = await this.store.getSession(job.projectId, job.sessionId);
    if (!session || session.summarySource !== "digest") return "exists";
    const settings = await this.settings.effective(job.projectId);
    try {
      const result = await this.gateway.run(
        { projectId: job.projectId, userId: job.userId, sessionId: job.sessionId, operation: "session_summary" },
        settings,
        await this.request(session),
        { approved: job.approved },
      );
      if (result.status === "no_model") return "no model configured";
      if (result.status === "approval_required") return "needs approval under the current settings";
      const summary = result.text.trim();
      if (!summary) throw new AppError("unavailable", "The model returned an empty summary.");
      return (await this.store.saveModelSummary(job.projectId, job.sessionId, summary)) ? "written" : "exists";
    } catch (error) {
      if (error instanceof AppError && error.code === "budget_exceeded") return error.message;
      const permanent = permanentFailure(error);
      if (permanent === null) throw error;
      await this.store.markSummaryFailed(job.projectId, job.sessionId, permanent);
      return permanent;
    }
  }

  /** Every retry failed (the job was dead-lettered): the session says so instead of staying "pending". */
  async giveUp(job: SummaryJob, attempts: number): Promise<void> {
    await this.store.markSummaryFailed(
      job.projectId,
      job.sessionId,
      `The AI summary failed ${plural(attempts, "time")} (provider unavailable); the session keeps its digest.`,
    );
  }

  private async request(session: CodingSession) {
    const activity = await this.store.sessionActivity(session.projectId, session.id);
    return sessionSummaryRequest(this.systemPrompt, session, activity);
  }

  private async queueAndWait(session: CodingSession, approved: boolean): Promise<SummaryStatus> {
    await this.queue.enqueue({
      kind: "session_summary",
      projectId: session.projectId,
      sessionId: session.id,
      userId: session.userId,
      approved,
      requestedAt: this.runtime.now(),
    });
    const deadline = this.runtime.now() + this.options.waitMs;
    while (this.runtime.now() < deadline) {
      await this.options.sleep(this.options.pollMs);
      const current = await this.store.getSession(session.projectId, session.id);
      if (current?.summarySource === "llm" && current.summary) {
        return { state: "ready", summary: current.summary, source: "llm" };
      }
      if (current?.summaryError) return { state: "failed", reason: current.summaryError };
    }
    return { state: "pending", reason: "the model is still writing the summary; fetch it with coding_get_session" };
  }
}
