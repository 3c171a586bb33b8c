/**
 * The behaviour the domain relies on from the ContextStore's read models (project context snapshot, pattern
 * inputs, memory-graph edges), through the port only; the records are written through the other stores.
 */
import { describe, expect, it } from "vitest";
import type { GraphEdge, GraphEdgeQuery } from "../../src/domain/context/ports";
import { edgeCursorOf } from "../../src/domain/context/graph-edges";
import {
  T0,
  change,
  decision,
  errorCandidate,
  ids,
  linkIds,
  uid,
  newWorld,
  otherProject,
  session,
  type MakeRecordStores,
} from "./record-fixtures";

export function contextStoreContract(name: string, make: MakeRecordStores): void {
  describe(`ContextStore contract: ${name}`, () => {
    it("snapshots the project's records, ordered and capped per section, with totals of the whole project", async () => {
      const world = await newWorld(await make());
      const { decisions, errors, sessions, context } = world.stores;
      const other = await otherProject(world);
      const paths = ["src/a.ts", "src/b.ts", "src/a.ts", "src/c.ts", "src/a.ts", "src/b.ts"];
      const changed = [];
      for (const [index, filePath] of paths.entries()) {
        changed.push(await decisions.insertFileChange(change(world, { filePath, createdAt: T0 + index }), []));
      }
      const made = [];
      for (const offset of [1, 3, 2])
        made.push(await decisions.insertDecision(decision(world, { createdAt: T0 + offset }), []));
      const rare = await errors.upsertError(errorCandidate(world, { lastSeen: T0 + 50 }), linkIds());
      const frequent = await errors.upsertError(errorCandidate(world, { occurrences: 5 }), linkIds());
      const recent = await errors.upsertError(errorCandidate(world, { lastSeen: T0 + 90 }), linkIds());
      const fixedEarly = await errors.upsertError(
        errorCandidate(world, { solution: "a", resolved: true, resolvedAt: T0 + 1 }),
        linkIds(),
      );
      const fixedLate = await errors.upsertError(
        errorCandidate(world, { solution: "b", resolved: true, resolvedAt: T0 + 7 }),
        linkIds(),
      );
      await sessions.insertSession(session(world));
      await decisions.insertFileChange(change(world, { projectId: other.id, filePath: "elsewhere.ts" }), []);
      await errors.upsertError(errorCandidate(world, { projectId: other.id, occurrences: 99 }), linkIds());

      const snapshot = await context.contextSnapshot(world.project.id, [], 2);
      expect(ids(snapshot.recentChanges)).toEqual([changed[5]?.id, changed[4]?.id]);
      expect(ids(snapshot.openErrors)).toEqual([frequent.error.id, recent.error.id]);
      expect(ids(snapshot.resolvedErrors)).toEqual([fixedLate.error.id, fixedEarly.error.id]);
      expect(ids(snapshot.decisions)).toEqual([made[1]?.id, made[2]?.id]);
      expect(snapshot.hotFiles).toEqual([
        { filePath: "src/a.ts", changes: 3 },
        { filePath: "src/b.ts", changes: 2 },
        { filePath: "src/c.ts", changes: 1 },
      ]);
      expect([...snapshot.knownPaths].sort()).toEqual(["src/a.ts", "src/b.ts", "src/c.ts"]);
      expect(snapshot.totals).toEqual({ changes: 6, errors: 5, openErrors: 3, decisions: 3, sessions: 1 });
      expect(rare.inserted).toBe(true);
      const empty = await context.contextSnapshot((await otherProject(world, "empty")).id, [], 5);
      expect(empty.totals).toEqual({ changes: 0, errors: 0, openErrors: 0, decisions: 0, sessions: 0 });
      expect(empty.hotFiles).toEqual([]);
    });

    it("narrows the snapshot's lists to records matching any focus term, but not its totals or paths", async () => {
      const world = await newWorld(await make());
      const { decisions, errors, context } = world.stores;
      const paid = await decisions.insertFileChange(change(world, { filePath: "src/payment/api.ts" }), []);
      const refund = await decisions.insertFileChange(
        change(world, { filePath: "src/x.ts", reason: "refund flow" }),
        [],
      );
      await decisions.insertFileChange(change(world, { filePath: "src/login.ts", reason: "tidy" }), []);
      const chosen = await decisions.insertDecision(decision(world, { decision: "retry payment twice" }), []);
      await decisions.insertDecision(decision(world, { decision: "cache sessions" }), []);
      const failing = await errors.upsertError(errorCandidate(world, { searchTerms: "payment declined" }), linkIds());
      await errors.upsertError(errorCandidate(world, { searchTerms: "login timeout" }), linkIds());

      const snapshot = await context.contextSnapshot(world.project.id, ["payment", "refund"], 10);
      expect(ids(snapshot.recentChanges).sort()).toEqual([paid.id, refund.id].sort());
      expect(ids(snapshot.decisions)).toEqual([chosen.id]);
      expect(ids(snapshot.openErrors)).toEqual([failing.error.id]);
      expect(snapshot.hotFiles.map((file) => file.filePath).sort()).toEqual(["src/payment/api.ts", "src/x.ts"]);
      expect(snapshot.knownPaths).toHaveLength(3);
      expect(snapshot.totals).toMatchObject({ changes: 3, errors: 2, decisions: 2 });
    });

    it("gives pattern inputs: every change newest first and every error's type, count and state", async () => {
      const world = await newWorld(await make());
      const { decisions, errors, context } = world.stores;
      await decisions.insertFileChange(change(world, { filePath: "a.ts", action: "create", createdAt: T0 + 1 }), []);
      await decisions.insertFileChange(change(world, { filePath: "b.ts", action: "test", createdAt: T0 + 2 }), []);
      await errors.upsertError(errorCandidate(world, { errorType: "KeyError", occurrences: 3 }), linkIds());
      await errors.upsertError(
        errorCandidate(world, { errorType: "OSError", solution: "s", resolved: true }),
        linkIds(),
      );
      await decisions.insertFileChange(change(world, { projectId: (await otherProject(world)).id }), []);
      const inputs = await context.patternInputs(world.project.id);
      expect(inputs.changes).toEqual([
        { filePath: "b.ts", action: "test", createdAt: T0 + 2 },
        { filePath: "a.ts", action: "create", createdAt: T0 + 1 },
      ]);
      const byType = [...inputs.errors].sort((a, b) => a.errorType.localeCompare(b.errorType));
      expect(byType).toEqual([
        { errorType: "KeyError", occurrences: 3, resolved: false, tags: [] },
        { errorType: "OSError", occurrences: 1, resolved: true, tags: [] },
      ]);
    });

    it("gives a file's lessons: its recurring or fixed errors and the decisions concerning it, either path the longer", async () => {
      const world = await newWorld(await make());
      const { decisions, errors, context } = world.stores;
      const other = await otherProject(world);
      const concerns = (id: string, projectId: string, file: string) => [
        link(`${id}-concerns`, projectId, ["decision", id], "concerns", ["file", file], T0),
      ];
      const at = (filePath: string | null, overrides: Parameters<typeof errorCandidate>[1] = {}) =>
        errors.upsertError(errorCandidate(world, { filePath, fingerprint: uid("fp"), ...overrides }), linkIds());
      const recurring = await at("src/auth/login.py", { occurrences: 3, lastSeen: T0 + 5 });
      const fixed = await at("/home/me/repo/src/auth/login.py", {
        solution: "s",
        resolved: true,
        resolvedAt: T0,
        lastSeen: T0 + 9,
      });
      await at("src/auth/login.py", { occurrences: 1 }); // seen once, never fixed: nothing learned yet
      await at("src/xauth/login.py", { occurrences: 4 }); // not the file: only a suffix of its name
      await at("login.py", { occurrences: 4 }); // a bare name says too little to tie to this file
      await errors.upsertError(
        errorCandidate(world, { projectId: other.id, filePath: "src/auth/login.py", occurrences: 9 }),
        linkIds(),
      );
      const dec = decision(world, { relatedFiles: ["auth/login.py"], createdAt: T0 + 2 });
      const chosen = await decisions.insertDecision(dec, concerns(dec.id, world.project.id, "auth/login.py"));
      const unrelated = decision(world, { relatedFiles: ["src/other.py"] });
      await decisions.insertDecision(unrelated, concerns(unrelated.id, world.project.id, "src/other.py"));
      const foreign = decision(world, { projectId: other.id, relatedFiles: ["src/auth/login.py"] });
      await decisions.insertDecision(foreign, concerns(foreign.id, other.id, "src/auth/login.py"));

      const lessons = await context.fileLessons(world.project.id, "src/auth/login.py", 5);
      expect(ids(lessons.errors)).toEqual([fixed.error.id, recurring.error.id]);
      expect(ids(lessons.decisions)).toEqual([chosen.id]);
      const capped = await context.fileLessons(world.project.id, "src/auth/login.py", 1);
      expect(ids(capped.errors)).toEqual([fixed.error.id]);
      expect(await context.fileLessons(world.project.id, "src/none.py", 5)).toEqual({ errors: [], decisions: [] });
    });

    it("gives the project at a glance: error counts since a time, sessions, decisions, the latest CI failures", async () => {
      const world = await newWorld(await make());
      const { decisions, errors, sessions, context } = world.stores;
      const since = T0 + 100;
      const at = (overrides: Parameters<typeof errorCandidate>[1]) =>
        errors.upsertError(errorCandidate(world, { fingerprint: uid("fp"), ...overrides }), linkIds());
      await at({ firstSeen: T0, lastSeen: T0 + 150 }); // came back this week
      await at({ firstSeen: T0, lastSeen: T0 + 50, solution: "s", resolved: true, resolvedAt: T0 + 60 });
      const ciOld = await at({ firstSeen: T0 + 120, lastSeen: T0 + 120, source: "ci" });
      const ciNew = await at({ firstSeen: T0 + 130, lastSeen: T0 + 140, source: "ci" });
      await sessions.insertSession(session(world));
      await decisions.insertDecision(decision(world), []);
      const other = await otherProject(world);
      await errors.upsertError(errorCandidate(world, { projectId: other.id, source: "ci" }), linkIds());

      const overview = await context.overview(world.project.id, since, 5);
      expect(overview.errors).toEqual({ open: 3, resolved: 1, recurring: 1, new: 2 });
      expect(overview.sessions).toEqual({ total: 1, active: 1 });
      expect(overview.decisions).toBe(1);
      expect(ids(overview.ciFailures)).toEqual([ciNew.error.id, ciOld.error.id]);
      expect(ids((await context.overview(world.project.id, since, 1)).ciFailures)).toEqual([ciNew.error.id]);
      const empty = await context.overview(other.id, since, 5);
      expect(empty.errors).toEqual({ open: 1, resolved: 0, recurring: 0, new: 0 });
    });

    it("lists memory-graph edges in one stable order, filtered, and pages them with the last edge as cursor", async () => {
      const world = await newWorld(await make());
      const { decisions, errors, sessions, context } = world.stores;
      // Edges of one time and source are listed by id: these ids fix the order of the links written at T0 + 20.
      const suffix = crypto.randomUUID().slice(0, 8);
      await sessions.insertSession(session(world, { startedAt: T0 }));
      const concerning = decision(world, { createdAt: T0 + 10 });
      const made = await decisions.insertDecision(concerning, [
        link(
          `l3-${suffix}`,
          world.project.id,
          ["decision", concerning.id],
          "concerns",
          ["file", "src/pay.ts"],
          T0 + 10,
        ),
      ]);
      const implementing = change(world, { filePath: "src/pay.ts", implementsDecisionId: made.id, createdAt: T0 + 20 });
      await decisions.insertFileChange(implementing, [
        link(
          `l2-${suffix}`,
          world.project.id,
          ["change", implementing.id],
          "implements",
          ["decision", made.id],
          T0 + 20,
        ),
      ]);
      await decisions.insertFileChange(change(world, { filePath: "lib/other.ts", createdAt: T0 + 10 }), []);
      const failed = await errors.upsertError(
        errorCandidate(world, {
          filePath: "src/pay.ts",
          createdAt: T0 + 20,
          solution: "pin the version",
          resolved: true,
          resolvedAt: T0 + 30,
        }),
        { occurredIn: `l0-${suffix}`, resolvedIn: `l1-${suffix}` },
      );
      const elsewhere = await otherProject(world);
      await decisions.insertFileChange(change(world, { projectId: elsewhere.id, createdAt: T0 + 15 }), []);

      const query = (overrides: Partial<GraphEdgeQuery> = {}) =>
        context.graphEdges(world.project.id, { node: null, relation: null, after: null, limit: 100, ...overrides });
      const all = await query();
      const summary = (edges: GraphEdge[]) =>
        edges.map((edge) => `${edge.from.type}-${edge.relation}->${edge.to.type}`);
      expect(summary(all)).toEqual([
        "error-solved_by->solution",
        "error-occurred_in->session",
        "error-resolved_in->session",
        "change-implements->decision",
        "error-about->file",
        "change-modifies->file",
        "decision-concerns->file",
        "change-modifies->file",
      ]);
      expect(all[0]).toMatchObject({ label: "pin the version", from: { id: failed.error.id }, createdAt: T0 + 30 });
      expect(all.every((edge) => edge.createdAt >= T0)).toBe(true);

      const pages: GraphEdge[] = [];
      for (let after = null as GraphEdgeQuery["after"], round = 0; round < 10; round++) {
        const page = await query({ after, limit: 3 });
        pages.push(...page);
        const last = page[page.length - 1];
        if (page.length < 3 || !last) break;
        after = edgeCursorOf(last);
      }
      expect(pages).toEqual(all);

      expect(summary(await query({ relation: "modifies" }))).toEqual([
        "change-modifies->file",
        "change-modifies->file",
      ]);
      const aboutFile = await query({ node: { type: "file", id: "pay.ts" } });
      expect(summary(aboutFile)).toEqual(["error-about->file", "change-modifies->file"]);
      const aboutError = await query({ node: { type: "error", id: failed.error.id } });
      expect(summary(aboutError)).toEqual([
        "error-solved_by->solution",
        "error-occurred_in->session",
        "error-resolved_in->session",
        "error-about->file",
      ]);
      const aboutDecision = await query({ node: { type: "decision", id: made.id } });
      expect(summary(aboutDecision)).toEqual(["change-implements->decision", "decision-concerns->file"]);
      expect(
        await context.graphEdges(elsewhere.id, {
          node: { type: "file", id: "src/pay.ts" },
          relation: null,
          after: null,
          limit: 10,
        }),
      ).toEqual([]);
    });
  });
}

type Node = [type: string, id: string];

function link(id: string, projectId: string, from: Node, relation: string, to: Node, createdAt: number) {
  return { id, projectId, fromType: from[0], fromId: from[1], relation, toType: to[0], toId: to[1], createdAt };
}
