import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DurableSessionStore } from "../../src/adapters/durable-session-store";
import type { ActiveSession } from "../../src/domain/sessions/ports";
import { callTool, mcpClient, newUser, rest, uniqueName } from "../helpers";

/**
 * coding_start_session is two-phase: win the ProjectSession slot, then write the D1 row. These tests leave the
 * state a crash between (or after) the phases leaves — written with the Durable Object's own methods — and check
 * that the next start or end reconciles it instead of reporting a ghost session.
 */
async function setup() {
  const { token, userId } = await newUser();
  const client = await mcpClient(token);
  const project_id = uniqueName("crash");
  const seeded = await rest(token, "POST", `/api/v1/projects/${project_id}/errors`, { error_type: "E", message: "m" });
  expect(seeded.status).toBe(201);
  const row = await env.DB.prepare("SELECT id FROM projects WHERE slug = ?").bind(project_id).first<{ id: string }>();
  const key = { userId, projectId: row?.id ?? "" };
  const store = new DurableSessionStore(env.PROJECT_SESSION);
  const stub = env.PROJECT_SESSION.get(env.PROJECT_SESSION.idFromName(`${key.userId}:${key.projectId}`));
  /** Phase one of a start that then died: the slot is won, pending, and no row is ever written. */
  const crashedStart = async (pendingUntil: number) => {
    const slot: ActiveSession = {
      id: crypto.randomUUID(),
      ...key,
      description: "crashed start",
      startedAt: Date.now() - 60_000,
      expiresAt: Date.now() + 3_600_000,
      pendingUntil,
    };
    if (pendingUntil > Date.now()) {
      expect(await store.start(key, slot)).toEqual({ started: true });
      return slot;
    }
    // A lease already run out whose alarm has not fired yet. Winning the slot with a past lease would set an
    // alarm in the past, which workerd may run before the next call (it did on a loaded machine), freeing the slot
    // before the request under test sees it; so win it with a live lease, then age the lease with no alarm set.
    expect(await store.start(key, { ...slot, pendingUntil: Date.now() + 600_000 })).toEqual({ started: true });
    await runInDurableObject(stub, async (_instance, state) => {
      await state.storage.deleteAlarm();
      await state.storage.put("active", slot);
    });
    return slot;
  };
  return { client, project_id, key, store, stub, crashedStart };
}

describe("a crash during coding_start_session leaves no ghost session", () => {
  it("slot won, row never written: end frees the slot and says why; a start takes the slot over", async () => {
    const { client, project_id, key, store, crashedStart } = await setup();
    await crashedStart(Date.now() - 1);
    const ended = await callTool(client, "coding_end_session", { project_id });
    expect(ended.isError).toBe(true);
    expect(ended.text).toMatch(/interrupted before the session was recorded/);
    expect(ended.text).not.toMatch(/already ended by another request/);
    expect(await store.active(key)).toBeNull();

    const ghost = await crashedStart(Date.now() - 1);
    const started = await callTool(client, "coding_start_session", { project_id, description: "after the crash" });
    expect(started.isError, started.text).toBe(false);
    expect(started.data.session_id).not.toBe(ghost.id);
    const slot = await store.active(key);
    expect(slot).toMatchObject({ id: started.data.session_id });
    expect(slot?.pendingUntil).toBeUndefined();
    const normal = await callTool(client, "coding_end_session", { project_id });
    expect(normal.isError, normal.text).toBe(false);
    expect(normal.data.session_id).toBe(started.data.session_id);
  });

  it("within the start's lease the slot is respected; its alarm frees it once the lease runs out", async () => {
    const { client, project_id, key, store, stub, crashedStart } = await setup();
    const slot = await crashedStart(Date.now() + 60_000);
    const started = await callTool(client, "coding_start_session", { project_id, description: "too soon" });
    expect(started.isError).toBe(true);
    expect(started.text).toMatch(/Session already active: .*still being started/);
    const ended = await callTool(client, "coding_end_session", { project_id });
    expect(ended.text).toMatch(/still being started/);
    await runInDurableObject(stub, async (_instance, state) => {
      expect(await state.storage.getAlarm()).toBe(slot.pendingUntil);
      await state.storage.put("active", { ...slot, pendingUntil: Date.now() - 1 });
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await store.active(key)).toBeNull();
    const later = await callTool(client, "coding_start_session", { project_id, description: "now" });
    expect(later.isError, later.text).toBe(false);
  });

  it("row written but never confirmed: the session is kept, confirmed, and ends normally", async () => {
    const { client, project_id, key, store, stub } = await setup();
    const started = await callTool(client, "coding_start_session", { project_id, description: "real" });
    const id = started.data.session_id as string;
    // Undo the confirmation, as if the Worker died right after the D1 write.
    await runInDurableObject(stub, async (_instance, state) => {
      const active = (await state.storage.get("active")) as ActiveSession;
      await state.storage.put("active", { ...active, pendingUntil: Date.now() - 1 });
    });
    const second = await callTool(client, "coding_start_session", { project_id, description: "second" });
    expect(second.isError).toBe(true);
    expect(second.text).toContain(`Session already active: ${id}`);
    expect((await store.active(key))?.pendingUntil).toBeUndefined();
    const ended = await callTool(client, "coding_end_session", { project_id });
    expect(ended.isError, ended.text).toBe(false);
    expect(ended.data.session_id).toBe(id);
  });

  it("an end that died after ending the row but before freeing the slot does not block the next start", async () => {
    const { client, project_id, key, store } = await setup();
    const started = await callTool(client, "coding_start_session", { project_id, description: "ended row" });
    await env.DB.prepare("UPDATE coding_sessions SET status = 'ended', ended_at = ? WHERE id = ?")
      .bind(Date.now(), started.data.session_id)
      .run();
    expect(await store.active(key)).toMatchObject({ id: started.data.session_id });
    const next = await callTool(client, "coding_start_session", { project_id, description: "next" });
    expect(next.isError, next.text).toBe(false);
  });
});
