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

  it("ranks a recorded error by the project's own statistics after it is updated and others are added", async () => {
    const { token } = await newUser();
    const slug = uniqueName("stats-c");
    const base = `/api/v1/projects/${slug}`;
    const rare = await rest(token, "POST", `${base}/errors`, {
      error_type: "KeyError",
      message: "missing tenant_quota in settings",
    });
    for (let i = 0; i < 5; i += 1) {
      await rest(token, "POST", `${base}/errors`, {
        error_type: "KeyError",
        message: `missing ${word(i)} in settings`,
      });
    }
    // The counts the ranking reads are this project's: six errors, one with tenant_quota.
    const counts = await env.DB.prepare(
      `SELECT t.docs AS n, s.docs AS df FROM error_search_totals t
         JOIN projects p ON p.id = t.project_id
         JOIN error_term_stats s ON s.project_id = t.project_id AND s.term = 'tenant_quota'
         WHERE p.slug = ?`,
    )
      .bind(slug)
      .first<{ n: number; df: number }>();
    expect(counts).toEqual({ n: 6, df: 1 });
    const hit = await rest(token, "POST", `${base}/errors/search`, {
      query: "tenant_quota settings",
      mode: "lexical",
    });
    expect(hit.body.results[0].error_id).toBe(rare.body.error_id);
  }, 25_000); // 8 calls
});
