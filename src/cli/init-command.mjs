// `coding-memory init` / `uninstall` for Claude Code: the MCP server entry in `.mcp.json` (the bare URL; Claude
// Code signs in with OAuth itself), the hooks in `.claude/settings.local.json` (the user's own, uncommitted
// settings: the command holds this machine's path to the CLI), and `.coding-memory.json` with the server and
// project. Idempotent: running it again changes nothing. Every entry it writes is recognisable, so uninstall
// removes exactly those and deletes only the files it created and left empty.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export const SERVER_NAME = "coding-memory";
/** Claude Code events the hooks handle, with the tools they match and the editor's own timeout (seconds). */
const HOOKS = [
  { event: "SessionStart", matcher: null, timeout: 10 },
  { event: "PostToolUseFailure", matcher: "Bash", timeout: 10 },
  { event: "PostToolUse", matcher: "Edit|Write|MultiEdit|NotebookEdit", timeout: 5 },
  { event: "Stop", matcher: null, timeout: 10 },
  { event: "SessionEnd", matcher: null, timeout: 5 },
];

/** @param {string} path @returns {Record<string, any> | null} */
function readJson(path) {
  if (!existsSync(path)) return null;
  const text = readFileSync(path, "utf8");
  try {
    return text.trim() ? JSON.parse(text) : {};
  } catch (cause) {
    throw new Error(`${path} is not valid JSON; fix it first (nothing was written)`, { cause });
  }
}

/** @param {string} command */
const isOurs = (command) =>
  / hook (?:SessionStart|PostToolUseFailure|PostToolUse|Stop|SessionEnd)\b/.test(command) &&
  command.includes("coding-memory");

/**
 * The files init writes, as {path, before, after} (text, null when absent). Nothing is written here.
 * @param {{ root: string, url: string, project: string, cli: string, node: string }} options
 */
export function planInit(options) {
  const { root, url, project } = options;
  const hookCommand = (/** @type {string} */ event) => `"${options.node}" "${options.cli}" hook ${event}`;
  const plan = [];

  const mcpPath = join(root, ".mcp.json");
  const mcp = readJson(mcpPath) ?? {};
  const mcpAfter = { ...mcp, mcpServers: { ...mcp.mcpServers, [SERVER_NAME]: { type: "http", url: `${url}/mcp` } } };
  plan.push(entry(mcpPath, mcpAfter));

  const settingsPath = join(root, ".claude", "settings.local.json");
  const settings = readJson(settingsPath) ?? {};
  /** @type {Record<string, any[]>} */
  const hooks = { ...settings.hooks };
  for (const { event, matcher, timeout } of HOOKS) {
    const groups = (hooks[event] ?? [])
      .map((/** @type {any} */ group) => ({
        ...group,
        hooks: (group.hooks ?? []).filter((/** @type {any} */ hook) => !isOurs(String(hook.command ?? ""))),
      }))
      .filter((/** @type {any} */ group) => group.hooks.length > 0);
    groups.push({
      ...(matcher ? { matcher } : {}),
      hooks: [{ type: "command", command: hookCommand(event), timeout }],
    });
    hooks[event] = groups;
  }
  plan.push(entry(settingsPath, { ...settings, hooks }));

  const repoPath = join(root, ".coding-memory.json");
  const repo = readJson(repoPath) ?? {};
  plan.push(entry(repoPath, { ...repo, url, project }));
  return plan;
}

/** @param {string} root */
export function planUninstall(root) {
  const plan = [];
  const mcpPath = join(root, ".mcp.json");
  const mcp = readJson(mcpPath);
  if (mcp?.mcpServers?.[SERVER_NAME]) {
    const others = { ...mcp.mcpServers };
    delete others[SERVER_NAME];
    const rest = { ...mcp };
    delete rest.mcpServers;
    plan.push(entry(mcpPath, Object.keys(others).length ? { ...rest, mcpServers: others } : rest, true));
  }
  const settingsPath = join(root, ".claude", "settings.local.json");
  const settings = readJson(settingsPath);
  if (settings?.hooks) {
    /** @type {Record<string, any[]>} */
    const hooks = {};
    for (const [event, groups] of Object.entries(settings.hooks)) {
      const kept = (Array.isArray(groups) ? groups : [])
        .map((group) => ({
          ...group,
          hooks: (group.hooks ?? []).filter((/** @type {any} */ hook) => !isOurs(String(hook.command ?? ""))),
        }))
        .filter((group) => group.hooks.length > 0);
      if (kept.length) hooks[event] = kept;
    }
    const rest = { ...settings };
    delete rest.hooks;
    plan.push(entry(settingsPath, Object.keys(hooks).length ? { ...rest, hooks } : rest, true));
  }
  return plan.filter((change) => change.before !== change.after);
}

/**
 * @param {string} path @param {Record<string, unknown>} value
 * @param {boolean} [removeWhenEmpty] an object left empty by uninstall removes the file
 */
function entry(path, value, removeWhenEmpty = false) {
  const before = existsSync(path) ? readFileSync(path, "utf8") : null;
  const empty = Object.keys(value).length === 0;
  const after = removeWhenEmpty && empty ? null : `${JSON.stringify(value, null, 2)}\n`;
  // Unchanged content stays byte for byte as it was (idempotence, and a user's own formatting).
  const same = before !== null && after !== null && sameJson(before, after);
  return { path, before, after: same ? before : after };
}

/** @param {string} a @param {string} b */
function sameJson(a, b) {
  try {
    return JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

/** @param {Array<{ path: string, before: string | null, after: string | null }>} plan */
export function applyPlan(plan) {
  for (const { path, before, after } of plan) {
    if (before === after) continue;
    if (after === null) rmSync(path, { force: true });
    else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, after);
    }
  }
}
