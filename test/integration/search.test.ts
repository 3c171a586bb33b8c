import type { Client } from "@modelcontextprotocol/client";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { callTool, mcpClient, newUser, rest, uniqueName } from "../helpers";

/** Distinct letter-only words, so each message normalises to a different error. */
function word(i: number): string {
  return [...i.toString(26).padStart(3, "0")].map((d) => String.fromCharCode(97 + parseInt(d, 26))).join("");
}

describe("error search", () => {
  it("still finds the right error when the query is full of terms every error contains", async () => {
    const { token } = await newUser();
    const base = `/api/v1/projects/${uniqueName("common")}`;
    const records = Array.from({ length: 70 }, (_, i) => ({
      error_type: "ValueError",
      message: `invalid value error in module ${word(i)}`,
    }));
    for (const body of records) expect((await rest(token, "POST", `${base}/errors`, body)).status).toBe(201);
    const target = await rest(token, "POST", `${base}/errors`, {
      error_type: "KeyError",
      message: "missing user_id in request payload",
    });

    const hit = await rest(token, "POST", `${base}/errors/search`, {
      query: "ValueError invalid value error KeyError user_id",
    });
    expect(hit.body.results[0].error_id).toBe(target.body.error_id);

    const onlyCommon = await rest(token, "POST", `${base}/errors/search`, { query: "invalid value error", k: 3 });
    expect(onlyCommon.body.count).toBe(3);

    const byIdentifier = await rest(token, "POST", `${base}/errors/search`, { query: "user_id" });
    expect(byIdentifier.body.results[0].error_id).toBe(target.body.error_id);

    const unknown = await rest(token, "POST", `${base}/errors/search`, { query: "zzqxv wwqpt" });
    expect(unknown.body.count).toBe(0);
  }, 90_000); // 75 calls
});

