/**
 * The behaviour the domain relies on from the ErrorStore, through the port only: occurrence counting by
 * fingerprint, resolution, atomic imports, paging, vector-indexing state and lexical search. Ranking assertions
 * are about order only (a better match first), never BM25's numbers, so an honest simpler ranking may pass.
 */
import { describe, expect, it } from "vitest";
import { VECTOR_FAILED, type ErrorRecord } from "../../src/domain/core/records";
import { NO_FILTERS } from "../../src/domain/errors/filters";
import type { WebhookDelivery } from "../../src/domain/errors/ports";
import {
  T0,
  allPages,
  errorCandidate,
  ids,
  linkIds,
  newWorld,
  otherProject,
  session,
  uid,
  type MakeRecordStores,
  type World,
} from "./record-fixtures";

function delivery(world: World, overrides: Partial<WebhookDelivery> = {}): WebhookDelivery {
  return {
    projectId: world.project.id,
    deliveryId: uid("delivery"),
    source: "github",
    event: "workflow_run",
    receivedAt: T0,
    errorsRecorded: 1,
    bodySha256: null,
    ...overrides,
  };
}

/** Terms of equal weight, as the store's port takes them. */
const weighted = (terms: string[]) => terms.map((term) => ({ term, weight: 1 }));

export function errorStoreContract(name: string, make: MakeRecordStores): void {
  describe(`ErrorStore contract: ${name}`, () => {
    it("tags errors with their team's classes: when recorded, when a class is defined, when it is removed", async () => {
      const world = await newWorld(await make());
      const { errors, errorClasses } = world.stores;
      const classOf = (
        name: string,
        parts: Partial<{ typeContains: string; messageContains: string; frameContains: string }>,
      ) => ({
        name,
        typeContains: parts.typeContains ?? null,
        messageContains: parts.messageContains ?? null,
        frameContains: parts.frameContains ?? null,
        createdBy: world.userId,
        createdAt: T0,
      });
      const timeoutError = (overrides: Parameters<typeof errorCandidate>[1] = {}) =>
        errorCandidate(world, {
          errorType: "psycopg.OperationalError",
          message: "Connection TIMEOUT expired",
          stackTrace: "at db.connect (pool.py:12)",
          tags: ["backend", "class:stale"],
          fingerprint: uid("fp"),
          ...overrides,
        });
      const before = await errors.upsertError(timeoutError(), linkIds());
      // No class yet: the error keeps its tags as given.
      expect(before.error.tags).toEqual(["backend", "class:stale"]);

      const defined = await errorClasses.define(
        world.teamId,
        classOf("db-timeout", { typeContains: "operationalerror", messageContains: "timeout" }),
      );
      expect(defined.tagged).toBe(1);
      await errorClasses.define(world.teamId, classOf("pool", { frameContains: "POOL.PY" }));
      expect((await errors.getError(world.project.id, before.error.id))?.tags).toEqual([
        "backend",
        "class:db-timeout",
        "class:pool",
      ]);

      const later = await errors.upsertError(timeoutError({ message: "read timeout", stackTrace: null }), linkIds());
      expect(later.error.tags).toEqual(["backend", "class:db-timeout"]);
      const other = await errors.upsertError(timeoutError({ errorType: "KeyError", message: "timeout" }), linkIds());
      // Not a timeout by its type, but its trace passes through the pool.
      expect(other.error.tags).toEqual(["backend", "class:pool"]);
      const [imported] = await errors.upsertErrors([timeoutError({ tags: [] })]);
      expect(imported?.error.tags).toEqual(["class:db-timeout", "class:pool"]);

      expect(await errorClasses.remove(world.teamId, "db-timeout")).toBe(true);
      expect(await errorClasses.remove(world.teamId, "db-timeout")).toBe(false);
      expect((await errors.getError(world.project.id, before.error.id))?.tags).toEqual(["backend", "class:pool"]);
      expect((await errors.getError(world.project.id, later.error.id))?.tags).toEqual(["backend"]);
      expect((await errorClasses.list(world.teamId)).map((c) => c.name)).toEqual(["pool"]);
    });

    it("inserts an error once and counts every later report of its fingerprint as an occurrence", async () => {
      const world = await newWorld(await make());
      const { errors } = world.stores;
      const first = errorCandidate(world, { tags: ["ui"], filePath: "src/a.ts", lineNumber: 3 });
      const inserted = await errors.upsertError(first, linkIds());
      expect(inserted).toEqual({ error: { ...first, sessionId: null }, inserted: true, sessionId: null });

      const again = errorCandidate(world, { fingerprint: first.fingerprint, lastSeen: T0 + 60, message: "other" });
      const counted = await errors.upsertError(again, linkIds());
      expect(counted.inserted).toBe(false);
      expect(counted.error).toEqual({ ...first, sessionId: null, occurrences: 2, lastSeen: T0 + 60 });

      const fixed = errorCandidate(world, {
        fingerprint: first.fingerprint,
        lastSeen: T0 + 70,
        solution: "guard it",
        resolved: true,
        resolvedAt: T0 + 70,
      });
      const solved = await errors.upsertError(fixed, linkIds());
      expect(solved.error).toMatchObject({
        id: first.id,
        occurrences: 3,
        solution: "guard it",
        resolved: true,
        resolvedAt: T0 + 70,
      });
      expect(await errors.getError(world.project.id, first.id)).toEqual(solved.error);

      const other = await otherProject(world);
      const there = await errors.upsertError({ ...first, id: uid("err"), projectId: other.id }, linkIds());
      expect(there.inserted).toBe(true);
      expect(there.error.occurrences).toBe(1);
      expect(await errors.getError(other.id, first.id)).toBeNull();
    });

    it("puts an error in the author's active session of that project, and says which", async () => {
      const world = await newWorld(await make());
      const { errors, sessions } = world.stores;
      const row = session(world);
      await sessions.insertSession(row);
      const result = await errors.upsertError(errorCandidate(world), linkIds());
      expect(result.sessionId).toBe(row.id);
      expect(result.error.sessionId).toBe(row.id);
      const colleague = await newWorld(world.stores);
      const theirs = await errors.upsertError(errorCandidate(colleague), linkIds());
      expect(theirs.sessionId).toBeNull();
    });

    it("resolves an error with its solution and reports the resolver's active session", async () => {
      const world = await newWorld(await make());
      const { errors, sessions } = world.stores;
      const { error } = await errors.upsertError(errorCandidate(world), linkIds());
      const row = session(world);
      await sessions.insertSession(row);
      const result = await errors.resolveError(error.id, "restart it", T0 + 5, {
        userId: world.userId,
        resolvedInLinkId: uid("link"),
      });
      expect(result.sessionId).toBe(row.id);
      expect(result.error).toEqual({ ...error, solution: "restart it", resolved: true, resolvedAt: T0 + 5 });
      expect(await errors.getError(world.project.id, error.id)).toEqual(result.error);
      await expect(
        errors.resolveError(uid("err"), "nothing", T0, { userId: world.userId, resolvedInLinkId: uid("link") }),
      ).rejects.toThrow();
    });

    it("counts each sighting on its UTC day, by record and by import, for the error's own project only", async () => {
      const world = await newWorld(await make());
      const { errors } = world.stores;
      const day = 86_400_000;
      const start = Math.floor(T0 / day) * day;
      const fingerprint = uid("fp");
      const first = await errors.upsertError(errorCandidate(world, { fingerprint, lastSeen: start + 10 }), linkIds());
      await errors.upsertError(errorCandidate(world, { fingerprint, lastSeen: start + 20 }), linkIds());
      await errors.upsertErrors([
        errorCandidate(world, { fingerprint, lastSeen: start + 2 * day + 5 }),
        errorCandidate(world, { fingerprint: uid("fp"), lastSeen: start + 2 * day }),
      ]);
      const d0 = start / day;
      expect(await errors.occurrenceDays(world.project.id, first.error.id, 0)).toEqual([
        { day: d0, count: 2 },
        { day: d0 + 2, count: 1 },
      ]);
      expect(await errors.occurrenceDays(world.project.id, first.error.id, d0 + 1)).toEqual([
        { day: d0 + 2, count: 1 },
      ]);
      const other = await newWorld(world.stores);
      expect(await errors.occurrenceDays(other.project.id, first.error.id, 0)).toEqual([]);
    });

    it("curates an error's outcome in its own project only, and clears a solution", async () => {
      const world = await newWorld(await make());
      const { errors } = world.stores;
      const { error } = await errors.upsertError(errorCandidate(world), linkIds());
      const fixed = { solution: "pin the driver", resolved: true, resolvedAt: T0 + 7 };
      expect(await errors.curateError(world.project.id, error.id, fixed)).toEqual({ ...error, ...fixed });
      const reopened = { solution: null, resolved: false, resolvedAt: null };
      expect(await errors.curateError(world.project.id, error.id, reopened)).toEqual({ ...error, ...reopened });
      expect(await errors.getError(world.project.id, error.id)).toEqual({ ...error, ...reopened });
      const other = await newWorld(world.stores);
      expect(await errors.curateError(other.project.id, error.id, fixed)).toBeNull();
      expect((await errors.getError(world.project.id, error.id))?.solution).toBeNull();
    });

    it("imports a batch in input order, counting repeats within the batch, keeping the latest sighting", async () => {
      const world = await newWorld(await make());
      const { errors } = world.stores;
      const existing = (await errors.upsertError(errorCandidate(world, { lastSeen: T0 + 50 }), linkIds())).error;
      const fresh = errorCandidate(world, { source: "ci", lastCommit: "c1", lastCiJob: "j1" });
      const results = await errors.upsertErrors([
        errorCandidate(world, { fingerprint: existing.fingerprint, lastSeen: T0 + 10 }),
        fresh,
        errorCandidate(world, {
          fingerprint: fresh.fingerprint,
          source: "ci",
          lastCommit: "c2",
          lastCiJob: "j2",
          lastSeen: T0 + 9,
        }),
      ]);
      expect(results.map((result) => [result.error.id, result.inserted, result.error.occurrences])).toEqual([
        [existing.id, false, 2],
        [fresh.id, true, 1],
        [fresh.id, false, 2],
      ]);
      expect(results[0]?.error.lastSeen).toBe(T0 + 50);
      expect(results[2]?.error).toMatchObject({ lastSeen: T0 + 9, lastCommit: "c2", lastCiJob: "j2", sessionId: null });
      expect(await errors.upsertErrors([])).toEqual([]);
    });

    it("refuses a replayed delivery (same id, or same body) and writes nothing of it", async () => {
      const world = await newWorld(await make());
      const { errors } = world.stores;
      const first = delivery(world, { bodySha256: "a".repeat(64) });
      await errors.upsertErrors([errorCandidate(world)], { delivery: first });
      const before = await errors.errorVectorCounts(world.project.id, "m");
      const replayed = [errorCandidate(world), errorCandidate(world)];
      await expect(
        errors.upsertErrors(replayed, { delivery: { ...first, bodySha256: "b".repeat(64) } }),
      ).rejects.toMatchObject({ code: "conflict" });
      await expect(
        errors.upsertErrors(replayed, { delivery: delivery(world, { bodySha256: "a".repeat(64) }) }),
      ).rejects.toMatchObject({ code: "conflict" });
      expect(await errors.errorVectorCounts(world.project.id, "m")).toEqual(before);
      expect(await errors.getErrorsByIds(world.project.id, ids(replayed))).toEqual([]);
      // The same delivery id is another delivery in another project.
      const other = await otherProject(world);
      const elsewhere = await errors.upsertErrors([errorCandidate(world, { projectId: other.id })], {
        delivery: { ...first, projectId: other.id },
      });
      expect(elsewhere).toHaveLength(1);
    });

    it("refuses an id another error has, in any project, and writes nothing of a batch holding one", async () => {
      const world = await newWorld(await make());
      const { errors } = world.stores;
      const other = await otherProject(world);
      const { error: taken } = await errors.upsertError(errorCandidate(world), linkIds());
      const collision = errorCandidate(world, { id: taken.id, projectId: other.id });
      await expect(errors.upsertError(collision, linkIds())).rejects.toThrow();
      expect(await errors.getError(world.project.id, taken.id)).toEqual(taken);
      expect(await errors.getError(other.id, taken.id)).toBeNull();

      const fresh = errorCandidate(world);
      const repeat = errorCandidate(world, { fingerprint: taken.fingerprint });
      await expect(errors.upsertErrors([fresh, repeat, errorCandidate(world, { id: taken.id })])).rejects.toThrow();
      expect(await errors.getError(world.project.id, fresh.id)).toBeNull();
      expect(await errors.getError(world.project.id, taken.id)).toEqual(taken);
    });

    it("finds errors by id within the project only, however many ids are asked for", async () => {
      const world = await newWorld(await make());
      const { errors } = world.stores;
      const candidates = Array.from({ length: 120 }, () => errorCandidate(world));
      await errors.upsertErrors(candidates);
      const other = await otherProject(world);
      const foreign = (await errors.upsertError(errorCandidate(world, { projectId: other.id }), linkIds())).error;
      const wanted = [...ids(candidates), foreign.id, uid("err"), candidates[0]?.id ?? ""];
      const found = await errors.getErrorsByIds(world.project.id, wanted);
      expect(ids(found).sort()).toEqual(ids(candidates).sort());
      expect(await errors.getErrorsByIds(world.project.id, [])).toEqual([]);
    });

    it("rewrites an error's details, not its identity, and only in its own project", async () => {
      const world = await newWorld(await make());
      const { errors } = world.stores;
      const { error } = await errors.upsertError(errorCandidate(world), linkIds());
      const details = {
        filePath: "src/b.py",
        lineNumber: 9,
        stackTrace: "trace",
        stackTraceTruncated: true,
        searchTerms: "typeerror undefined b_py",
      };
      expect(await errors.updateErrorDetails(world.project.id, error.id, details)).toEqual({ ...error, ...details });
      const other = await otherProject(world);
      await expect(errors.updateErrorDetails(other.id, error.id, { ...details, lineNumber: 1 })).rejects.toThrow();
      expect((await errors.getError(world.project.id, error.id))?.lineNumber).toBe(9);
    });

    it("pages errors newest first, optionally only resolved or only open ones", async () => {
      const world = await newWorld(await make());
      const { errors } = world.stores;
      const other = await otherProject(world);
      const made: ErrorRecord[] = [];
      for (const [index, offset] of [5, 1, 5, 3, 8, 5].entries()) {
        const resolved = index % 2 === 0;
        const extra = resolved ? { solution: "s", resolved, resolvedAt: T0 } : {};
        made.push(
          (await errors.upsertError(errorCandidate(world, { createdAt: T0 + offset, ...extra }), linkIds())).error,
        );
        await errors.upsertError(errorCandidate(world, { projectId: other.id, createdAt: T0 + offset }), linkIds());
      }
      const newestFirst = (rows: ErrorRecord[]) =>
        [...rows].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)).map((row) => row.id);
      for (const limit of [1, 4, 10]) {
        const listed = await allPages((page) => errors.listErrors(world.project.id, page), limit);
        expect(ids(listed)).toEqual(newestFirst(made));
        const open = await allPages((page) => errors.listErrors(world.project.id, { ...page, resolved: false }), limit);
        expect(ids(open)).toEqual(newestFirst(made.filter((error) => !error.resolved)));
        const fixed = await allPages((page) => errors.listErrors(world.project.id, { ...page, resolved: true }), limit);
        expect(ids(fixed)).toEqual(newestFirst(made.filter((error) => error.resolved)));
      }
    });

    it("tracks which errors have a vector from the current model, which failed, and which are pending", async () => {
      const world = await newWorld(await make());
      const { errors } = world.stores;
      const project = world.project.id;
      const made = [];
      for (let index = 0; index < 5; index++) made.push(errorCandidate(world, { id: `${uid("err")}-${index}` }));
      await errors.upsertErrors(made);
      const sorted = ids(made).sort();
      const [a, b, c, d, e] = sorted as [string, string, string, string, string];
      const other = await otherProject(world);
      await errors.upsertErrors([errorCandidate(world, { projectId: other.id })]);

      expect(await errors.countErrorsNotVectorIndexed(project, "m2")).toBe(5);
      await errors.markErrorsVectorIndexed(project, [a, b], "m1", T0 + 1);
      await errors.markErrorsVectorIndexed(project, [c], "m2", T0 + 1);
      await errors.markErrorsVectorIndexed(other.id, [d], "m2", T0 + 1);
      expect(await errors.countErrorsNotVectorIndexed(project, "m2")).toBe(4);
      expect(await errors.countErrorsNotVectorIndexed(project, "m1")).toBe(3);
      expect(await errors.listErrorIdsNotVectorIndexed(project, "m2", null, 10)).toEqual([a, b, d, e]);
      expect(await errors.listErrorIdsNotVectorIndexed(project, "m2", null, 2)).toEqual([a, b]);
      expect(await errors.listErrorIdsNotVectorIndexed(project, "m2", b, 2)).toEqual([d, e]);

      // A job requested at T0 + 5 fails: c and d were indexed at T0 + 1 (before), e at T0 + 9 (after it).
      await errors.markErrorsVectorIndexed(project, [e], "m2", T0 + 9);
      expect(await errors.markErrorsVectorFailed(project, [c, d, e], T0 + 5, T0 + 10)).toBe(2);
      expect(await errors.errorVectorCounts(project, "m2")).toEqual({ total: 5, indexed: 1, failed: 2 });
      expect(await errors.errorVectorCounts(project, "m1")).toEqual({ total: 5, indexed: 2, failed: 2 });
      expect((await errors.getError(project, c))?.vectorModel).toBe(VECTOR_FAILED);

      await errors.resetErrorVectorState(project, "failed", T0 + 20);
      expect(await errors.errorVectorCounts(project, "m1")).toEqual({ total: 5, indexed: 2, failed: 0 });
      expect(await errors.getError(project, d)).toMatchObject({ vectorModel: null, vectorIndexedAt: T0 + 20 });
      await errors.resetErrorVectorState(project, "all", T0 + 30);
      expect(await errors.errorVectorCounts(project, "m2")).toEqual({ total: 5, indexed: 0, failed: 0 });
      expect(await errors.countErrorsNotVectorIndexed(other.id, "m2")).toBe(1);
      expect(await errors.errorVectorCounts(uid("proj"), "m2")).toEqual({ total: 0, indexed: 0, failed: 0 });
    });

    it("claims overdue unindexed errors of every project, oldest first, once per overdue period", async () => {
      const world = await newWorld(await make());
      const { errors } = world.stores;
      const other = await otherProject(world);
      // Times far below every other test's, so no other test's errors are older than these.
      const oldest = errorCandidate(world, { projectId: other.id, createdAt: 1 });
      const middle = errorCandidate(world, { createdAt: 2 });
      const newest = errorCandidate(world, { createdAt: 3 });
      const indexed = errorCandidate(world, { createdAt: 0, vectorModel: "m", vectorIndexedAt: 0 });
      await errors.upsertErrors([newest, indexed, middle, oldest]);
      const claimed = await errors.claimOverdueUnindexedErrors(100, 200, 2);
      expect(claimed).toEqual(
        expect.arrayContaining([
          { projectId: other.id, id: oldest.id },
          { projectId: world.project.id, id: middle.id },
        ]),
      );
      expect(claimed).toHaveLength(2);
      const next = await errors.claimOverdueUnindexedErrors(100, 200, 10);
      expect(next).toContainEqual({ projectId: world.project.id, id: newest.id });
      expect(ids(next)).not.toContain(oldest.id);
      expect(ids(next)).not.toContain(indexed.id);
      expect((await errors.getError(world.project.id, middle.id))?.vectorIndexedAt).toBe(200);
    });

    it("finds lexical candidates in the project only, better matches first, with the filters applied", async () => {
      const world = await newWorld(await make());
      const { errors } = world.stores;
      const project = world.project.id;
      const both = errorCandidate(world, { searchTerms: "alpha beta", tags: ["db"], filePath: "src/db/pool.py" });
      const one = errorCandidate(world, {
        searchTerms: "beta gamma",
        errorType: "pkg.KeyError",
        solution: "s",
        resolved: true,
        lastSeen: T0 + 50,
      });
      const none = errorCandidate(world, { searchTerms: "gamma delta" });
      const filler = errorCandidate(world, { searchTerms: "delta epsilon" });
      await errors.upsertErrors([both, one, none, filler]);
      const other = await otherProject(world);
      await errors.upsertErrors([errorCandidate(world, { projectId: other.id, searchTerms: "alpha beta" })]);

      const search = async (terms: string[], filters = {}) =>
        (
          await errors.searchErrorsLexical(project, weighted(terms), {
            limit: 10,
            filters: { ...NO_FILTERS, ...filters },
          })
        ).candidates;
      const ranked = await search(["alpha", "beta"]);
      expect(ranked.map((hit) => hit.error.id)).toEqual([both.id, one.id]);
      expect(ranked[0]?.error).toEqual({ ...both, sessionId: null });
      expect(ranked[0]?.bm25).toBeLessThanOrEqual(ranked[1]?.bm25 ?? Number.NaN);
      expect(await search([])).toEqual([]);
      expect(await search(["zeta"])).toEqual([]);
      const limited = await errors.searchErrorsLexical(project, weighted(["alpha", "beta"]), {
        limit: 1,
        filters: NO_FILTERS,
      });
      expect(limited.candidates.length).toBe(1);
      // The statistics come with the candidates, the same as termStatistics reports.
      expect(limited.stats).toEqual(await errors.termStatistics(project, ["alpha", "beta"]));

      const hits = async (filters: object) =>
        (await search(["alpha", "beta", "gamma"], filters)).map((hit) => hit.error.id);
      expect(await hits({ resolvedOnly: true })).toEqual([one.id]);
      expect(await hits({ errorType: "keyerror" })).toEqual([one.id]);
      expect(await hits({ file: "db/pool.py" })).toEqual([both.id]);
      expect(await hits({ file: "b/pool.py" })).toEqual([]);
      expect(await hits({ tag: "db" })).toEqual([both.id]);
      expect(await hits({ since: T0 + 10 })).toEqual([one.id]);
    });

    it("matches the most informative terms and leaves out common ones below the first two", async () => {
      const world = await newWorld(await make());
      const { errors } = world.stores;
      const project = world.project.id;
      // 60 errors hold "common" (more than MATCH_TERMS.commonMinDocs), one holds "rare", one "scarce".
      const crowd = Array.from({ length: 60 }, () => errorCandidate(world, { searchTerms: "common filler" }));
      const rare = errorCandidate(world, { searchTerms: "rare filler" });
      const scarce = errorCandidate(world, { searchTerms: "scarce filler" });
      await errors.upsertErrors([...crowd, rare, scarce]);
      const ids = async (terms: Array<{ term: string; weight: number }>) =>
        (await errors.searchErrorsLexical(project, terms, { limit: 100, filters: NO_FILTERS })).candidates.map(
          (hit) => hit.error.id,
        );
      // Third by information: left out, so no error holding only "common" is a candidate.
      const three = await ids([
        { term: "rare", weight: 1 },
        { term: "scarce", weight: 1 },
        { term: "common", weight: 1 },
      ]);
      expect(three.sort()).toEqual([rare.id, scarce.id].sort());
      // Among the first two it stays: however common, it is what the query is about.
      expect((await ids([{ term: "common", weight: 1 }])).length).toBe(60);
      // Weight decides the order: a heavy common term comes first, so it is kept (and so are the rare ones).
      const heavy = await ids([
        { term: "common", weight: 50 },
        { term: "rare", weight: 1 },
        { term: "scarce", weight: 0.01 },
      ]);
      expect(heavy.length).toBe(62);
    });

    it("reports term statistics of the project's own errors only", async () => {
      const world = await newWorld(await make());
      const { errors } = world.stores;
      const project = world.project.id;
      await errors.upsertErrors([
        errorCandidate(world, { searchTerms: "alpha beta" }),
        errorCandidate(world, { searchTerms: "beta gamma delta" }),
      ]);
      const before = await errors.termStatistics(project, ["alpha", "beta", "omega"]);
      expect(before.documents).toBe(2);
      expect(before.averageTerms).toBeCloseTo(2.5, 5);
      expect([...before.docs].sort()).toEqual([
        ["alpha", 1],
        ["beta", 2],
      ]);
      // Another project holding the same and new words changes nothing here: neither a score nor which terms
      // exist can be learned from, or influenced by, another team's errors.
      const other = await otherProject(world);
      await errors.upsertErrors(
        ["alpha omega", "alpha", "omega beta"].map((searchTerms) =>
          errorCandidate(world, { projectId: other.id, searchTerms }),
        ),
      );
      expect(await errors.termStatistics(project, ["alpha", "beta", "omega"])).toEqual(before);
      const empty = await errors.termStatistics("no-such-project", ["alpha"]);
      expect(empty).toEqual({ documents: 0, averageTerms: 0, docs: new Map() });
    });
  });
}
