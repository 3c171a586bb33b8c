import type { Access } from "./core/access";
import { implementationStatus, type ImplementationStatus } from "./decisions/decision-progress";
import { AppError } from "./core/app-error";
import { buildProjectContext, CONTEXT_DIAGRAMS, type ProjectContext } from "./context/context";
import { buildSessionDigest } from "./sessions/digest";
import { errorFingerprint, lexicalTerms } from "./errors/normalize";
import { LIMITS, truncateMiddle } from "./core/limits";
import { analyzePatterns, type PatternReport } from "./context/change-statistics";
import { indexJobs } from "./errors/indexing";
import type {
  ActiveSession,
  IndexQueue,
  MemoryStore,
  NewRecord,
  PageRequest,
  Runtime,
  SessionStateStore,
  StaleFile,
  StalenessSource,
  ArchitectureSource,
  WebhookDelivery,
  GraphEdge,
  GraphEdgeQuery,
} from "./ports";
import type {
  CodingSession,
  Decision,
  ErrorRecord,
  FileChange,
  Identity,
  Link,
  Page,
  Project,
  ProjectAccess,
} from "./core/records";
import { projectNotFound, ProjectResolver } from "./projects/project-ref";
import { redactFields } from "./core/redact-fields";
import { redactSecrets } from "./core/redaction";

export interface MemoryConfig {
  maxSessionDurationHours: number;
}

export interface Redaction {
  field: string;
  kind: string;
  count: number;
}

/** Secrets are removed before anything is stored; the caller is told which fields were touched. */
class Redactor {
  readonly redactions: Redaction[] = [];
  clean(field: string, text: string): string;
  clean(field: string, text: string | null | undefined): string | null;
  clean(field: string, text: string | null | undefined): string | null {
    if (text === null || text === undefined) return null;
    const result = redactSecrets(text);
    for (const r of result.redactions) this.redactions.push({ field, kind: r.kind, count: r.count });
    return result.text;
  }
  cleanList(field: string, items: string[]): string[] {
    return items.map((item) => this.clean(field, item));
  }
  /** Every text field of a tool's input (tags, paths, types… as well as the prose), so none is forgotten. */
  record<T extends object>(input: T): T {
    return redactFields(input, (field, r) =>
      this.redactions.push({
        field: field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
        kind: r.kind,
        count: r.count,
      }),
    );
  }
}

export interface StartSessionInput {
  description: string;
  tags: string[];
}
export interface EndSessionInput {
  summary: string | null;
  success: boolean | null;
}
export interface TrackChangeInput {
  filePath: string;
  action: string;
  diff: string | null;
  reason: string;
  relatedFiles: string[];
  lineRange: string | null;
  implementsDecisionId: string | null;
}
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
export interface RecordDecisionInput {
  decision: string;
  rationale: string;
  alternatives: string[];
  impact: string | null;
  tags: string[];
  relatedFiles: string[];
  confidence: number;
}

/**
 * How long a won session slot belongs to its start before the D1 row must have confirmed it. Far above a D1
 * write; after it, a slot without a row is a start that crashed between the two phases.
 */
export const START_LEASE_MS = 30_000;

/**
 * The use cases behind the tools. It talks only to ports, so it runs the same against D1 + Durable Objects
 * in the Worker and against anything else that honours the port contracts.
 */
export class MemoryService {
  constructor(
    private readonly store: MemoryStore,
    private readonly sessions: SessionStateStore,
    private readonly runtime: Runtime,
    private readonly config: MemoryConfig,
    private readonly indexQueue: IndexQueue,
    private readonly staleness: StalenessSource = async () => new Map(),
    private readonly architecture: ArchitectureSource = async () => [],
  ) {}

  /** The project a call is about, if the caller may do `mode` there (see ProjectResolver: the one check). */
  async resolveProject(
    identity: Identity,
    slug: string,
    mode: Access,
    options: { create?: boolean } = {},
  ): Promise<Project> {
    return (await this.resolveProjectAccess(identity, slug, mode, options)).project;
  }

  /** resolveProject with the owning team and the caller's role there, for account routes about a project. */
  resolveProjectAccess(
    identity: Identity,
    slug: string,
    mode: Access,
    options: { create?: boolean } = {},
  ): Promise<ProjectAccess> {
    return new ProjectResolver(this.store, this.runtime).resolve(identity, slug, mode, options.create !== false);
  }

