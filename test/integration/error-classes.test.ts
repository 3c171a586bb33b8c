import { describe, expect, it } from "vitest";
import { newUser, rest, uniqueName } from "../helpers";

describe("a team's error classes", () => {
  it("tags the team's errors, is counted by patterns and filters search; other teams are untouched", async () => {
    const owner = await newUser();
    const team = uniqueName("ops")
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, "-")
      .slice(0, 40);
    expect((await rest(owner.token, "POST", "/api/v1/teams", { slug: team })).status).toBe(201);
    const api = `/api/v1/teams/${team}/projects/api`;
    const timeout = { error_type: "psycopg.OperationalError", message: "connection timeout expired after 30 s" };
    const early = await rest(owner.token, "POST", `${api}/errors`, timeout);
    expect(early.status).toBe(201);
    // The same project name in the owner's personal team is another team's project.
    const personalApi = `/api/v1/projects/${encodeURIComponent(`~${owner.userId}/api`)}`;
    expect((await rest(owner.token, "POST", `${personalApi}/errors`, timeout)).status).toBe(201);

    const defined = await rest(owner.token, "POST", `/api/v1/teams/${team}/error-classes`, {
      name: "db-timeout",
      type_contains: "OperationalError",
      message_contains: "timeout",
    });
    expect(defined.status).toBe(201);
    expect(defined.body).toMatchObject({ name: "db-timeout", tag: "class:db-timeout", tagged_errors: 1 });
    const bad = await rest(owner.token, "POST", `/api/v1/teams/${team}/error-classes`, { name: "Bad Name!" });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("name");

    // Recorded after the class exists: tagged at once, over REST and by a hook's capture alike.
    await rest(owner.token, "POST", `${api}/errors`, {
      error_type: "OperationalError",
      message: "read TIMEOUT on replica",
    });
    await rest(owner.token, "POST", `${api}/errors`, { error_type: "KeyError", message: "'id'" });
    const captured = await rest(owner.token, "POST", `${api}/errors/capture`, {
      event_id: crypto.randomUUID(),
      client: "claude-code",
      command: "pytest",
      output: [
        "=================================== FAILURES ===================================",
        "_________________________________ test_query _________________________________",
        "    def test_query():",
        ">       rows = db.query('select 1')",
        "E       psycopg.OperationalError: connection timeout expired",
        "",
        "tests/test_db.py:9: OperationalError",
        "=========================== short test summary info ============================",
        "FAILED tests/test_db.py::test_query - psycopg.OperationalError: connection timeout expired",
        "========================= 1 failed in 0.31s ==========================",
      ].join("\n"),
    });
    expect(captured.status).toBe(201);

    const listed = (await rest(owner.token, "GET", `${api}/errors?limit=50`)).body.items as Array<{
      message: string;
      tags: string[];
    }>;
    const tagged = listed.filter((e) => e.tags.includes("class:db-timeout")).map((e) => e.message);
    expect(tagged.length).toBe(3);
    expect(listed.find((e) => e.message === "'id'")?.tags).not.toContain("class:db-timeout");
    const personal = (await rest(owner.token, "GET", `${personalApi}/errors`)).body.items;
    expect(personal[0].tags).not.toContain("class:db-timeout");

    const search = await rest(owner.token, "POST", `${api}/errors/search`, {
      query: "timeout",
      tag: "class:db-timeout",
    });
    expect(search.body.results.length).toBe(3);

    // Patterns count the classes (ten changes make a history worth analysing).
    for (let i = 0; i < 10; i++) {
      await rest(owner.token, "POST", `${api}/changes`, {
        file_path: `src/db${i % 3}.py`,
        action: "edit",
        reason: "r",
      });
    }
    const patterns = await rest(owner.token, "GET", `${api}/patterns?ai=false`);
    expect(patterns.body.error_classes).toEqual([{ name: "db-timeout", records: 3, occurrences: 3, unresolved: 3 }]);

    expect((await rest(owner.token, "DELETE", `/api/v1/teams/${team}/error-classes/db-timeout`)).status).toBe(200);
    const after = (await rest(owner.token, "GET", `${api}/errors?limit=50`)).body.items as Array<{ tags: string[] }>;
    expect(after.some((e) => e.tags.includes("class:db-timeout"))).toBe(false);
    expect((await rest(owner.token, "GET", `/api/v1/teams/${team}/error-classes`)).body.error_classes).toEqual([]);
  }, 60_000); // 25 calls
});
