import { describe, expect, it } from "vitest";
import { BASE, newUser, uniqueName, workerFetch } from "../helpers";

const send = (token: string, path: string, body: unknown, key?: string) =>
  workerFetch(`${BASE}/api/v1${path}`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
      ...(key === undefined ? {} : { "Idempotency-Key": key }),
    },
    body: JSON.stringify(body),
  });

describe("Idempotency-Key on writes", () => {
  it("answers a repeated keyed write with the first answer and writes once", async () => {
    const { token } = await newUser();
    const project = uniqueName("idem");
    const change = { file_path: "src/a.ts", action: "edit", reason: "retry me" };
    const key = crypto.randomUUID();
    const first = await send(token, `/projects/${project}/changes`, change, key);
    expect(first.status).toBe(201);
    const firstBody = await first.json();
    const again = await send(token, `/projects/${project}/changes`, change, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await again.json()).toEqual(firstBody);
    const listed = await workerFetch(`${BASE}/api/v1/projects/${project}/changes`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(((await listed.json()) as { items: unknown[] }).items).toHaveLength(1);

    // Without a key, the same body is a second change, as before.
    expect((await send(token, `/projects/${project}/changes`, change)).status).toBe(201);
    // The key of another route is refused rather than answered with the wrong body.
    const misused = await send(token, `/projects/${project}/decisions`, { decision: "d", rationale: "r" }, key);
    expect(misused.status).toBe(409);
    expect(((await misused.json()) as { error: { details: { field: string } } }).error.details.field).toBe(
      "Idempotency-Key",
    );
    const malformed = await send(token, `/projects/${project}/changes`, change, "short");
    expect(malformed.status).toBe(400);
  }, 20_000); // 6 calls

  it("keeps one user's keys from another's", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const key = crypto.randomUUID();
    const project = uniqueName("idem-users");
    const body = { file_path: "x.py", action: "edit", reason: "r" };
    expect((await send(alice.token, `/projects/${project}/changes`, body, key)).status).toBe(201);
    const theirs = await send(bob.token, `/projects/${project}/changes`, body, key);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get("Idempotent-Replayed")).toBeNull();
  });
});
