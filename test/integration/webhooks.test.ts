import { afterEach, describe, expect, it, vi } from "vitest";
import { BASE, newUser, rest, uniqueName, workerFetch } from "../helpers";
import { ciSignature, hmac } from "../support/webhook-signing";

const PYTEST_LOG = [
  "2026-11-24T10:00:01.0000000Z ============================= test session starts ==============================",
  "2026-11-24T10:00:02.0000000Z collected 3 items",
  "2026-11-24T10:00:02.1000000Z tests/test_auth.py .F.                                                     [100%]",
  "2026-11-24T10:00:02.2000000Z =================================== FAILURES ===================================",
  "2026-11-24T10:00:02.2000000Z ______________________________ test_token_expiry _______________________________",
  "2026-11-24T10:00:02.2000000Z ",
  "2026-11-24T10:00:02.2000000Z     def test_token_expiry():",
  "2026-11-24T10:00:02.2000000Z         token = issue_token(user)",
  "2026-11-24T10:00:02.2000000Z >       assert token.expires_at > datetime.now()",
  "2026-11-24T10:00:02.2000000Z E       TypeError: can't compare offset-naive and offset-aware datetimes",
  "2026-11-24T10:00:02.2000000Z ",
  "2026-11-24T10:00:02.2000000Z tests/test_auth.py:42: TypeError",
  "2026-11-24T10:00:02.3000000Z =========================== short test summary info ============================",
  "2026-11-24T10:00:02.3000000Z FAILED tests/test_auth.py::test_token_expiry - TypeError: can't compare offset-naive and offset-aware datetimes",
  "2026-11-24T10:00:02.3000000Z ========================= 1 failed, 2 passed in 0.12s ==========================",
].join("\n");

