/**
 * Coding sessions: one active session per user and project, held as a slot in the ProjectSession Durable Object
 * (SessionStateStore) and recorded as a D1 row (SessionStore). A start wins the slot first and then writes the
 * row; everything here that reads both tells a crashed start or end ("ghost") from a live session.
 */
import { AppError } from "../core/app-error";
import type { PageRequest, Runtime } from "../core/ports";
import type { CodingSession, Identity, Page, Project } from "../core/records";
import { Redactor } from "../core/redactor";
import { buildSessionDigest } from "./digest";
import type { ActiveSession, SessionStateStore, SessionStore } from "./ports";

export interface SessionConfig {
  maxSessionDurationHours: number;
}

export interface StartSessionInput {
  description: string;
  tags: string[];
}
export interface EndSessionInput {
  summary: string | null;
  success: boolean | null;
}

/**
 * How long a won session slot belongs to its start before the D1 row must have confirmed it. Far above a D1
 * write; after it, a slot without a row is a start that crashed between the two phases.
 */
export const START_LEASE_MS = 30_000;

export class SessionService {
  constructor(
    private readonly store: SessionStore,
    private readonly slots: SessionStateStore,
    private readonly runtime: Runtime,
    private readonly config: SessionConfig,
  ) {}

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
    let claim = await this.slots.start(key, slot);
    // The slot may be held by a start that crashed before (or after) its D1 write: take it over only if so. A
    // failed take-over means the slot changed meanwhile (the ghost's own alarm freed it, or another start won it),
    // so look again, a bounded number of times.
    for (let attempt = 0; !claim.started && attempt < 3; attempt++) {
      if (!(await this.isGhost(claim.active, now))) break;
      if (await this.slots.replace(key, claim.active.id, slot)) {
        claim = { started: true };
        break;
      }
      claim = await this.slots.start(key, slot);
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
      await this.slots.clear(key, session.id);
      throw error;
    }
    // Best effort: the row is written, so the session has started; an unconfirmed slot is confirmed later by
    // whoever finds it (reconcileStart: the next start or end, or the slot's alarm at the lease).
    await this.slots.confirm(key, session.id).catch(() => false);
    return { session, expiresAt: slot.expiresAt, redactions: redactor.redactions };
  }

  /**
   * A slot whose start lease ran out unconfirmed: confirmed if its D1 row was written (the start succeeded but
   * died before confirming), freed otherwise. True when the session is really active.
   */
  async reconcileStart(active: ActiveSession): Promise<boolean> {
    const key = { userId: active.userId, projectId: active.projectId };
    const row = await this.store.getSession(active.projectId, active.id);
    if (row?.status === "active") return this.slots.confirm(key, active.id);
    await this.slots.clear(key, active.id);
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
        await this.slots.confirm({ userId: active.userId, projectId: active.projectId }, active.id);
      }
      return false;
    }
    return active.pendingUntil === undefined || active.pendingUntil <= now;
  }

  async activeSession(identity: Identity, project: Project): Promise<ActiveSession | null> {
    return this.slots.active({ userId: identity.userId, projectId: project.id });
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
      await this.slots.clear({ userId: active.userId, projectId: active.projectId }, active.id);
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
      await this.slots.clear(key, active.id);
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
    await this.slots.clear(key, active.id);
    if (!won) return null;
    return {
      session: { ...session, status, endedAt, success: input.success, summary, summarySource } as CodingSession,
      digest,
    };
  }

  getSession(project: Project, sessionId: string): Promise<CodingSession | null> {
    return this.store.getSession(project.id, sessionId);
  }

  listSessions(project: Project, page: PageRequest): Promise<Page<CodingSession>> {
    return this.store.listSessions(project.id, page);
  }
}
