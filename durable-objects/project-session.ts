import { DurableObject } from "cloudflare:workers";
import type { SessionSlotRpc } from "../src/adapters/durable-session-store";
// The one arrow from a Durable Object into the composition root, allowed by name in .dependency-cruiser.cjs
// (session-alarm-entry-arrow): the alarm is an entry point like src/index.ts's fetch/queue/scheduled. The runtime
// calls it with nobody's services in hand, so it builds them from its env as the other entry points do. The RPC
// methods need nothing of the kind, and the adapter that calls them knows only SessionSlotRpc.
import { buildServices } from "../src/composition/services";
import type { Env } from "../src/composition/env";
import type { ActiveSession } from "../src/domain/sessions/ports";
import type { PendingApproval } from "../src/domain/llm/ports";

const ACTIVE_KEY = "active";

/**
 * One instance per user+project (`idFromName("user:project")`). It owns the "which coding session is active"
 * slot. A Durable Object runs one request at a time between storage awaits, so read-check-write in `start`
 * is atomic: of two concurrent starts exactly one wins, without locks or retries.
 *
 * A start is two-phase (this slot, then the D1 row), so the slot is won as pending with a short lease
 * (`pendingUntil`) and confirmed once the row is written; the alarm first fires at the lease, so a start that
 * crashed between the phases is cleaned up on its own (SessionService.reconcileStart), not left as a ghost.
 */
export class ProjectSession extends DurableObject<Env> implements SessionSlotRpc {
  async start(session: ActiveSession): Promise<{ started: true } | { started: false; active: ActiveSession }> {
    const current = await this.ctx.storage.get<ActiveSession>(ACTIVE_KEY);
    if (current) return { started: false, active: current };
    await this.hold(session);
    return { started: true };
  }

  async replace(expectedId: string, session: ActiveSession): Promise<boolean> {
    const current = await this.ctx.storage.get<ActiveSession>(ACTIVE_KEY);
    if (current?.id !== expectedId) return false;
    await this.hold(session);
    return true;
  }

  async confirm(sessionId: string): Promise<boolean> {
    const current = await this.ctx.storage.get<ActiveSession>(ACTIVE_KEY);
    if (current?.id !== sessionId) return false;
    if (current.pendingUntil === undefined) return true;
    const confirmed: ActiveSession = { ...current };
    delete confirmed.pendingUntil;
    await this.ctx.storage.put(ACTIVE_KEY, confirmed);
    await this.ctx.storage.setAlarm(confirmed.expiresAt);
    return true;
  }

  async active(): Promise<ActiveSession | null> {
    return (await this.ctx.storage.get<ActiveSession>(ACTIVE_KEY)) ?? null;
  }

  private async hold(session: ActiveSession): Promise<void> {
    await this.ctx.storage.put(ACTIVE_KEY, session);
    await this.ctx.storage.setAlarm(Math.min(session.pendingUntil ?? session.expiresAt, session.expiresAt));
  }

  async clear(sessionId: string): Promise<void> {
    const current = await this.ctx.storage.get<ActiveSession>(ACTIVE_KEY);
    if (current?.id !== sessionId) return;
    await this.ctx.storage.delete(ACTIVE_KEY);
    await this.ctx.storage.deleteAlarm();
  }

  /** Holds an LLM operation waiting for the user's decision (see coding_approve / coding_deny). */
  async putApproval(approval: PendingApproval): Promise<void> {
    await this.ctx.storage.put(`approval:${approval.id}`, approval);
  }

  /** Removes and returns an approval; one decision per approval, even if approve and deny race. */
  async takeApproval(id: string, now: number): Promise<PendingApproval | "expired" | null> {
    const key = `approval:${id}`;
    const approval = await this.ctx.storage.get<PendingApproval>(key);
    if (!approval) return null;
    await this.ctx.storage.delete(key);
    return approval.expiresAt <= now ? "expired" : approval;
  }

  /** The approvals still waiting, oldest first; expired ones are dropped as they are found. */
  async pendingApprovals(now: number): Promise<PendingApproval[]> {
    const held = await this.ctx.storage.list<PendingApproval>({ prefix: "approval:" });
    const expired = [...held].filter(([, approval]) => approval.expiresAt <= now).map(([key]) => key);
    if (expired.length) await this.ctx.storage.delete(expired);
    return [...held.values()].filter((approval) => approval.expiresAt > now).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Closes a forgotten session once it passes `max_session_duration_hours`, with the same digest as an end. */
  override async alarm(): Promise<void> {
    const current = await this.ctx.storage.get<ActiveSession>(ACTIVE_KEY);
    if (!current) return;
    if (current.pendingUntil !== undefined && current.expiresAt > Date.now()) {
      if (current.pendingUntil > Date.now()) {
        await this.ctx.storage.setAlarm(current.pendingUntil);
        return;
      }
      // The start's lease ran out unconfirmed: keep the slot if its row was written, else free it.
      await buildServices(this.env).sessions.reconcileStart(current);
      return;
    }
    if (current.expiresAt > Date.now()) {
      await this.ctx.storage.setAlarm(current.expiresAt);
      return;
    }
    const services = buildServices(this.env);
    await services.sessions.expireSession(current);
    await this.clear(current.id);
  }
}
