/**
 * The behaviour the domain relies on from ProjectStore, SessionStore and DecisionStore, asserted through the
 * ports only, so the D1 stores and the in-memory twins are held to the same suite (ContextStore:
 * context-store.contract.ts; ErrorStore: error-store.contract.ts). Every test checks project isolation where the
 * method takes a project id: a record of one project is never visible in another.
 */
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/domain/core/app-error";
import {
  T0,
  allPages,
  change,
  decision,
  errorCandidate,
  ids,
  newWorld,
  otherProject,
  session,
  uid,
  linkIds,
  type MakeRecordStores,
} from "./record-fixtures";

export function recordStoresContract(name: string, make: MakeRecordStores): void {
  describe(`ProjectStore contract: ${name}`, () => {
    it("gives the creator owner access to a project, by id and by name, and nobody else", async () => {
      const world = await newWorld(await make(), "shop");
      const { projects } = world.stores;
      const access = await projects.projectAccess(world.project.id, world.userId);
      expect(access).toEqual({ project: world.project, teamId: world.teamId, teamSlug: world.teamSlug, role: "owner" });
      expect(await projects.projectsNamed("shop", world.userId, null)).toEqual([access]);
      expect(await projects.projectsNamed("shop", world.userId, world.teamSlug)).toEqual([access]);
      expect(await projects.projectsNamed("shop", world.userId, world.teamId)).toEqual([access]);
      expect(await projects.projectsNamed("shop", world.userId, "no-such-team")).toEqual([]);
      expect(await projects.projectsNamed("shoe", world.userId, null)).toEqual([]);

      const stranger = await newWorld(world.stores, "shop");
      expect(await projects.projectAccess(world.project.id, stranger.userId)).toBeNull();
      expect(await projects.projectsNamed("shop", stranger.userId, null)).toEqual([
        { project: stranger.project, teamId: stranger.teamId, teamSlug: stranger.teamSlug, role: "owner" },
      ]);
      expect(await projects.projectsNamed("shop", stranger.userId, world.teamSlug)).toEqual([]);
    });

    it("keeps the first project of a name in a team when another creates it concurrently", async () => {
      const world = await newWorld(await make(), "dup");
      await world.stores.projects.createProject({ id: uid("proj"), slug: "dup" }, world.teamId, world.userId, T0 + 1);
      const named = await world.stores.projects.projectsNamed("dup", world.userId, null);
      expect(named.map((access) => access.project)).toEqual([world.project]);
    });

    it("has one personal team per user, whatever the number of calls, with the user as owner", async () => {
      const world = await newWorld(await make());
      const { projects } = world.stores;
      expect(await projects.ensurePersonalTeam(world.userId, T0 + 5)).toBe(world.teamId);
      expect(await projects.teamRole(world.teamId, world.userId)).toBe("owner");
      const membership = { teamId: world.teamId, teamSlug: world.teamSlug, role: "owner" };
      expect(await projects.memberTeam(world.teamId, world.userId)).toEqual(membership);
      expect(await projects.memberTeam(world.teamSlug, world.userId)).toEqual(membership);

      const stranger = await newWorld(world.stores);
      expect(stranger.teamId).not.toBe(world.teamId);
      expect(await projects.teamRole(world.teamId, stranger.userId)).toBeNull();
      expect(await projects.memberTeam(world.teamSlug, stranger.userId)).toBeNull();
    });
  });

  describe(`SessionStore contract: ${name}`, () => {
    it("reads a session back as written, only in its own project", async () => {
      const world = await newWorld(await make());
      const row = session(world, { tags: ["a", "b"], success: null });
      await world.stores.sessions.insertSession(row);
      expect(await world.stores.sessions.getSession(world.project.id, row.id)).toEqual(row);
      const other = await otherProject(world);
      expect(await world.stores.sessions.getSession(other.id, row.id)).toBeNull();
      expect((await world.stores.sessions.listSessions(other.id, { limit: 10, cursor: null })).items).toEqual([]);
    });

    it("closes a stale active session of the same user and project when a new one starts", async () => {
      const world = await newWorld(await make());
      const { sessions } = world.stores;
      const stale = session(world, { startedAt: T0 });
      const elsewhere = session(world, { projectId: (await otherProject(world)).id, startedAt: T0 });
      await sessions.insertSession(stale);
      await sessions.insertSession(elsewhere);
      const fresh = session(world, { startedAt: T0 + 100 });
      await sessions.insertSession(fresh);

      const closed = await sessions.getSession(world.project.id, stale.id);
      expect(closed).toMatchObject({ status: "expired", endedAt: T0 + 100, summarySource: "digest" });
      expect(closed?.summary).toEqual(expect.any(String));
      expect((await sessions.getSession(world.project.id, fresh.id))?.status).toBe("active");
      expect((await sessions.getSession(elsewhere.projectId, elsewhere.id))?.status).toBe("active");
    });

    it("finishes an active session once; a second finish is refused", async () => {
      const world = await newWorld(await make());
      const { sessions } = world.stores;
      const row = session(world);
      await sessions.insertSession(row);
      const end = {
        status: "ended",
        endedAt: T0 + 9,
        success: true,
        summary: "done",
        summarySource: "digest",
      } as const;
      expect(await sessions.finishSession(row.id, end)).toBe(true);
      expect(await sessions.finishSession(row.id, { ...end, summary: "again" })).toBe(false);
      expect(await sessions.getSession(world.project.id, row.id)).toEqual({ ...row, ...end });
      expect(await sessions.finishSession(uid("sess"), end)).toBe(false);
    });

    it("replaces only a digest with a model summary, once, and records a failure only against a digest", async () => {
      const world = await newWorld(await make());
      const { sessions } = world.stores;
      const digest = session(world, { status: "ended", endedAt: T0 + 1, summary: "digest", summarySource: "digest" });
      const own = session(world, { status: "ended", endedAt: T0 + 1, summary: "mine", summarySource: "user" });
      await sessions.insertSession(digest);
      await sessions.insertSession(own);
      const other = await otherProject(world);

      expect(await sessions.markSummaryFailed(world.project.id, digest.id, "x".repeat(600))).toBe(true);
      expect((await sessions.getSession(world.project.id, digest.id))?.summaryError).toBe("x".repeat(500));
      expect(await sessions.saveModelSummary(other.id, digest.id, "wrong project")).toBe(false);
      expect(await sessions.saveModelSummary(world.project.id, digest.id, "model")).toBe(true);
      expect(await sessions.saveModelSummary(world.project.id, digest.id, "model again")).toBe(false);
      expect(await sessions.getSession(world.project.id, digest.id)).toMatchObject({
        summary: "model",
        summarySource: "llm",
      });
      expect(await sessions.markSummaryFailed(world.project.id, digest.id, "late")).toBe(false);
      expect(await sessions.saveModelSummary(world.project.id, own.id, "model")).toBe(false);
      expect(await sessions.markSummaryFailed(world.project.id, own.id, "no")).toBe(false);
      expect(await sessions.getSession(world.project.id, own.id)).toEqual(own);
    });

    it("lists sessions newest first (ties by id, descending) across pages, without repeats", async () => {
      const world = await newWorld(await make());
      const rows = [3, 1, 2, 2, 5, 4, 2].map((offset) =>
        session(world, { status: "ended", startedAt: T0 + offset, endedAt: T0 + 10 }),
      );
      for (const row of rows) await world.stores.sessions.insertSession(row);
      const expected = [...rows]
        .sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? 1 : -1))
        .map((row) => row.id);
      const list = (page: { limit: number; cursor: string | null }) =>
        world.stores.sessions.listSessions(world.project.id, page);
      for (const limit of [1, 2, 3, 7, 50]) expect(ids(await allPages(list, limit))).toEqual(expected);
      const firstPage = await list({ limit: 7, cursor: null });
      expect(firstPage.nextCursor).toBeNull();
      await expect(list({ limit: 2, cursor: "not a cursor" })).rejects.toMatchObject({ code: "invalid_input" });
      await expect(list({ limit: 2, cursor: "not a cursor" })).rejects.toBeInstanceOf(AppError);
    });

    it("gathers a session's activity: its changes, decisions and the errors that occurred in it", async () => {
      const world = await newWorld(await make());
      const { sessions, decisions, errors } = world.stores;
      const before = await errors.upsertError(errorCandidate(world, { createdAt: T0 - 50 }), linkIds());
      expect(before.sessionId).toBeNull();
      const row = session(world, { startedAt: T0 });
      await sessions.insertSession(row);
      const secondChange = await decisions.insertFileChange(change(world, { createdAt: T0 + 20 }), []);
      const firstChange = await decisions.insertFileChange(change(world, { createdAt: T0 + 10 }), []);
      const made = await decisions.insertDecision(decision(world, { createdAt: T0 + 30 }), []);
      const fresh = await errors.upsertError(errorCandidate(world, { createdAt: T0 + 40 }), linkIds());
      // The error first seen before the session occurs again inside it.
      const { fingerprint } = before.error;
      await errors.upsertError(errorCandidate(world, { fingerprint, createdAt: T0 + 45 }), linkIds());
      expect(fresh.sessionId).toBe(row.id);
      expect(firstChange.sessionId).toBe(row.id);

      const activity = await sessions.sessionActivity(world.project.id, row.id);
      expect(ids(activity.changes)).toEqual([firstChange.id, secondChange.id]);
      expect(ids(activity.decisions)).toEqual([made.id]);
      expect(ids(activity.errors)).toEqual([before.error.id, fresh.error.id]);
      const other = await otherProject(world);
      expect(await sessions.sessionActivity(other.id, row.id)).toEqual({ changes: [], errors: [], decisions: [] });
    });
  });

  describe(`DecisionStore contract: ${name}`, () => {
    it("links a decision and a change to the author's active session in that project only", async () => {
      const world = await newWorld(await make());
      const { decisions, sessions } = world.stores;
      const other = await otherProject(world);
      const outside = await decisions.insertDecision(decision(world), []);
      expect(outside.sessionId).toBeNull();
      const row = session(world, { projectId: other.id });
      await sessions.insertSession(row);
      const here = await decisions.insertDecision(decision(world), []);
      const there = await decisions.insertDecision(decision(world, { projectId: other.id }), []);
      const changed = await decisions.insertFileChange(change(world, { projectId: other.id }), []);
      expect(here.sessionId).toBeNull();
      expect(there.sessionId).toBe(row.id);
      expect(changed.sessionId).toBe(row.id);
      const colleague = await newWorld(world.stores);
      expect((await decisions.insertDecision(decision(colleague), [])).sessionId).toBeNull();
    });

    it("reads a decision back as written, only in its own project", async () => {
      const world = await newWorld(await make());
      const { decisions } = world.stores;
      const input = decision(world, { alternatives: ["a", "b"], impact: "high", confidence: 0.25, tags: [] });
      const stored = await decisions.insertDecision(input, []);
      expect(stored).toEqual({ ...input, sessionId: null });
      expect(await decisions.getDecision(world.project.id, input.id)).toEqual(stored);
      expect(await decisions.getDecision((await otherProject(world)).id, input.id)).toBeNull();
      expect(await decisions.getDecision(world.project.id, uid("dec"))).toBeNull();
      // What a caller gets back is its own: changing it changes nothing stored.
      stored.tags.push("changed");
      expect((await decisions.getDecision(world.project.id, input.id))?.tags).toEqual([]);
      await expect(decisions.insertDecision({ ...input, decision: "again" }, [])).rejects.toThrow();
      expect((await decisions.getDecision(world.project.id, input.id))?.decision).toBe(input.decision);
    });

    it("lists the changes implementing a decision oldest first, only of that project", async () => {
      const world = await newWorld(await make());
      const { decisions } = world.stores;
      const made = await decisions.insertDecision(decision(world), []);
      const late = await decisions.insertFileChange(
        change(world, { implementsDecisionId: made.id, createdAt: T0 + 9 }),
        [],
      );
      const early = await decisions.insertFileChange(
        change(world, { implementsDecisionId: made.id, createdAt: T0 + 1 }),
        [],
      );
      await decisions.insertFileChange(change(world, { createdAt: T0 + 5 }), []);
      const other = await otherProject(world);
      await decisions.insertFileChange(change(world, { projectId: other.id, implementsDecisionId: made.id }), []);
      expect(ids(await decisions.changesImplementing(world.project.id, made.id))).toEqual([early.id, late.id]);
      expect(await decisions.changesImplementing(world.project.id, uid("dec"))).toEqual([]);
    });

    it("pages decisions and changes newest first, each project on its own", async () => {
      const world = await newWorld(await make());
      const { decisions } = world.stores;
      const other = await otherProject(world);
      const offsets = [4, 2, 2, 9, 0, 2];
      const made = [];
      const changed = [];
      for (const offset of offsets) {
        made.push(await decisions.insertDecision(decision(world, { createdAt: T0 + offset }), []));
        changed.push(await decisions.insertFileChange(change(world, { createdAt: T0 + offset }), []));
        await decisions.insertDecision(decision(world, { projectId: other.id, createdAt: T0 + offset }), []);
      }
      const newestFirst = (rows: Array<{ id: string; createdAt: number }>) =>
        [...rows].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).map((row) => row.id);
      for (const limit of [1, 4, 6, 20]) {
        const listed = await allPages((page) => decisions.listDecisions(world.project.id, page), limit);
        expect(ids(listed)).toEqual(newestFirst(made));
        const listedChanges = await allPages((page) => decisions.listChanges(world.project.id, page), limit);
        expect(ids(listedChanges)).toEqual(newestFirst(changed));
      }
      expect((await decisions.listChanges(other.id, { limit: 10, cursor: null })).items).toEqual([]);
    });

    it("lists only one session's decisions and changes when asked", async () => {
      const world = await newWorld(await make());
      const { decisions, sessions } = world.stores;
      // Made before the session started: in no session.
      await decisions.insertDecision(decision(world), []);
      await decisions.insertFileChange(change(world), []);
      const row = session(world);
      await sessions.insertSession(row);
      const inSession = await decisions.insertDecision(decision(world), []);
      const changed = await decisions.insertFileChange(change(world), []);
      const page = { limit: 10, cursor: null, sessionId: row.id };
      expect(ids((await decisions.listDecisions(world.project.id, page)).items)).toEqual([inSession.id]);
      expect(ids((await decisions.listChanges(world.project.id, page)).items)).toEqual([changed.id]);
      expect((await decisions.listChanges(world.project.id, { limit: 10, cursor: null })).items).toHaveLength(2);
    });
  });
}
