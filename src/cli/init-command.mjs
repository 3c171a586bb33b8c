// `coding-memory init` / `uninstall`: the MCP server entry (the bare URL: the client signs in with OAuth itself),
// the capture hooks and, for Cursor, a rules file telling the agent when to use the memory, per client:
// - claude-code: `.mcp.json`; hooks in `.claude/settings.local.json` (the user's own, uncommitted settings: the
//   command may hold this machine's path to the CLI);
// - cursor: `.cursor/mcp.json`, `.cursor/hooks.json`, `.cursor/rules/coding-memory.mdc`;
// - vscode (and other MCP clients): `.vscode/mcp.json`, no hooks.
// And `.coding-memory.json` with the server and project. Idempotent: running it again changes nothing. Every
// entry it writes is recognisable, so uninstall removes exactly those and deletes only files left empty.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { resolveSettings } from "./config.mjs";
import { gitRoot } from "./git-root.mjs";
import { Spool, spoolDirectory } from "./spool.mjs";

export const SERVER_NAME = "coding-memory";
export const CLIENTS = ["claude-code", "cursor", "vscode"];

/** Claude Code events the hooks handle, with the tools they match and the editor's own timeout (seconds). */
const CLAUDE_HOOKS = [
  { event: "SessionStart", matcher: null, timeout: 10 },
  { event: "PostToolUseFailure", matcher: "Bash", timeout: 10 },
  { event: "PostToolUse", matcher: "Edit|Write|MultiEdit|NotebookEdit", timeout: 5 },
  { event: "Stop", matcher: null, timeout: 10 },
  { event: "SessionEnd", matcher: null, timeout: 5 },
];
const CURSOR_HOOKS = [
  { event: "sessionStart", matcher: null, timeout: 10 },
  { event: "postToolUse", matcher: "Shell", timeout: 10 },
  { event: "afterFileEdit", matcher: null, timeout: 5 },
  { event: "stop", matcher: null, timeout: 10 },
  { event: "sessionEnd", matcher: null, timeout: 5 },
];
const RULES_MARKER = "<!-- written by coding-memory init; coding-memory uninstall removes it -->";
const CURSOR_RULES = `---
description: When to use the Coding Memory MCP tools (the team's memory of this project)
alwaysApply: true
---
${RULES_MARKER}
This project's errors, fixes, design decisions and sessions are kept in Coding Memory (the \`coding-memory\` MCP
server). Failing shell commands, edited files and sessions are recorded by hooks: do not record those by hand.

- Before debugging an error, call \`coding_search_errors\` (or \`coding_get_solutions_for_error\`) with its
  message and trace: the team may have fixed it before. A hook may already have added the known fix.
- When you have fixed an error, call \`coding_resolve_error\` with what fixed it, so that the next person gets it.
- When a design decision is taken (a library, a pattern, a trade-off), call \`coding_record_decision\` with its
  rationale and the rejected alternatives.
- Before changing an area you do not know, read \`coding_get_project_context\` (with a \`focus\`).
`;

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

/** A hook command init wrote: it runs this CLI's `hook` command. @param {unknown} command */
const isOurs = (command) =>
  typeof command === "string" && command.includes("coding-memory") && / hook [A-Za-z]+\b/.test(command);

/**
 * The files init writes, as {path, before, after} (text, null when absent). Nothing is written here.
 * @param {{ root: string, url: string, project: string, command: string, clients: string[] }} options
 *   command: how a hook runs this CLI (the executable on PATH, or node and this file's path)
 */
