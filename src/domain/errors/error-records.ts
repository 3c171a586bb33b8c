/**
 * Recording errors: one record per fingerprint per project, each recurrence counted on it, secrets removed
 * before the fingerprint is taken, and vectors built off the request path (the index queue).
 */
import { AppError } from "../core/app-error";
import { utcDay } from "../core/encoding";
import { LIMITS, truncateMiddle } from "../core/limits";
import type { NewRecord, PageRequest, Runtime } from "../core/ports";
import type { ErrorRecord, Identity, Page, Project } from "../core/records";
import { Redactor } from "../core/redactor";
import { indexJobs } from "./indexing";
import { errorFingerprint, lexicalTerms } from "./normalize";
import type { ErrorStore, IndexQueue, WebhookDelivery } from "./ports";

export interface RecordErrorInput {
  errorType: string;
  message: string;
  stackTrace: string | null;
  filePath: string | null;
  lineNumber: number | null;
  solution: string | null;
  tags: string[];
  /** Set for failures reported by CI: the commit and job they came from. */
  ci?: { commit: string | null; job: string | null };
  /**
   * Text found with the error that it should be findable by but that is not part of its identity (a screenshot's
   * visible code and suspected root cause): searched, never fingerprinted.
   */
  searchContext?: string | null;
}

export class ErrorRecords {
  constructor(
    private readonly store: ErrorStore,
    private readonly runtime: Runtime,
    private readonly indexQueue: IndexQueue,
  ) {}

  async recordError(identity: Identity, project: Project, input: RecordErrorInput) {
    const redactor = new Redactor();
    const { candidate, stack, solution } = await this.errorCandidate(identity, project, input, redactor);
    const { error, inserted, sessionId } = await this.store.upsertError(candidate, {
      occurredIn: this.runtime.newId(),
      resolvedIn: this.runtime.newId(),
    });
    // A recurrence never changes the embedded text; one that brings a solution changes the vector's metadata.
    if (inserted || solution !== null) await this.queueIndexing(project.id, error.id);
    // The fix this project already knows, when the caller did not bring one.
    const knownSolution = !inserted && solution === null && error.resolved ? error.solution : null;
    return {
      error,
      recurring: !inserted,
      knownSolution,
      sessionId,
      stackTraceTruncated: stack?.truncated ?? false,
      redactions: redactor.redactions,
    };
  }

  async resolveError(identity: Identity, project: Project, errorId: string, solutionText: string) {
    const existing = await this.store.getError(project.id, errorId);
    if (!existing) {
      throw new AppError("not_found", `error_id: error ${errorId} not found in project ${project.slug}.`, {
        details: { field: "error_id" },
      });
    }
    const redactor = new Redactor();
    const solution = redactor.clean("solution", solutionText);
    const { error, sessionId } = await this.store.resolveError(errorId, solution, this.runtime.now(), {
      userId: identity.userId,
      resolvedInLinkId: this.runtime.newId(),
    });
    // The vector's metadata carries `resolved`, which search filters on.
    if (!existing.resolved) await this.queueIndexing(project.id, error.id);
    return { error, wasResolved: existing.resolved, sessionId, redactions: redactor.redactions };
  }

  /**
   * A person correcting what the memory says about an error (the dashboard): replace or clear its solution, mark
   * it resolved or open again. Resolved needs a solution, the one given or the one it has, because a resolved
   * error is what "seen this before?" answers with. Secrets are removed from the solution as from any record.
   */
  async curateError(
    project: Project,
    errorId: string,
    change: { solution?: string | null; resolved?: boolean },
  ): Promise<{ error: ErrorRecord; redactions: Redactor["redactions"] }> {
    const existing = await this.store.getError(project.id, errorId);
    if (!existing) {
      throw new AppError("not_found", `error_id: error ${errorId} not found in project ${project.slug}.`, {
        details: { field: "error_id" },
      });
    }
    const redactor = new Redactor();
    const given = change.solution === undefined ? existing.solution : change.solution?.trim() || null;
    const solution = given === null ? null : redactor.clean("solution", given);
    const resolved = change.resolved ?? (existing.resolved && solution !== null);
    if (resolved && solution === null) {
      throw new AppError("invalid_input", "solution: a resolved error needs its solution; give one, or mark it open.", {
        details: { field: "solution" },
      });
    }
    const resolvedAt = resolved ? (existing.resolved ? existing.resolvedAt : this.runtime.now()) : null;
    const error = await this.store.curateError(project.id, errorId, { solution, resolved, resolvedAt });
    if (!error) throw new AppError("not_found", `error_id: error ${errorId} not found in project ${project.slug}.`);
    // The vector's metadata carries `resolved`, which search filters on.
    if (error.resolved !== existing.resolved) await this.queueIndexing(project.id, error.id);
    return { error, redactions: redactor.redactions };
  }