  /** The team that owns a project the caller already resolved, with their role in it. */
  async projectAccess(identity: Identity, project: Project): Promise<ProjectAccess> {
    const found = await this.store.projectAccess(project.id, identity.userId);
    if (!found) throw projectNotFound(project.slug);
    return found;
  }

  async startSession(identity: Identity, project: Project, input: StartSessionInput) {
    const now = this.runtime.now();
    const key = { userId: identity.userId, projectId: project.id };
    const redactor = new Redactor();
    input = redactor.record(input);
    const session: CodingSession = {
      id: this.runtime.newId(),
      projectId: project.id,
      userId: identity.userId,
      description: redactor.clean("description", input.description),
      tags: input.tags,
      status: "active",
      success: null,
      startedAt: now,
      endedAt: null,
      summary: null,
      summarySource: null,
      summaryError: null,
    };
    const slot: ActiveSession = {
      id: session.id,
      projectId: project.id,
      userId: identity.userId,
      description: session.description,
      startedAt: now,
      expiresAt: now + this.config.maxSessionDurationHours * 3_600_000,
      pendingUntil: now + START_LEASE_MS,
    };
    let claim = await this.sessions.start(key, slot);
    // The slot may be held by a start that crashed before (or after) its D1 write: take it over only if so. A
    // failed take-over means the slot changed meanwhile (the ghost's own alarm freed it, or another start won it),
    // so look again, a bounded number of times.
    for (let attempt = 0; !claim.started && attempt < 3; attempt++) {
      if (!(await this.isGhost(claim.active, now))) break;
      if (await this.sessions.replace(key, claim.active.id, slot)) {
        claim = { started: true };
        break;
      }
      claim = await this.sessions.start(key, slot);
    }
    if (!claim.started) {
      const active = claim.active;
      // A start still within its lease (e.g. a concurrent one) holds the slot like an active session does.
      const starting = active.pendingUntil !== undefined && active.pendingUntil > now;
      throw new AppError(
        "conflict",
        `Session already active: ${active.id} ("${active.description}", started ` +
          `${new Date(active.startedAt).toISOString()}${starting ? ", still being started" : ""}). ` +
          `End it with coding_end_session before starting another.`,
        {
          details: {
            active_session: {
              session_id: active.id,
              description: active.description,
              started_at: new Date(active.startedAt).toISOString(),
            },
          },
        },
      );
    }
    try {
      await this.store.insertSession(session);
    } catch (error) {
      await this.sessions.clear(key, session.id);
      throw error;
    }
    // Best effort: the row is written, so the session has started; an unconfirmed slot is confirmed later by
    // whoever finds it (reconcileStart: the next start or end, or the slot's alarm at the lease).
    await this.sessions.confirm(key, session.id).catch(() => false);
    return { session, expiresAt: slot.expiresAt, redactions: redactor.redactions };
  }

  /**
   * A slot whose start lease ran out unconfirmed: confirmed if its D1 row was written (the start succeeded but
   * died before confirming), freed otherwise. True when the session is really active.
   */
  async reconcileStart(active: ActiveSession): Promise<boolean> {
    const key = { userId: active.userId, projectId: active.projectId };
    const row = await this.store.getSession(active.projectId, active.id);
    if (row?.status === "active") return this.sessions.confirm(key, active.id);
    await this.sessions.clear(key, active.id);
    return false;
  }

  /**
   * Whether a slot holds no live session: its row was never written (a start that crashed between the Durable
   * Object and D1, once the lease is over) or is no longer active (an end that crashed before freeing the slot).
   */
  private async isGhost(active: ActiveSession, now: number): Promise<boolean> {
    const row = await this.store.getSession(active.projectId, active.id);
    if (row) {
      if (row.status !== "active") return true;
      if (active.pendingUntil !== undefined) {
        await this.sessions.confirm({ userId: active.userId, projectId: active.projectId }, active.id);
      }
      return false;
    }
    return active.pendingUntil === undefined || active.pendingUntil <= now;
  }

  async activeSession(identity: Identity, project: Project): Promise<ActiveSession | null> {
    return this.sessions.active({ userId: identity.userId, projectId: project.id });
  }