export function planInit(options) {
  const { root, url, project, command, clients } = options;
  const plan = [];
  if (clients.includes("claude-code")) {
    plan.push(
      jsonEntry(join(root, ".mcp.json"), (mcp) => withServer(mcp, "mcpServers", { type: "http", url: `${url}/mcp` })),
    );
    plan.push(
      jsonEntry(join(root, ".claude", "settings.local.json"), (settings) => {
        /** @type {Record<string, any[]>} */
        const hooks = withoutOurHooks(
          settings.hooks,
          (group) => ({ ...group, hooks: (group.hooks ?? []).filter((/** @type {any} */ h) => !isOurs(h?.command)) }),
          (group) => group.hooks.length > 0,
        );
        for (const { event, matcher, timeout } of CLAUDE_HOOKS) {
          hooks[event] = [
            ...(hooks[event] ?? []),
            {
              ...(matcher ? { matcher } : {}),
              hooks: [{ type: "command", command: `${command} hook ${event}`, timeout }],
            },
          ];
        }
        return { ...settings, hooks };
      }),
    );
  }
  if (clients.includes("cursor")) {
    plan.push(
      jsonEntry(join(root, ".cursor", "mcp.json"), (mcp) => withServer(mcp, "mcpServers", { url: `${url}/mcp` })),
    );
    plan.push(
      jsonEntry(join(root, ".cursor", "hooks.json"), (config) => {
        /** @type {Record<string, any[]>} */
        const hooks = withoutOurHooks(
          config.hooks,
          (hook) => hook,
          (hook) => !isOurs(hook?.command),
        );
        for (const { event, matcher, timeout } of CURSOR_HOOKS) {
          hooks[event] = [
            ...(hooks[event] ?? []),
            { command: `${command} hook ${event} --client cursor`, timeout, ...(matcher ? { matcher } : {}) },
          ];
        }
        return { version: 1, ...config, hooks };
      }),
    );
    plan.push(textEntry(join(root, ".cursor", "rules", "coding-memory.mdc"), CURSOR_RULES));
  }
  if (clients.includes("vscode")) {
    plan.push(
      jsonEntry(join(root, ".vscode", "mcp.json"), (mcp) =>
        withServer(mcp, "servers", { type: "http", url: `${url}/mcp` }),
      ),
    );
  }
  plan.push(jsonEntry(join(root, ".coding-memory.json"), (repo) => ({ ...repo, url, project })));
  return plan;
}

/** @param {string} root */
export function planUninstall(root) {
  const plan = [
    jsonEntry(join(root, ".mcp.json"), (mcp) => withoutServer(mcp, "mcpServers"), true),
    jsonEntry(join(root, ".cursor", "mcp.json"), (mcp) => withoutServer(mcp, "mcpServers"), true),
    jsonEntry(join(root, ".vscode", "mcp.json"), (mcp) => withoutServer(mcp, "servers"), true),
    jsonEntry(
      join(root, ".claude", "settings.local.json"),
      (settings) =>
        withHooks(
          settings,
          withoutOurHooks(
            settings.hooks,
            (group) => ({ ...group, hooks: (group.hooks ?? []).filter((/** @type {any} */ h) => !isOurs(h?.command)) }),
            (group) => group.hooks.length > 0,
          ),
        ),
      true,
    ),
    jsonEntry(
      join(root, ".cursor", "hooks.json"),
      (config) => {
        const kept = withHooks(
          config,
          withoutOurHooks(
            config.hooks,
            (hook) => hook,
            (hook) => !isOurs(hook?.command),
          ),
        );
        // `{"version": 1}` alone is what init would have created: nothing of the user's is left.
        return Object.keys(kept).length === 1 && kept.version === 1 ? {} : kept;
      },
      true,
    ),
  ];
  const rules = join(root, ".cursor", "rules", "coding-memory.mdc");
  if (existsSync(rules) && readFileSync(rules, "utf8").includes(RULES_MARKER))
    plan.push({ path: rules, before: readFileSync(rules, "utf8"), after: null });
  return plan.filter((change) => change.before !== null && change.before !== change.after);
}

/**
 * Every event's list with our entries taken out (`clean` maps an entry, `keep` says whether it stays).
 * @param {unknown} hooks @param {(entry: any) => any} clean @param {(entry: any) => boolean} keep
 * @returns {Record<string, any[]>}
 */
function withoutOurHooks(hooks, clean, keep) {
  /** @type {Record<string, any[]>} */
  const result = {};
  for (const [event, list] of Object.entries(hooks && typeof hooks === "object" ? hooks : {})) {
    const kept = (Array.isArray(list) ? list : []).map(clean).filter(keep);
    if (kept.length) result[event] = kept;
  }
  return result;
}

/** @param {Record<string, any>} config @param {Record<string, any[]>} hooks */
function withHooks(config, hooks) {
  const rest = { ...config };
  delete rest.hooks;
  return Object.keys(hooks).length ? { ...rest, hooks } : rest;
}

/** @param {Record<string, any>} config @param {string} key @param {Record<string, unknown>} server */
function withServer(config, key, server) {
  return { ...config, [key]: { ...config[key], [SERVER_NAME]: server } };
}

/** @param {Record<string, any>} config @param {string} key */
function withoutServer(config, key) {
  if (!config[key]?.[SERVER_NAME]) return config;
  const servers = { ...config[key] };
  delete servers[SERVER_NAME];
  const rest = { ...config };
  delete rest[key];
  return Object.keys(servers).length ? { ...rest, [key]: servers } : rest;
}