  /**
   * Fills the fields of a recorded error that are still empty (file, line, stack trace) and adds text it should
   * be found by, e.g. once a held screenshot analysis has run. Its fingerprint stays the one it was recorded
   * with, so later occurrences keep counting on this record.
   */
  async fillErrorDetails(
    project: Project,
    errorId: string,
    details: { filePath: string | null; lineNumber: number | null; stackTrace: string | null; context: string | null },
  ): Promise<{ error: ErrorRecord; filled: Array<"file_path" | "line_number" | "stack_trace"> }> {
    const existing = await this.store.getError(project.id, errorId);
    if (!existing) throw new AppError("not_found", `error ${errorId} not found in project ${project.slug}.`);
    const redactor = new Redactor();
    details = redactor.record(details);
    const filled: Array<"file_path" | "line_number" | "stack_trace"> = [];
    const filePath = existing.filePath ?? details.filePath;
    if (filePath !== existing.filePath) filled.push("file_path");
    const lineNumber = existing.lineNumber ?? details.lineNumber;
    if (lineNumber !== existing.lineNumber) filled.push("line_number");
    const stack =
      existing.stackTrace === null && details.stackTrace
        ? truncateMiddle(redactor.clean("stack_trace", details.stackTrace), LIMITS.stackTraceChars)
        : null;
    if (stack) filled.push("stack_trace");
    const context = redactor.clean("screenshot_analysis", details.context);
    const searchTerms = errorSearchTerms({
      errorType: existing.errorType,
      message: existing.message,
      filePath,
      stackTrace: stack?.text ?? existing.stackTrace,
      tags: existing.tags,
      // Terms the record was found by before (e.g. an earlier screenshot's) stay findable.
      context: [existing.searchTerms, context ?? ""].join("\n"),
    });
    const error = await this.store.updateErrorDetails(project.id, errorId, {
      filePath,
      lineNumber,
      stackTrace: stack?.text ?? existing.stackTrace,
      stackTraceTruncated: stack ? stack.truncated : existing.stackTraceTruncated,
      searchTerms,
    });
    // The embedded text includes the stack trace and file.
    if (filled.length) await this.queueIndexing(project.id, errorId);
    return { error, filled };
  }

  /**
   * Records many errors at once (an import of history, a CI run): one atomic batch, recurrences counted, vectors
   * queued in one send. Unlike `recordError` it links nothing to the caller's session and suggests nothing.
   */
  async importErrors(
    identity: Identity,
    project: Project,
    inputs: RecordErrorInput[],
    options: {
      delivery?: Omit<WebhookDelivery, "projectId" | "receivedAt" | "errorsRecorded">;
      /** Link each error to the author's active session, as recording one does (failures the author ran into). */
      linkToSession?: boolean;
    } = {},
  ) {
    const redactor = new Redactor();
    const candidates: Array<NewRecord<ErrorRecord>> = [];
    for (const input of inputs)
      candidates.push((await this.errorCandidate(identity, project, input, redactor)).candidate);
    const results = await this.store.upsertErrors(candidates, {
      ...(options.delivery
        ? {
            delivery: {
              ...options.delivery,
              projectId: project.id,
              receivedAt: this.runtime.now(),
              errorsRecorded: candidates.length,
            },
          }
        : {}),
      ...(options.linkToSession ? { occurredInLinkIds: candidates.map(() => this.runtime.newId()) } : {}),
    });
    const toIndex = [
      ...new Set(results.filter((r, i) => r.inserted || candidates[i]?.solution).map((r) => r.error.id)),
    ];
    try {
      await this.indexQueue.enqueue(indexJobs(project.id, toIndex, this.runtime.now()));
    } catch (error) {
      console.error(`could not queue vector indexing of ${toIndex.length} imported errors; a re-index will`, error);
    }
    return { results, redactions: redactor.redactions };
  }