  async endSession(identity: Identity, project: Project, input: EndSessionInput) {
    const active = await this.activeSession(identity, project);
    if (!active) {
      throw new AppError("conflict", "No active session to end. Start one with coding_start_session.");
    }
    if (!(await this.store.getSession(active.projectId, active.id))) {
      if (active.pendingUntil !== undefined && active.pendingUntil > this.runtime.now()) {
        throw new AppError("conflict", "The session is still being started; retry in a moment.");
      }
      // A start that crashed before recording its session left only the slot: free it, and say so.
      await this.sessions.clear({ userId: active.userId, projectId: active.projectId }, active.id);
      throw new AppError(
        "conflict",
        "No active session to end: the last coding_start_session was interrupted before the session was " +
          "recorded (its slot is now freed). Start one with coding_start_session.",
      );
    }
    const redactor = new Redactor();
    const result = await this.finish(active, "ended", {
      summary: redactor.clean("summary", input.summary),
      success: input.success,
    });
    if (!result) {
      throw new AppError("conflict", "The session was already ended by another request.");
    }
    return { ...result, redactions: redactor.redactions };
  }

  /** Called by the Durable Object's alarm when a forgotten session passes its maximum duration. */
  async expireSession(active: ActiveSession) {
    return this.finish(active, "expired", { summary: null, success: null });
  }

  private async finish(
    active: ActiveSession,
    status: "ended" | "expired",
    input: { summary: string | null; success: boolean | null },
  ) {
    const session = await this.store.getSession(active.projectId, active.id);
    const key = { userId: active.userId, projectId: active.projectId };
    if (!session || session.status !== "active") {
      await this.sessions.clear(key, active.id);
      return null;
    }
    const endedAt = this.runtime.now();
    const activity = await this.store.sessionActivity(active.projectId, active.id);
    const digest = buildSessionDigest(session, activity, endedAt, { success: input.success, status });
    const summary = input.summary ?? digest.markdown;
    const summarySource = input.summary ? "user" : "digest";
    const won = await this.store.finishSession(session.id, {
      status,
      endedAt,
      success: input.success,
      summary,
      summarySource,
    });
    await this.sessions.clear(key, active.id);
    if (!won) return null;
    return {
      session: { ...session, status, endedAt, success: input.success, summary, summarySource } as CodingSession,
      digest,
    };
  }

  async trackFileChange(identity: Identity, project: Project, input: TrackChangeInput) {
    const redactor = new Redactor();
    input = redactor.record(input);
    if (input.implementsDecisionId) {
      const decision = await this.store.getDecision(project.id, input.implementsDecisionId);
      if (!decision) {
        throw new AppError(
          "not_found",
          `implements_decision_id: decision ${input.implementsDecisionId} not found in project ${project.slug}.`,
          { details: { field: "implements_decision_id" } },
        );
      }
    }
    const diff = input.diff === null ? null : truncateMiddle(redactor.clean("diff", input.diff), LIMITS.diffChars);
    const candidate: NewRecord<FileChange> = {
      id: this.runtime.newId(),
      projectId: project.id,
      userId: identity.userId,
      filePath: input.filePath,
      action: input.action,
      diff: diff?.text ?? null,
      diffTruncated: diff?.truncated ?? false,
      reason: redactor.clean("reason", input.reason),
      relatedFiles: input.relatedFiles,
      lineRange: input.lineRange,
      implementsDecisionId: input.implementsDecisionId,
      createdAt: this.runtime.now(),
    };
    const links: Link[] = [];
    if (input.implementsDecisionId) {
      links.push(this.link(project.id, "change", candidate.id, "implements", "decision", input.implementsDecisionId));
    }
    const change = await this.store.insertFileChange(candidate, links);
    return {
      change,
      diffOriginalLength: diff?.originalLength ?? 0,
      redactions: redactor.redactions,
    };
  }

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

