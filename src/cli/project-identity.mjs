// Which project a repository's memory goes to, the same for every clone and worktree of it: derived from the
// normalised git remote (host, owner and name, however the remote is spelled), plus a subdirectory for a monorepo
// package when `.coding-memory.json` names one. A directory name is the fallback only when there is no remote
// (two worktrees of one repository usually have different directory names).
import { spawnSync } from "node:child_process";
import { basename } from "node:path";

/**
 * `git@github.com:Acme/Widget.git`, `https://user@github.com/acme/widget`, `ssh://git@github.com:22/acme/widget.git`
 * → `github.com/acme/widget`; null for what is not a remote URL. Host and path are lowercased: the big forges
 * treat them case-insensitively, and one repository must not become two projects.
 * @param {string} url
 */
export function normaliseRemote(url) {
  const text = url.trim();
  // scp-like syntax: [user@]host:path (no scheme, no slash before the colon).
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(text);
  let host;
  let path;
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    host = scp[1];
    path = scp[2];
  } else {
    try {
      const parsed = new URL(text);
      if (parsed.protocol === "file:") return null;
      host = parsed.hostname;
      path = parsed.pathname;
    } catch {
      return null;
    }
  }
  const segments = (path ?? "")
    .replace(/\.git\/?$/i, "")
    .split("/")
    .filter(Boolean);
  if (!host || segments.length < 2) return null;
  return [host, ...segments].join("/").toLowerCase();
}

/**
 * The project name for a normalised remote: owner and repository (and any nested groups) joined by dots, then the
 * package subdirectory. Project names cannot hold a `/` of their own (it separates a team from the name).
 * @param {string} remote normalised, e.g. github.com/acme/widget
 * @param {string | null} [subdirectory] e.g. packages/api
 */
export function projectNameFor(remote, subdirectory = null) {
  const [, ...path] = remote.split("/");
  const base = path.join(".");
  const sub = subdirectory
    ? subdirectory
        .split(/[\\/]+/)
        .filter((part) => part && part !== ".")
        .join("-")
        .toLowerCase()
    : "";
  return clean(sub ? `${base}.${sub}` : base);
}

/** @param {string} name */
function clean(name) {
  return (
    name
      .replace(/[^A-Za-z0-9._-]+/g, "-")
      .replace(/^[^A-Za-z0-9]+/, "")
      .slice(0, 128) || "project"
  );
}

/**
 * The repository's remote URL: `origin`, else the first remote. Worktrees share their repository's config, so
 * every worktree answers the same.
 * @param {string} root
 */
export function remoteUrl(root) {
  const git = (/** @type {string[]} */ ...args) => {
    const result = spawnSync("git", ["-C", root, ...args], { encoding: "utf8" });
    return result.status === 0 ? result.stdout.trim() : "";
  };
  const origin = git("config", "--get", "remote.origin.url");
  if (origin) return origin;
  const first = git("remote").split("\n")[0];
  return first ? git("config", "--get", `remote.${first}.url`) || null : null;
}

/**
 * @param {string} root repository root (or the directory outside git)
 * @param {{ subdirectory?: string | null }} [options]
 * @returns {{ project: string, remote: string | null, source: string }}
 */
export function repositoryProject(root, options = {}) {
  const url = remoteUrl(root);
  const remote = url ? normaliseRemote(url) : null;
  if (remote) {
    return {
      project: projectNameFor(remote, options.subdirectory ?? null),
      remote,
      source: `git remote ${remote}${options.subdirectory ? ` + ${options.subdirectory}` : ""}`,
    };
  }
  return { project: clean(basename(root)), remote: null, source: "repository directory name (no git remote)" };
}
