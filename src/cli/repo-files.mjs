// The files of a repository the index wants: what git tracks or would track (so .gitignore, nested
// .gitignore files, .git/info/exclude and the global excludes all apply exactly as for git), or, outside a git
// repository, a walk that honours every .gitignore it finds through the `ignore` package.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import ignore from "ignore";

const SOURCE = /\.(js|mjs|cjs|jsx|ts|tsx|mts|cts|py)$/i;
const CONFIG = /(^|\/)(package\.json|(ts|js)config(\..+)?\.json)$/;
/** Never indexed, even without a .gitignore: dependencies, VCS data, virtualenvs, build caches. */
const ALWAYS_SKIPPED = new Set([".git", "node_modules", ".venv", "venv", "__pycache__", ".wrangler", ".tox"]);

/** @param {string} path repository-relative, "/"-separated */
export function isIndexable(path) {
  return SOURCE.test(path) || CONFIG.test(path);
}

/**
 * Indexable files under `dir`, as paths relative to `root`.
 * @param {string} root repository root
 * @param {string} dir directory to index (root or below it)
 * @returns {{ files: string[], via: "git" | "walk" }}
 */
export function listRepositoryFiles(root, dir) {
  const scope = relative(root, dir).split(sep).join("/");
  if (existsSync(join(root, ".git"))) {
    const result = spawnSync(
      "git",
      ["ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", scope || "."],
      { cwd: root, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 },
    );
    if (result.status === 0) {
      const files = result.stdout
        .split("\0")
        .filter(Boolean)
        .filter((path) => !path.split("/").some((part) => ALWAYS_SKIPPED.has(part)))
        .filter((path) => isIndexable(path) && existsSync(join(root, path)));
      return { files: [...new Set(files)].sort(), via: "git" };
    }
  }
  return { files: walk(root, resolve(dir)).sort(), via: "walk" };
}

/**
 * @param {string} root
 * @param {string} start
 */
function walk(root, start) {
  /** @type {string[]} */
  const files = [];
  /** @type {Array<{ dir: string, rules: Array<{ base: string, matcher: ReturnType<typeof ignore> }> }>} */
  const stack = [{ dir: root, rules: [] }];
  while (stack.length) {
    const { dir, rules: inherited } = /** @type {NonNullable<ReturnType<typeof stack.pop>>} */ (stack.pop());
    const rel = relative(root, dir).split(sep).join("/");
    const rules = [...inherited];
    const gitignore = join(dir, ".gitignore");
    if (existsSync(gitignore)) rules.push({ base: rel, matcher: ignore().add(readFileSync(gitignore, "utf8")) });
    /** @param {string} path @param {boolean} directory */
    const ignored = (path, directory) =>
      rules.some(({ base, matcher }) => {
        const local = base ? path.slice(base.length + 1) : path;
        return matcher.ignores(directory ? `${local}/` : local);
      });
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (ALWAYS_SKIPPED.has(entry.name)) continue;
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        // Directories on the way down to `start` are entered; siblings outside it are not.
        const inScope = full.startsWith(start + sep) || full === start || start.startsWith(full + sep);
        if (inScope && !ignored(path, true)) stack.push({ dir: full, rules });
      } else if (entry.isFile() && (dir === start || dir.startsWith(start + sep)) && isIndexable(path)) {
        if (!ignored(path, false)) files.push(path);
      }
    }
  }
  return files;
}