async function githubDelivery(
  project: string,
  secret: string,
  event: string,
  payload: unknown,
  delivery = crypto.randomUUID(),
) {
  const body = JSON.stringify(payload);
  const res = await workerFetch(`${BASE}/webhooks/github?project=${encodeURIComponent(project)}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-GitHub-Event": event,
      "X-GitHub-Delivery": delivery,
      "X-Hub-Signature-256": await hmac(secret, body),
    },
    body,
  });
  return { status: res.status, body: (await res.json()) as any, delivery };
}

function checkRunFailure(log: string, sha = "abc123") {
  return {
    action: "completed",
    check_run: {
      id: 9001,
      name: "pytest",
      head_sha: sha,
      conclusion: "failure",
      html_url: "https://github.com/acme/api/runs/9001",
      app: { slug: "some-ci" },
      output: { title: "1 failed", summary: "tests failed", text: log },
    },
    repository: { full_name: "acme/api" },
  };
}

async function projectWithWebhook(repository?: string) {
  const admin = await newUser();
  const project = uniqueName("ci");
  expect(
    (await rest(admin.token, "POST", `/api/v1/projects/${project}/errors`, { error_type: "Seed", message: "seed" }))
      .status,
  ).toBe(201);
  const hook = await rest(
    admin.token,
    "POST",
    `/api/v1/projects/${project}/webhooks`,
    repository ? { repository } : {},
  );
  expect(hook.status).toBe(201);
  expect(hook.body.secret).toMatch(/^whsec_/);
  return { admin, project, secret: hook.body.secret as string };
}

async function errorCount(token: string, project: string): Promise<number> {
  const listed = await rest(token, "GET", `/api/v1/projects/${project}/errors?limit=200`);
  return listed.body.items.length;
}

describe("CI failure webhooks", () => {
  afterEach(() => vi.restoreAllMocks());

  it("turns a failing pytest log into recorded errors, deduplicated by fingerprint, with the known fix later", async () => {
    const { admin, project, secret } = await projectWithWebhook();
    const first = await githubDelivery(project, secret, "check_run", checkRunFailure(PYTEST_LOG));
    expect(first.status).toBe(201);
    expect(first.body.recorded).toBe(1);
    const recorded = first.body.errors[0];
    expect(recorded).toMatchObject({
      error_type: "TypeError",
      file_path: "tests/test_auth.py",
      line_number: 42,
      job: "pytest",
      recurring: false,
    });
    expect(recorded.message).toContain("can't compare offset-naive and offset-aware datetimes");
    const stored = await rest(admin.token, "GET", `/api/v1/projects/${project}/errors?limit=200`);
    const row = stored.body.items.find((item: { error_id: string }) => item.error_id === recorded.error_id);
    expect(row).toMatchObject({ source: "ci", last_commit: "abc123", last_ci_job: "pytest", user_id: admin.userId });
    expect(row.tags).toEqual(["ci", "pytest"]);

    // The next failing run of the same test is the same error, seen again.
    const second = await githubDelivery(project, secret, "check_run", checkRunFailure(PYTEST_LOG, "def456"));
    expect(second.body.errors[0]).toMatchObject({ error_id: recorded.error_id, recurring: true, occurrences: 2 });

    // Once someone records the fix, the webhook answers a new failure with it.
    await rest(admin.token, "POST", `/api/v1/projects/${project}/errors/${recorded.error_id}/resolve`, {
      solution: "Use datetime.now(timezone.utc) in issue_token",
    });
    const third = await githubDelivery(project, secret, "check_run", checkRunFailure(PYTEST_LOG, "0a0b0c"));
    expect(third.body.errors[0].known_solution).toBe("Use datetime.now(timezone.utc) in issue_token");

    // The admin sees the deliveries, newest first, with what each recorded (the dashboard's webhook list).
    const deliveries = await rest(admin.token, "GET", `/api/v1/projects/${project}/webhooks/deliveries`);
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.deliveries.map((d: { delivery_id: string }) => d.delivery_id)).toEqual(
      [third, second, first].map((d) => d.delivery),
    );
    expect(deliveries.body.deliveries[0]).toMatchObject({ source: "github", event: "check_run", errors_recorded: 1 });
  });

  it("refuses bad signatures and unknown projects with nothing written, and ignores a replayed delivery", async () => {
    const { admin, project, secret } = await projectWithWebhook();
    const before = await errorCount(admin.token, project);
    const body = JSON.stringify(checkRunFailure(PYTEST_LOG));
    for (const signature of [await hmac("wrong-secret", body), "sha256=00", ""]) {
      const res = await workerFetch(`${BASE}/webhooks/github?project=${project}`, {
        method: "POST",
        headers: {
          "X-GitHub-Event": "check_run",
          "X-GitHub-Delivery": crypto.randomUUID(),
          "X-Hub-Signature-256": signature,
        },
        body,
      });
      expect(res.status).toBe(401);
    }
    const unknown = await githubDelivery(uniqueName("nope"), secret, "check_run", checkRunFailure(PYTEST_LOG));
    expect(unknown.status).toBe(401);
    expect(await errorCount(admin.token, project)).toBe(before);

    const delivered = await githubDelivery(project, secret, "check_run", checkRunFailure(PYTEST_LOG));
    expect(delivered.status).toBe(201);
    const replay = await githubDelivery(project, secret, "check_run", checkRunFailure(PYTEST_LOG), delivered.delivery);
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ duplicate: true, recorded: 0 });
    const listed = await rest(admin.token, "GET", `/api/v1/projects/${project}/errors?limit=200`);
    const ci = listed.body.items.find((item: { source: string }) => item.source === "ci");
    expect(ci.occurrences).toBe(1);

    const ping = await githubDelivery(project, secret, "ping", { zen: "Keep it logically awesome." });
    expect(ping.body).toMatchObject({ pong: true });
    const passing = await githubDelivery(project, secret, "check_run", {
      ...checkRunFailure(""),
      check_run: { conclusion: "success" },
    });
    expect(passing.status).toBe(202);
  }, 25_000); // 6 calls

  it("fetches the failed job logs of a workflow_run through the GitHub API, matching the project by repository", async () => {
    const repository = `acme/${uniqueName("svc")}`;
    const { project, secret } = await projectWithWebhook(repository);
    const realFetch = globalThis.fetch;
    const requested: string[] = [];
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (url.startsWith("https://api.github.com/")) {
        requested.push(url.replace("https://api.github.com", ""));
        expect(new Headers(init?.headers).get("Authorization")).toBe("Bearer ghs_test");
        if (url.includes("/actions/runs/777/jobs")) {
          return Response.json({
            total_count: 2,
            jobs: [
              { id: 31, name: "lint", conclusion: "success" },
              { id: 32, name: "test (3.12)", conclusion: "failure" },
            ],
          });
        }
        if (url.endsWith("/actions/jobs/32/logs"))
          return new Response(PYTEST_LOG, { headers: { "Content-Type": "text/plain" } });
      }
      return realFetch(input, init);
    });
    const body = JSON.stringify({
      action: "completed",
      workflow_run: { id: 777, name: "CI", head_sha: "f00d", conclusion: "failure", html_url: "https://github.com/x" },
      repository: { full_name: repository },
    });
    const res = await workerFetch(`${BASE}/webhooks/github`, {
      method: "POST",
      headers: {
        "X-GitHub-Event": "workflow_run",
        "X-GitHub-Delivery": crypto.randomUUID(),
        "X-Hub-Signature-256": await hmac(secret, body),
      },
      body,
    });
    const result = (await res.json()) as any;
    expect(res.status, JSON.stringify(result)).toBe(201);
    expect(result.errors[0]).toMatchObject({ error_type: "TypeError", job: "test (3.12)" });
    expect(requested).toEqual([
      `/repos/${repository}/actions/runs/777/jobs?filter=latest&per_page=100`,
      `/repos/${repository}/actions/jobs/32/logs`,
    ]);
    void project;
  });

  it("takes any CI's job log on the generic endpoint, signed or with a token that may write", async () => {
    const { admin, project, secret } = await projectWithWebhook();
    const payload = JSON.stringify({
      job: "unit",
      status: "failure",
      commit: "c0ffee",
      log: "src/app.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.\n",
    });
    const signed = await workerFetch(`${BASE}/webhooks/ci/${project}`, {
      method: "POST",
      headers: { ...(await ciSignature(secret, payload)), "X-Delivery-Id": "run-1" },
      body: payload,
    });
    const signedBody = (await signed.json()) as any;
    expect(signed.status, JSON.stringify(signedBody)).toBe(201);
    expect(signedBody.errors[0]).toMatchObject({ error_type: "TS2322", file_path: "src/app.ts", line_number: 12 });

    const tokenRun = JSON.stringify({
      job: "unit",
      status: "failed",
      log: "Traceback (most recent call last):\n  File \"app/main.py\", line 3, in <module>\n    import missing\nModuleNotFoundError: No module named 'missing'\n",
    });
    const viaToken = await workerFetch(`${BASE}/webhooks/ci/${project}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${admin.token}` },
      body: tokenRun,
    });
    expect(viaToken.status).toBe(201);
    const readOnly = await rest(admin.token, "POST", "/api/v1/tokens", { name: "ro", scopes: ["memory:read"] });
    const refused = await workerFetch(`${BASE}/webhooks/ci/${project}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${readOnly.body.token}` },
      body: tokenRun,
    });
    expect(refused.status).toBe(403);
    const stranger = await newUser();
    const hidden = await workerFetch(`${BASE}/webhooks/ci/${project}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${stranger.token}` },
      body: tokenRun,
    });
    expect(hidden.status).toBe(404);
    const success = JSON.stringify({ job: "unit", status: "success", log: "" });
    const ignored = await workerFetch(`${BASE}/webhooks/ci/${project}`, {
      method: "POST",
      headers: await ciSignature(secret, success),
      body: success,
    });
    expect(ignored.status).toBe(202);
  }, 25_000); // 6 calls

  it("records the failures of a JUnit XML report sent to the generic endpoint, preferred to the log", async () => {
    const { admin, project, secret } = await projectWithWebhook();
    const report = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<testsuite name="com.example.billing.InvoiceServiceTest" time="0.087" tests="2" errors="0" skipped="0" failures="1">',
      '  <testcase name="totalsLineItems" classname="com.example.billing.InvoiceServiceTest" time="0.012"/>',
      '  <testcase name="appliesDiscount" classname="com.example.billing.InvoiceServiceTest" time="0.021">',
      '    <failure message="expected: &lt;90.00&gt; but was: &lt;100.00&gt;" type="org.opentest4j.AssertionFailedError"><![CDATA[org.opentest4j.AssertionFailedError: expected: <90.00> but was: <100.00>',
      "\tat org.junit.jupiter.api.AssertEquals.failNotEqual(AssertEquals.java:197)",
      "\tat com.example.billing.InvoiceServiceTest.appliesDiscount(InvoiceServiceTest.java:41)",
      "]]></failure>",
      "  </testcase>",
      "</testsuite>",
    ].join("\n");
    // The console log would yield a different error; the report's failure is the one recorded.
    const payload = JSON.stringify({
      job: "mvn verify",
      status: "failure",
      commit: "b111ed",
      log: "[ERROR] Tests run: 2, Failures: 1\nError: Process completed with exit code 1.\n",
      junit: [report],
    });
    const res = await workerFetch(`${BASE}/webhooks/ci/${project}`, {
      method: "POST",
      headers: await ciSignature(secret, payload),
      body: payload,
    });
    const answer = (await res.json()) as any;
    expect(res.status, JSON.stringify(answer)).toBe(201);
    expect(answer.recorded).toBe(1);
    expect(answer.errors[0]).toMatchObject({
      error_type: "org.opentest4j.AssertionFailedError",
      message: "expected: <90.00> but was: <100.00> [com.example.billing.InvoiceServiceTest.appliesDiscount]",
      file_path: "com/example/billing/InvoiceServiceTest.java",
      line_number: 41,
      job: "mvn verify",
      recurring: false,
    });
    const stored = await rest(admin.token, "GET", `/api/v1/projects/${project}/errors?limit=200`);
    const row = stored.body.items.find((item: { error_id: string }) => item.error_id === answer.errors[0].error_id);
    expect(row).toMatchObject({ source: "ci", last_commit: "b111ed", last_ci_job: "mvn verify" });
    expect(row.tags).toEqual(["ci", "junit"]);

    // The same report in the log field (a CI that sends one field) is read as a report: the same error again.
    const inLog = JSON.stringify({ job: "mvn verify", status: "failed", log: report, url: "https://ci.example/2" });
    const again = await workerFetch(`${BASE}/webhooks/ci/${project}`, {
      method: "POST",
      headers: await ciSignature(secret, inLog),
      body: inLog,
    });
    const second = (await again.json()) as any;
    expect(again.status, JSON.stringify(second)).toBe(201);
    expect(second.errors[0]).toMatchObject({ error_id: answer.errors[0].error_id, recurring: true, occurrences: 2 });
  }, 20_000); // 4 calls

  it("refuses a replayed generic delivery: same body under a new id, stale or unsigned timestamps", async () => {
    const { admin, project, secret } = await projectWithWebhook();
    const payload = JSON.stringify({ job: "unit", status: "failure", log: "error TS2304: Cannot find name 'x'.\n" });
    const send = (headers: Record<string, string>) =>
      workerFetch(`${BASE}/webhooks/ci/${project}`, { method: "POST", headers, body: payload });
    const signature = await ciSignature(secret, payload);
    const first = await send({ ...signature, "X-Delivery-Id": "run-1" });
    expect(first.status).toBe(201);
    const before = await errorCount(admin.token, project);
    const occurrences = async () =>
      (await rest(admin.token, "GET", `/api/v1/projects/${project}/errors?limit=200`)).body.items[0].occurrences;
    const seen = await occurrences();

    // The captured body and signature, re-sent under a new delivery id (or none): the same delivery.
    for (const headers of [{ ...signature, "X-Delivery-Id": "run-2" }, signature]) {
      const replay = await send(headers);
      expect(replay.status).toBe(200);
      expect(await replay.json()).toMatchObject({ duplicate: true, recorded: 0 });
    }
    // A fresh timestamp without the secret cannot be signed; an old one is refused even when signed.
    const restamped = await send({ ...signature, "X-Signature-Timestamp": String(Math.floor(Date.now() / 1000) + 1) });
    expect(restamped.status).toBe(401);
    const stale = await send({
      ...(await ciSignature(secret, payload, Math.floor(Date.now() / 1000) - 301)),
      "X-Delivery-Id": "run-3",
    });
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as any).error.message).toMatch(/X-Signature-Timestamp is more than 300 s/);
    const unstamped = await send({ "X-Signature-256": await hmac(secret, payload), "X-Delivery-Id": "run-4" });
    expect(unstamped.status).toBe(401);
    expect(((await unstamped.json()) as any).error.message).toMatch(/X-Signature-Timestamp missing/);
    expect(await errorCount(admin.token, project)).toBe(before);
    expect(await occurrences()).toBe(seen);
  });

  it("refuses a GitHub delivery body replayed under a new X-GitHub-Delivery", async () => {
    const { admin, project, secret } = await projectWithWebhook();
    const payload = checkRunFailure(PYTEST_LOG, "feedface");
    expect((await githubDelivery(project, secret, "check_run", payload)).status).toBe(201);
    const before = await rest(admin.token, "GET", `/api/v1/projects/${project}/errors?limit=200`);
    const replay = await githubDelivery(project, secret, "check_run", payload, crypto.randomUUID());
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ duplicate: true, recorded: 0 });
    const after = await rest(admin.token, "GET", `/api/v1/projects/${project}/errors?limit=200`);
    expect(after.body.items.map((e: { occurrences: number }) => e.occurrences)).toEqual(
      before.body.items.map((e: { occurrences: number }) => e.occurrences),
    );
  });

  it("lets only project admins configure the webhook", async () => {
    const { project } = await projectWithWebhook();
    const stranger = await newUser();
    expect((await rest(stranger.token, "POST", `/api/v1/projects/${project}/webhooks`, {})).status).toBe(404);
  });
});
