import { DurableObject } from "cloudflare:workers";
import { buildServices } from "../src/app";
import type { Env } from "../src/env";
import type { ActiveSession, PendingApproval } from "../src/domain/ports";

const ACTIVE_KEY = "active";

/**
 * One instance per user+project (`idFromName("user:project")`). It owns the "which coding session is active"
 * slot. A Durable Object runs one request at a time between storage awaits, so read-check-write in `start`
 * is atomic: of two concurrent starts exactly one wins, without locks or retries.
 */
export class ProjectSession extends DurableObject<Env> {
  async start(session: ActiveSession): Promise<{ started: true } | { started: false; active: ActiveSession }> {
    const current = await this.ctx.storage.get<ActiveSession>(ACTIVE_KEY);
    if (current) return { started: false, active: current };
    await this.ctx.storage.put(ACTIVE_KEY, session);
    await this.ctx.storage.setAlarm(session.expiresAt);
    return { started: true };
  }

  async active(): Promise<ActiveSession | null> {
    return (await this.ctx.storage.get<ActiveSession>(ACTIVE_KEY)) ?? null;
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

  /** Closes a forgotten session once it passes `max_session_duration_hours`, with the same digest as an end. */
  override async alarm(): Promise<void> {
    const current = await this.ctx.storage.get<ActiveSession>(ACTIVE_KEY);
    if (!current) return;
    if (current.expiresAt > Date.now()) {
      await this.ctx.storage.setAlarm(current.expiresAt);
      return;
    }
    const services = buildServices(this.env);
    await services.memory.expireSession(current);
    await this.clear(current.id);
  }
}
