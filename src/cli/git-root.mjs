// Where a repository starts; its own module so that hooks load nothing else to find it.
import { spawnSync } from "node:child_process";

/**
 * The git work tree containing `dir`, or null.
 * @param {string} dir
 */
export function gitRoot(dir) {
  const result = spawnSync("git", ["rev-parse", "--show-toplevel"], { cwd: dir, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}
