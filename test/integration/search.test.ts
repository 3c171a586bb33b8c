import { describe, expect, it } from "vitest";
import { newUser, rest, uniqueName } from "../helpers";

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
  });
});