/**
 * @param {string} path @param {(current: Record<string, any>) => Record<string, any>} change
 * @param {boolean} [removeWhenEmpty] an object left empty (by uninstall) removes the file
 */
function jsonEntry(path, change, removeWhenEmpty = false) {
  const before = existsSync(path) ? readFileSync(path, "utf8") : null;
  const current = readJson(path);
  if (removeWhenEmpty && current === null) return { path, before, after: null };
  const value = change(current ?? {});
  const after = removeWhenEmpty && Object.keys(value).length === 0 ? null : `${JSON.stringify(value, null, 2)}\n`;
  // Unchanged content stays byte for byte as it was (idempotence, and a user's own formatting).
  return { path, before, after: before !== null && after !== null && sameJson(before, after) ? before : after };
}

/** @param {string} path @param {string} text */
function textEntry(path, text) {
  return { path, before: existsSync(path) ? readFileSync(path, "utf8") : null, after: text };
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

const LABELS = /** @type {Record<string, string>} */ ({
  "claude-code": "Claude Code",
  cursor: "Cursor",
  vscode: "VS Code",
});

/**
 * `init`, `uninstall` and `status` in the repository around the working directory.
 * @param {"init" | "uninstall" | "status"} command @param {Record<string, any>} values
 * @param {string} cliPath this CLI's entry file, for hook commands when it is not on PATH
 */
export async function setupCommand(command, values, cliPath) {
  const root = gitRoot(process.cwd()) ?? process.cwd();
  if (command === "uninstall") {
    const plan = planUninstall(root);
    for (const change of plan)
      console.log(`${values["dry-run"] ? "would " : ""}${change.after === null ? "remove" : "update"} ${change.path}`);
    if (!plan.length) console.log("Nothing of coding-memory init to remove.");
    if (!values["dry-run"]) applyPlan(plan);
    return 0;
  }
  const settings = resolveSettings(
    { url: values.url, token: values.token, project: values.project },
    root,
    process.env,
  );
  if (command === "status") {
    const spool = new Spool(spoolDirectory(process.env), settings.url, settings.project);
    const status = {
      url: settings.url,
      project: settings.project,
      sources: settings.sources,
      spooled: spool.pending().length,
    };
    console.log(
      values.json
        ? JSON.stringify(status, null, 2)
        : `Server:  ${status.url} (${status.sources.url})\nProject: ${status.project} (${status.sources.project})\n` +
            `Spool:   ${status.spooled} event(s) waiting to be sent`,
    );
    return 0;
  }
  const clients = values.client?.length ? values.client : ["claude-code"];
  const unknown = clients.filter((/** @type {string} */ client) => !CLIENTS.includes(client));
  if (unknown.length) {
    console.error(`Unknown --client ${unknown.join(", ")}: one of ${CLIENTS.join(", ")}.`);
    return 2;
  }
  const onPath = spawnSync("coding-memory", ["--help"], { stdio: "ignore" }).status === 0;
  const plan = planInit({
    root,
    url: settings.url.replace(/\/+$/, ""),
    project: settings.project,
    // Cursor's hooks file is the project's (usually committed): a command on PATH works on every machine,
    // this machine's path to the CLI only here.
    command: onPath ? "coding-memory" : `"${process.execPath}" "${cliPath}"`,
    clients,
  });
  if (clients.includes("cursor") && !onPath) {
    console.log(
      "Note: coding-memory is not on PATH, so .cursor/hooks.json runs it by this machine's path; install it " +
        "(npm i -g, or npm link in its checkout) and run init again before committing that file.",
    );
  }
  const changed = plan.filter((change) => change.before !== change.after);
  for (const change of changed) console.log(`${values["dry-run"] ? "would write" : "wrote"} ${change.path}`);
  if (!changed.length) console.log(`Already set up: project "${settings.project}" at ${settings.url}.`);
  if (!values["dry-run"]) {
    applyPlan(plan);
    const editors = clients
      .filter((/** @type {string} */ client) => client !== "vscode")
      .map((/** @type {string} */ client) => LABELS[client]);
    console.log(
      (editors.length
        ? `${editors.join(" and ")} will record sessions, failing commands and file changes in project "${settings.project}". `
        : `The MCP server is configured for project "${settings.project}". `) +
        "Restart the editor in this repository; approve the coding-memory MCP server when asked.",
    );
  }
  return 0;
}