describe("search statistics are per project", () => {
  /** What a user sees of a ranking: every field of every hit, scores and signals included. */
  async function ranking(token: string, client: Client, slug: string, query: string) {
    const viaRest = await rest(token, "POST", `/api/v1/projects/${slug}/errors/search`, { query, mode: "lexical" });
    expect(viaRest.status, JSON.stringify(viaRest.body)).toBe(200);
    // Hybrid through MCP: vectors live in a per-project namespace, and lexical statistics are now per project too.
    const viaMcp = await callTool(client, "coding_search_errors", { project_id: slug, query });
    expect(viaMcp.isError, viaMcp.text).toBe(false);
    return { rest: viaRest.body.results, mcp: viaMcp.data.results };
  }

  /** Until the queue consumer has built every vector of the project, so no hit changes from pending to indexed. */
  async function waitIndexed(token: string, slug: string) {
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const status = await rest(token, "GET", `/api/v1/projects/${slug}/errors/index-status`);
      if (status.body.total > 0 && status.body.pending === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("vectors were not indexed within 30 s");
  }

  it("gives the same scores and ranking in one team's project whatever another team records", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const mine = uniqueName("stats-a");
    const theirs = uniqueName("stats-b");
    const client = await mcpClient(alice.token);
    try {
      for (const message of ["replication lag on beta shard", "replication lag on gamma shard"]) {
        const recorded = await rest(alice.token, "POST", `/api/v1/projects/${mine}/errors`, {
          error_type: "SyncError",
          message,
        });
        expect(recorded.status).toBe(201);
      }
      await waitIndexed(alice.token, mine);
      // Each query term matches one of the two errors; a probe for a word only the other team will have.
      const queries = ["beta gamma", "replication lag beta", "gamma zqxjkvortex", "zqxjkvortex"];
      const before = await Promise.all(queries.map((q) => ranking(alice.token, client, mine, q)));
      expect(before[0]?.rest).toHaveLength(2);
      expect(before[0]?.rest[0].score).toBe(before[0]?.rest[1].score);
      expect(before[3]?.rest).toHaveLength(0);

      // Another team: many errors with one of the query's words, and the rare word.
      const errors = Array.from({ length: 80 }, (_, i) => ({
        error_type: "SyncError",
        message: `beta replication failure ${word(i)} zqxjkvortex`,
      }));
      const imported = await rest(bob.token, "POST", `/api/v1/projects/${theirs}/errors/import`, { errors });
      expect(imported.status, JSON.stringify(imported.body)).toBe(201);

      const after = await Promise.all(queries.map((q) => ranking(alice.token, client, mine, q)));
      expect(after).toEqual(before);
      // And the other team's project ranks with its own statistics: its rare word is everywhere there.
      const there = await rest(bob.token, "POST", `/api/v1/projects/${theirs}/errors/search`, {
        query: "zqxjkvortex",
        mode: "lexical",
        k: 3,
      });
      expect(there.body.count).toBe(3);
    } finally {
      await client.close();
    }
  }, 75_000); // 60 calls, most of them polling the index

  it("keeps the project's term statistics exact through recurrences, updates and deletions", async () => {
    const { token } = await newUser();
    const slug = uniqueName("stats-c");
    const base = `/api/v1/projects/${slug}`;
    const rare = { error_type: "KeyError", message: "missing tenant_quota in settings" };
    const first = await rest(token, "POST", `${base}/errors`, rare);
    for (let i = 0; i < 5; i += 1) {
      await rest(token, "POST", `${base}/errors`, {
        error_type: "KeyError",
        message: `missing ${word(i)} in settings`,
      });
    }
    // A recurrence is the same record: nothing is counted twice.
    expect((await rest(token, "POST", `${base}/errors`, rare)).body.occurrences).toBe(2);
    const project = await env.DB.prepare("SELECT id FROM projects WHERE slug = ?").bind(slug).first<{ id: string }>();
    const projectId = project?.id ?? "";

    /** The statistics the triggers keep, against a recount from the project's rows. */
    async function expectExact() {
      const rows = await env.DB.prepare("SELECT search_terms FROM errors WHERE project_id = ?")
        .bind(projectId)
        .all<{ search_terms: string }>();
      const docs = new Map<string, number>();
      let terms = 0;
      for (const row of rows.results) {
        const list = row.search_terms ? row.search_terms.split(" ") : [];
        terms += list.length;
        for (const term of new Set(list)) docs.set(term, (docs.get(term) ?? 0) + 1);
      }
      const stats = await env.DB.prepare("SELECT term, docs FROM error_term_stats WHERE project_id = ?")
        .bind(projectId)
        .all<{ term: string; docs: number }>();
      expect(new Map(stats.results.map((row) => [row.term, row.docs]))).toEqual(docs);
      const totals = await env.DB.prepare("SELECT docs, terms FROM error_search_totals WHERE project_id = ?")
        .bind(projectId)
        .first<{ docs: number; terms: number }>();
      expect(totals).toEqual({ docs: rows.results.length, terms });
      // The narrow rows the first stage scores with (migration 0019) mirror every error of the project.
      const expected = await env.DB.prepare(
        `SELECT rowid AS error_rowid, id AS error_id, resolved,
           CASE WHEN search_terms = '' THEN 0 ELSE length(search_terms) - length(replace(search_terms, ' ', '')) + 1 END AS terms
         FROM errors WHERE project_id = ? ORDER BY rowid`,
      )
        .bind(projectId)
        .all();
      const narrow = await env.DB.prepare(
        "SELECT error_rowid, error_id, resolved, terms FROM error_search_docs WHERE project_id = ? ORDER BY error_rowid",
      )
        .bind(projectId)
        .all();
      expect(narrow.results).toEqual(expected.results);
    }
    await expectExact();
    expect(
      await env.DB.prepare("SELECT docs FROM error_term_stats WHERE project_id = ? AND term = 'tenant_quota'")
        .bind(projectId)
        .first(),
    ).toEqual({ docs: 1 });

    // What fillErrorDetails does (new search terms), and a deletion, go through the same triggers.
    await env.DB.prepare("UPDATE errors SET search_terms = search_terms || ' quota_overflow' WHERE id = ?")
      .bind(first.body.error_id)
      .run();
    await env.DB.prepare("UPDATE errors SET resolved = 1, solution = 'raise the quota' WHERE id = ?")
      .bind(first.body.error_id)
      .run();
    await env.DB.prepare("DELETE FROM errors WHERE project_id = ? AND message = ?")
      .bind(projectId, `missing ${word(0)} in settings`)
      .run();
    await expectExact();

    const hit = await rest(token, "POST", `${base}/errors/search`, {
      query: "quota_overflow settings",
      mode: "lexical",
    });
    expect(hit.body.results[0].error_id).toBe(first.body.error_id);
  }, 25_000); // 9 calls
});
