import { describe, expect, it } from "vitest";
import { newUser, rest, uniqueName } from "../helpers";

describe("coding_analyze_patterns across a team", () => {
  it("reads every project of the team as one history, and nothing of other teams", async () => {
    const owner = await newUser();
    const team = uniqueName("acme")
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, "-")
      .slice(0, 40);
    expect((await rest(owner.token, "POST", "/api/v1/teams", { slug: team, name: "Acme" })).status).toBe(201);
    const api = (project: string) => `/api/v1/teams/${team}/projects/${project}`;
    for (const [project, files] of [
      [
        "billing",
        ["src/invoice.py", "src/invoice.py", "src/tax.py", "tests/test_tax.py", "src/invoice.py", "src/tax.py"],
      ],
      ["web", ["app/cart.py", "app/cart.py", "app/checkout.py", "app/cart.py", "app/cart.py"]],
    ] as const) {
      for (const file_path of files) {
        const change = await rest(owner.token, "POST", `${api(project)}/changes`, {
          file_path,
          action: "edit",
          reason: "work",
        });
        expect(change.status).toBe(201);
      }
      await rest(owner.token, "POST", `${api(project)}/errors`, {
        error_type: "KeyError",
        message: `'customer_id' in ${project}`,
      });
    }
    // Another user's team with a project of the same name stays out.
    const stranger = await newUser();
    await rest(stranger.token, "POST", "/api/v1/projects/billing/errors", {
      error_type: "KeyError",
      message: "theirs",
    });

    const alone = await rest(owner.token, "GET", `${api("billing")}/patterns?ai=false`);
    expect(alone.body.status).toBe("insufficient_data");
    const together = await rest(owner.token, "GET", `${api("billing")}/patterns?ai=false&scope=team`);
    expect(together.status).toBe(200);
    expect(together.body.status).toBe("ok");
    expect(together.body.projects).toEqual(["billing", "web"]);
    expect(together.body.change_count).toBe(11);
    expect(together.body.hot_files[0]).toEqual({ file_path: "web/app/cart.py", changes: 4 });
    const keyErrors = together.body.recurring_error_types?.find(
      (e: { error_type: string }) => e.error_type === "KeyError",
    );
    expect(keyErrors?.records).toBe(2);

    // A token restricted to one project sees only that project's history, whatever scope it asks for.
    const narrow = await rest(owner.token, "POST", "/api/v1/tokens", {
      name: "billing only",
      scopes: ["memory:read"],
      project: `${team}/billing`,
    });
    expect(narrow.status).toBe(201);
    const restricted = await rest(narrow.body.token, "GET", `${api("billing")}/patterns?ai=false&scope=team`);
    expect(restricted.body.projects).toEqual(["billing"]);
    expect(restricted.body.status).toBe("insufficient_data");
  }, 60_000); // 20 calls
});
