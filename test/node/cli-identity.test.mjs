// The command-line client's pure parts: project identity from git remotes, and the redaction bundle it shares
// with the server being current.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { bundle, OUTPUT } from "../../scripts/build-cli.mjs";
import { normaliseRemote, projectNameFor } from "../../src/cli/project-identity.mjs";

describe("project identity", () => {
  it("spells one repository one way, however its remote is written", () => {
    for (const remote of [
      "git@github.com:Acme/Widget.git",
      "https://github.com/acme/widget",
      "https://user:secret@github.com/acme/widget.git/",
      "ssh://git@github.com:22/acme/widget.git",
      "git+ssh://git@github.com/Acme/Widget",
    ]) {
      assert.equal(normaliseRemote(remote), "github.com/acme/widget", remote);
    }
    assert.equal(normaliseRemote("git@gitlab.com:group/sub/repo.git"), "gitlab.com/group/sub/repo");
    assert.equal(normaliseRemote("/srv/git/repo.git"), null);
    assert.equal(normaliseRemote("file:///srv/git/repo.git"), null);
    assert.equal(normaliseRemote("not a url"), null);
  });

  it("names the project by owner and repository, plus a monorepo package", () => {
    assert.equal(projectNameFor("github.com/acme/widget"), "acme.widget");
    assert.equal(projectNameFor("gitlab.com/group/sub/repo"), "group.sub.repo");
    assert.equal(projectNameFor("github.com/acme/widget", "packages/API/"), "acme.widget.packages-api");
    assert.match(projectNameFor("github.com/acme/widget", "pkgs/web"), /^[A-Za-z0-9][A-Za-z0-9._-]*$/);
  });
});

describe("the CLI's redaction bundle", () => {
  it("is built from the server's current redaction code (npm run build:cli)", async () => {
    assert.equal(readFileSync(OUTPUT, "utf8"), await bundle(), "run npm run build:cli");
  });
});
