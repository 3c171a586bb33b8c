// Where the client's settings come from, first match wins: command-line flags, environment variables
// (CODING_MEMORY_URL, CODING_MEMORY_TOKEN, CODING_MEMORY_PROJECT), `.coding-memory.json` in the repository root
// (url, project, and `subdirectory` for a monorepo package; keep tokens out of repositories), then the user's
// config file
// (~/.config/coding-memory/config.json, or $XDG_CONFIG_HOME/coding-memory/config.json). Without a project
// setting, the project is derived from the git remote (project-identity.mjs).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { repositoryProject } from "./project-identity.mjs";

/**
 * @param {string} path
 * @returns {Record<string, unknown>}
 */
function readJson(path) {
  if (!existsSync(path)) return {};
  try {
    const value = JSON.parse(readFileSync(path, "utf8"));
    return value && typeof value === "object" ? value : {};
  } catch (cause) {
    throw new Error(`${path}: not valid JSON (${cause instanceof Error ? cause.message : cause})`, { cause });
  }
}

/** @param {NodeJS.ProcessEnv} env */
export function userConfigPath(env) {
  const base = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(base, "coding-memory", "config.json");
}

/**
 * @param {{ url?: string, token?: string, project?: string }} flags
 * @param {string} repoRoot
 * @param {NodeJS.ProcessEnv} env
 * @param {{ requireToken?: boolean }} [options] `login` needs only the server: it is what makes the token
 * @returns {{ url: string, token: string, project: string, sources: Record<string, string>,
 *   capture: Record<string, boolean> }} capture: the repository's `capture` switches (hooks)
 */
export function resolveSettings(flags, repoRoot, env, { requireToken = true } = {}) {
  const repoFile = join(repoRoot, ".coding-memory.json");
  const userFile = userConfigPath(env);
  const repoSettings = readJson(repoFile);
  const layers = [
    { name: "flag", values: flags },
    {
      name: "environment",
      values: { url: env.CODING_MEMORY_URL, token: env.CODING_MEMORY_TOKEN, project: env.CODING_MEMORY_PROJECT },
    },
    { name: repoFile, values: repoSettings },
    { name: userFile, values: readJson(userFile) },
  ];
  /** @type {Record<string, string>} */
  const sources = {};
  /** @param {"url" | "token" | "project"} key */
  const pick = (key) => {
    for (const layer of layers) {
      const value = /** @type {Record<string, unknown>} */ (layer.values)[key];
      if (typeof value === "string" && value.trim() !== "") {
        sources[key] = layer.name;
        return value.trim();
      }
    }
    return undefined;
  };
  const url = pick("url");
  const token = pick("token");
  const subdirectory = typeof repoSettings.subdirectory === "string" ? repoSettings.subdirectory : null;
  let project = pick("project");
  if (!project) {
    const derived = repositoryProject(repoRoot, { subdirectory });
    project = derived.project;
    sources.project = derived.source;
  }
  const missing = [
    ...(url ? [] : ["server URL (--url or CODING_MEMORY_URL)"]),
    ...(token || !requireToken ? [] : ["API token (--token or CODING_MEMORY_TOKEN)"]),
  ];
  if (missing.length) {
    throw new Error(`Missing ${missing.join(" and ")}; they can also go in ${userFile} as {"url": …, "token": …}.`);
  }
  const capture = repoSettings.capture && typeof repoSettings.capture === "object" ? repoSettings.capture : {};
  return {
    url: /** @type {string} */ (url),
    token: token ?? "",
    project,
    sources,
    capture: /** @type {Record<string, boolean>} */ (capture),
  };
}

/**
 * Merges `values` into the user config file (created 0600 in a 0700 directory: it holds a token).
 * @param {NodeJS.ProcessEnv} env @param {Record<string, string>} values
 */
export function saveUserSettings(env, values) {
  const file = userConfigPath(env);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const merged = { ...readJson(file), ...values };
  writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}
