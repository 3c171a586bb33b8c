import { describe, expect, it } from "vitest";
import { newUser, rest, uniqueName } from "../helpers";

// Real pytest output as a terminal shows it (no CI timestamps): what a hook hands over after `pytest` fails.
const PYTEST_OUTPUT = [
  "============================= test session starts ==============================",
  "collected 3 items",
  "tests/test_auth.py .F.                                                     [100%]",
  "=================================== FAILURES ===================================",
  "______________________________ test_token_expiry _______________________________",
  "",
  "    def test_token_expiry():",
  "        token = issue_token(user)",
  ">       assert token.expires_at > datetime.now()",
  "E       TypeError: can't compare offset-naive and offset-aware datetimes",
  "",
  "tests/test_auth.py:42: TypeError",
  "=========================== short test summary info ============================",
  "FAILED tests/test_auth.py::test_token_expiry - TypeError: can't compare offset-naive and offset-aware datetimes",
  "========================= 1 failed, 2 passed in 0.12s ==========================",
].join("\n");

const capture = (token: string, project: string, eventId: string, output = PYTEST_OUTPUT) =>
  rest(token, "POST", `/api/v1/projects/${project}/errors/capture`, {
    event_id: eventId,
    client: "claude-code",
    command: "pytest -q",
    exit_code: 1,
    output,
  });

describe("errors captured by client hooks", () => {
  it("records the parsed failure in the author's session, counts a repeat, and offers the fix back", async () => {
    const { token } = await newUser();
    const project = uniqueName("capture");
    const started = await rest(token, "POST", `/api/v1/projects/${project}/sessions`, { description: "hooks" });
    expect(started.status).toBe(201);

    const first = await capture(token, project, crypto.randomUUID());
    expect(first.status).toBe(201);
    expect(first.body.recorded).toBe(1);
    const [error] = first.body.errors;
    expect(error).toMatchObject({ error_type: "TypeError", file_path: "tests/test_auth.py", line_number: 42 });
    expect(error.recurring).toBe(false);

    const listed = await rest(token, "GET", `/api/v1/projects/${project}/errors`);
    const [stored] = listed.body.items;
    expect(stored.tags).toEqual(expect.arrayContaining(["claude-code", "pytest"]));
    // The author's own error in their session, not CI's.
    expect(stored).toMatchObject({ source: "user", session_id: started.body.session_id, last_ci_job: null });

    await rest(token, "POST", `/api/v1/projects/${project}/errors/${error.error_id}/resolve`, {
      solution: "Compare aware datetimes: datetime.now(timezone.utc).",
    });
    const second = await capture(token, project, crypto.randomUUID());
    expect(second.status).toBe(201);
    expect(second.body.errors[0]).toMatchObject({
      error_id: error.error_id,
      recurring: true,
      occurrences: 2,
      known_solution: "Compare aware datetimes: datetime.now(timezone.utc).",
    });

    const ended = await rest(token, "POST", `/api/v1/projects/${project}/sessions/end`, {});
    expect(ended.status).toBe(200);
    // Both occurrences happened in the session: one error, linked to it.
    expect(ended.body.counts.errors).toBe(1);
  });

  it("records nothing when the same event is sent again (a spool replay after a lost answer)", async () => {
    const { token } = await newUser();
    const project = uniqueName("capture-replay");
    const eventId = crypto.randomUUID();
    expect((await capture(token, project, eventId)).status).toBe(201);
    const again = await capture(token, project, eventId);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, recorded: 0 });
    const listed = await rest(token, "GET", `/api/v1/projects/${project}/errors`);
    expect(listed.body.items.map((e: { occurrences: number }) => e.occurrences)).toEqual([1]);
  });

  it("keeps an unrecognised failure as the command's error, and names a bad field", async () => {
    const { token } = await newUser();
    const project = uniqueName("capture-plain");
    const plain = await capture(token, project, crypto.randomUUID(), "make: *** [Makefile:12: build] Error 2\n");
    expect(plain.status).toBe(201);
    expect(plain.body.errors[0].error_type).toBeTruthy();
    const bad = await rest(token, "POST", `/api/v1/projects/${project}/errors/capture`, {
      event_id: "x",
      client: "claude-code",
      command: "make",
      output: "",
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("event_id");
  });

  it("refuses another user's project and a read-only token", async () => {
    const owner = await newUser();
    const other = await newUser();
    const project = uniqueName("capture-authz");
    expect((await capture(owner.token, project, crypto.randomUUID())).status).toBe(201);
    const foreign = await capture(other.token, `~${owner.userId}/${project}`, crypto.randomUUID());
    expect([403, 404]).toContain(foreign.status);
    const minted = await rest(owner.token, "POST", "/api/v1/tokens", { name: "ro", scopes: ["memory:read"] });
    expect(minted.status).toBe(201);
    const readOnly = await capture(minted.body.token, project, crypto.randomUUID());
    expect(readOnly.status).toBe(403);
  });
});