  /**
   * Records many errors at once (an import of history, a CI run): one atomic batch, recurrences counted, vectors
   * queued in one send. Unlike `recordError` it links nothing to the caller's session and suggests nothing.
   */
  async importErrors(
    identity: Identity,
    project: Project,
    inputs: RecordErrorInput[],
    options: { delivery?: Omit<WebhookDelivery, "projectId" | "receivedAt" | "errorsRecorded"> } = {},
  ) {
    const redactor = new Redactor();
    const candidates: Array<NewRecord<ErrorRecord>> = [];
    for (const input of inputs)
      candidates.push((await this.errorCandidate(identity, project, input, redactor)).candidate);
    const results = await this.store.upsertErrors(
      candidates,
      options.delivery
        ? {
            delivery: {
              ...options.delivery,
              projectId: project.id,
              receivedAt: this.runtime.now(),
              errorsRecorded: candidates.length,
            },
          }
        : {},
    );
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

  async recordDecision(identity: Identity, project: Project, input: RecordDecisionInput) {
    const redactor = new Redactor();
    input = redactor.record(input);
    const candidate: NewRecord<Decision> = {
      id: this.runtime.newId(),
      projectId: project.id,
      userId: identity.userId,
      decision: redactor.clean("decision", input.decision),
      rationale: redactor.clean("rationale", input.rationale),
      alternatives: redactor.cleanList("alternatives", input.alternatives),
      impact: redactor.clean("impact", input.impact),
      confidence: input.confidence,
      relatedFiles: input.relatedFiles,
      tags: input.tags,
      createdAt: this.runtime.now(),
    };
    const links = candidate.relatedFiles.map((file) =>
      this.link(project.id, "decision", candidate.id, "concerns", "file", file),
    );
    const decision = await this.store.insertDecision(candidate, links);
    return { decision, sessionId: decision.sessionId, redactions: redactor.redactions };
  }

  getSession(project: Project, sessionId: string): Promise<CodingSession | null> {
    return this.store.getSession(project.id, sessionId);
  }

  getError(project: Project, errorId: string): Promise<ErrorRecord | null> {
    return this.store.getError(project.id, errorId);
  }

  async projectContext(
    identity: Identity,
    project: Project,
    options: { focus: string | null; maxTokens: number },
  ): Promise<ProjectContext> {
    const focusTerms = options.focus ? lexicalTerms(options.focus) : [];
    const [snapshot, active, architecture] = await Promise.all([
      // A list item costs at least ~25 tokens, so more than budget/25 items per section could never be shown.
      this.store.contextSnapshot(project.id, focusTerms, Math.min(200, Math.ceil(options.maxTokens / 25))),
      this.activeSession(identity, project),
      this.architecture(project.id, CONTEXT_DIAGRAMS),
    ]);
    const memories = [
      ...[...snapshot.openErrors, ...snapshot.resolvedErrors]
        .filter((error) => error.filePath)
        .map((error) => ({
          key: `error:${error.id}`,
          paths: [error.filePath as string],
          recordedAt: Math.max(error.lastSeen, error.resolvedAt ?? 0),
        })),
      ...snapshot.decisions
        .filter((decision) => decision.relatedFiles.length)
        .map((decision) => ({
          key: `decision:${decision.id}`,
          paths: decision.relatedFiles,
          recordedAt: decision.createdAt,
        })),
    ];
    const stale = memories.length ? await this.staleness(project, memories) : new Map<string, StaleFile[]>();
    return buildProjectContext(project.slug, snapshot, active, options, stale, architecture);
  }

  async analyzePatterns(project: Project): Promise<PatternReport> {
    const inputs = await this.store.patternInputs(project.id);
    return analyzePatterns(inputs.changes, inputs.errors);
  }

  graphEdges(project: Project, query: GraphEdgeQuery): Promise<GraphEdge[]> {
    return this.store.graphEdges(project.id, query);
  }

  async decisionImplementation(project: Project, decisionId: string): Promise<ImplementationStatus> {
    const decision = await this.store.getDecision(project.id, decisionId);
    if (!decision) {
      throw new AppError("not_found", `decision_id: decision ${decisionId} not found in project ${project.slug}.`, {
        details: { field: "decision_id" },
      });
    }
    return implementationStatus(decision, await this.store.changesImplementing(project.id, decisionId));
  }

  listSessions(project: Project, page: PageRequest): Promise<Page<CodingSession>> {
    return this.store.listSessions(project.id, page);
  }
  listErrors(project: Project, page: PageRequest & { resolved?: boolean }): Promise<Page<ErrorRecord>> {
    return this.store.listErrors(project.id, page);
  }
  listDecisions(project: Project, page: PageRequest): Promise<Page<Decision>> {
    return this.store.listDecisions(project.id, page);
  }
  listChanges(project: Project, page: PageRequest): Promise<Page<FileChange>> {
    return this.store.listChanges(project.id, page);
  }

  private link(
    projectId: string,
    fromType: string,
    fromId: string,
    relation: string,
    toType: string,
    toId: string,
  ): Link {
    return {
      id: this.runtime.newId(),
      projectId,
      fromType,
      fromId,
      relation,
      toType,
      toId,
      createdAt: this.runtime.now(),
    };
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