  /** Sightings of an error per UTC day over the last `days` days up to today, oldest first. */
  recentSightings(project: Project, errorId: string, days: number) {
    return this.store.occurrenceDays(project.id, errorId, utcDay(this.runtime.now()) - days + 1);
  }

  getError(project: Project, errorId: string): Promise<ErrorRecord | null> {
    return this.store.getError(project.id, errorId);
  }

  listErrors(project: Project, page: PageRequest & { resolved?: boolean }): Promise<Page<ErrorRecord>> {
    return this.store.listErrors(project.id, page);
  }

  /**
   * Vectors are built off the request path. The record is already stored when this runs, so a queue failure
   * must not fail the call: the error stays pending (search scores it lexically) until a re-index queues it.
   */
  private async queueIndexing(projectId: string, errorId: string): Promise<void> {
    try {
      await this.indexQueue.enqueue(indexJobs(projectId, [errorId], this.runtime.now()));
    } catch (error) {
      console.error(`could not queue vector indexing of error ${errorId}; it stays pending until a re-index`, error);
    }
  }

  private async errorCandidate(identity: Identity, project: Project, input: RecordErrorInput, redactor: Redactor) {
    // Before the fingerprint, so that a secret in the type or path never shapes a stored hash.
    input = redactor.record(input);
    const now = this.runtime.now();
    const message = redactor.clean("message", input.message);
    const stack =
      input.stackTrace === null
        ? null
        : truncateMiddle(redactor.clean("stack_trace", input.stackTrace), LIMITS.stackTraceChars);
    const solution = redactor.clean("solution", input.solution);
    const searchContext = redactor.clean("screenshot_analysis", input.searchContext);
    const fingerprint = await this.runtime.sha256Hex(
      errorFingerprint({ errorType: input.errorType, message, stackTrace: stack?.text ?? null }),
    );
    const candidate: NewRecord<ErrorRecord> = {
      id: this.runtime.newId(),
      projectId: project.id,
      userId: identity.userId,
      errorType: input.errorType,
      message,
      stackTrace: stack?.text ?? null,
      stackTraceTruncated: stack?.truncated ?? false,
      filePath: input.filePath,
      lineNumber: input.lineNumber,
      solution,
      resolved: solution !== null,
      occurrences: 1,
      fingerprint,
      searchTerms: errorSearchTerms({
        errorType: input.errorType,
        message,
        filePath: input.filePath,
        stackTrace: stack?.text ?? null,
        tags: input.tags,
        context: searchContext,
      }),
      tags: input.tags,
      firstSeen: now,
      lastSeen: now,
      resolvedAt: solution ? now : null,
      createdAt: now,
      vectorModel: null,
      vectorIndexedAt: null,
      source: input.ci ? "ci" : "user",
      lastCommit: input.ci?.commit ?? null,
      lastCiJob: input.ci?.job ?? null,
    };
    return { candidate, stack, solution };
  }
}

/** The terms an error is found by lexically: its own text, tags, and any searchable context found with it. */
function errorSearchTerms(fields: {
  errorType: string;
  message: string;
  filePath: string | null;
  stackTrace: string | null;
  tags: string[];
  context: string | null;
}): string {
  return lexicalTerms(
    [
      fields.errorType,
      fields.message,
      fields.filePath ?? "",
      fields.stackTrace ?? "",
      fields.tags.join(" "),
      fields.context ?? "",
    ].join("\n"),
  ).join(" ");
}
