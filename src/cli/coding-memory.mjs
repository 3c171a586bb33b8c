#!/usr/bin/env node
// Command-line client of a Coding Memory server. `coding-memory help` lists the commands.
import { resolve, relative, sep } from "node:path";
import { parseArgs } from "node:util";
import { ApiClient } from "./api.mjs";
import { resolveSettings } from "./config.mjs";
import { indexRepository } from "./index-command.mjs";
import { screenshot } from "./screenshot-command.mjs";
import { describeDiagram, diagram } from "./diagram-command.mjs";
import { gitRoot } from "./git-root.mjs";
import { hookCommand } from "./hook-command.mjs";
import { setupCommand } from "./init-command.mjs";
import { runWorkflowCommand, WORKFLOW_COMMANDS } from "./workflow-commands.mjs";
import { fileURLToPath } from "node:url";

const HELP = `coding-memory — command-line client of a Coding Memory server

Usage:
  coding-memory index [dir]   Upload the repository's changed JS/TS/Python files (and tsconfig/package.json) to the
                              project's code import graph; files deleted locally are removed from it.
  coding-memory screenshot <image> [--record] [--text-only]
                              Read the error in a screenshot with local OCR (bundled English model, offline) and
                              print it; --record records it as an error (the server fills type, message, file
                              and line from the text) with the image, or without it when --text-only.
  coding-memory diagram <file> [--title <t>] [--decision]
                              Read an architecture diagram into the project's memory (components, connections,
                              pattern): Mermaid/PlantUML/DOT/D2 source (or a Markdown file's \`\`\`mermaid
                              block) is parsed by the server; an image is read by the project's vision model.

  coding-memory init [--client claude-code|cursor|vscode]... [--dry-run]
                              Set this repository up for an assistant (default claude-code): the MCP server,
                              the capture hooks (Claude Code, Cursor) and Cursor's rules file; server and
                              project in .coding-memory.json. Running it again changes nothing.
  coding-memory uninstall [--dry-run]
                              Remove what init added (only its own entries).
  coding-memory status        Server, project (and where each came from), and events waiting in the spool.
  coding-memory login [--url <server>] [--no-browser]
                              Sign in in the browser (OAuth); saves the server and a token for this CLI in the
                              user config. --no-browser: print the URL, paste back where the browser ends up.
  coding-memory start <task> [--tag t]     Start a coding session.
  coding-memory end [summary] [--success|--failed]   End it (without a summary: the digest).
  coding-memory search <error text> [--k n]            Past errors like it, with their fixes.
  coding-memory context [focus] [--max-tokens n]       The project context an assistant reads first.
  coding-memory errors [--open|--resolved] [--limit n] · decisions [--limit n] · patterns · costs
                              (every command takes --json for the structured result)
  coding-memory hook <event>  What the hooks run (SessionStart, PostToolUseFailure, PostToolUse, Stop,
                              SessionEnd): the event's JSON on stdin; see docs/capture.md.

Options:
  --url <url>          Server URL, e.g. https://memory.example.com       (env CODING_MEMORY_URL)
  --token <token>      API token                                          (env CODING_MEMORY_TOKEN)
  --project <id>       Project id (default: from the git remote, e.g. acme.widget) (env CODING_MEMORY_PROJECT)
  --batch-size <n>     Files per request (default 200, at most 500)
  --concurrency <n>    Requests in flight (default 2)
  --dry-run            Show what would be uploaded and deleted, send nothing
  --json               Print the summary as JSON
  -h, --help           This help

Settings are read from flags, then the environment, then .coding-memory.json in the repository root
({"url": …, "project": …}), then ~/.config/coding-memory/config.json ({"url": …, "token": …}).
Files are listed by git (so .gitignore applies); outside a git repository .gitignore files are read directly.
Only each file's imports and content hash are kept by the server, never its content.`;

async function main(argv = process.argv.slice(2)) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: "string" },
      token: { type: "string" },
      project: { type: "string" },
      "batch-size": { type: "string" },
      concurrency: { type: "string" },
      "dry-run": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      record: { type: "boolean", default: false },
      "text-only": { type: "boolean", default: false },
      "error-type": { type: "string" },
      message: { type: "string" },
      tag: { type: "string", multiple: true },
      title: { type: "string" },
      decision: { type: "boolean", default: false },
      k: { type: "string" },
      limit: { type: "string" },
      "max-tokens": { type: "string" },
      summary: { type: "string" },
      success: { type: "boolean", default: false },
      failed: { type: "boolean", default: false },
      open: { type: "boolean", default: false },
      resolved: { type: "boolean", default: false },
      client: { type: "string", multiple: true },
      "no-browser": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command || command === "help") {
    console.log(HELP);
    return command || values.help ? 0 : 2;
  }
  if (command === "screenshot") {
    const file = rest[0];
    if (!file) {
      console.error("Usage: coding-memory screenshot <image> [--record] [--text-only]");
      return 2;
    }
    const root = gitRoot(process.cwd()) ?? process.cwd();
    const settings = values.record
      ? resolveSettings({ url: values.url, token: values.token, project: values.project }, root, process.env)
      : null;
    const result = await screenshot({
      api: settings ? new ApiClient({ url: settings.url, token: settings.token }) : null,
      project: settings?.project ?? null,
      file,
      record: values.record,
      textOnly: values["text-only"],
      fields: {
        ...(values["error-type"] ? { error_type: values["error-type"] } : {}),
        ...(values.message ? { message: values.message } : {}),
        ...(values.tag?.length ? { tags: values.tag } : {}),
      },
    });
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
      return 0;
    }
    console.log(result.text || "(no text found)");
    if (result.recorded?.recorded === false) {
      const held = result.recorded.screenshot?.analysis;
      console.log(
        `\nThe image is stored (${result.recorded.screenshot?.attachment_id}); reading it with ${held?.model} is held for ` +
          `approval (up to $${held?.estimated_cost_usd}): approve with POST /approvals/${held?.approval_id}/approve.`,
      );
    } else if (result.recorded) {
      console.log(
        `\nRecorded ${result.recorded.recurring ? "another occurrence of" : ""} error ${result.recorded.error_id} ` +
          `(${result.recorded.error_type}) in project "${settings?.project}"` +
          (values["text-only"] ? "; the image stayed on this machine." : "; the image was uploaded with it."),
      );
      const fixes = describeFixes(result.recorded);
      if (fixes) console.log(fixes);
    }
    return 0;
  }
  if (command === "diagram") {
    const file = rest[0];
    if (!file) {
      console.error("Usage: coding-memory diagram <file> [--title <t>] [--decision]");
      return 2;
    }
    const root = gitRoot(process.cwd()) ?? process.cwd();
    const settings = resolveSettings(
      { url: values.url, token: values.token, project: values.project },
      root,
      process.env,
    );
    const result = await diagram({
      api: new ApiClient({ url: settings.url, token: settings.token }),
      project: settings.project,
      file,
      title: values.title ?? null,
      recordDecision: values.decision,
    });
    console.log(values.json ? JSON.stringify(result, null, 2) : describeDiagram(result));
    return 0;
  }
  if (command === "hook") return hookCommand(rest[0] ?? "", values);
  // The MCP SDK's OAuth client is loaded only here: every other command starts faster without it.
  if (command === "login") return (await import("./login-command.mjs")).loginCommand(values);
  if (WORKFLOW_COMMANDS.includes(command)) {
    const root = gitRoot(process.cwd()) ?? process.cwd();
    const settings = resolveSettings(
      { url: values.url, token: values.token, project: values.project },
      root,
      process.env,
    );
    try {
      const output = await runWorkflowCommand(
        command,
        new ApiClient({ url: settings.url, token: settings.token }),
        settings.project,
        {
          json: values.json,
          args: rest,
          flags: values,
        },
      );
      console.log(output);
      return 0;
    } catch (error) {
      if (/** @type {{ usage?: boolean }} */ (error).usage) {
        console.error(/** @type {Error} */ (error).message);
        return 2;
      }
      throw error;
    }
  }
  if (command === "init" || command === "uninstall" || command === "status") {
    return setupCommand(command, values, fileURLToPath(import.meta.url));
  }
  if (command !== "index") {
    console.error(`Unknown command "${command}". Run coding-memory help.`);
    return 2;
  }
  const dir = resolve(rest[0] ?? ".");
  const root = gitRoot(dir) ?? dir;
  const settings = resolveSettings(
    { url: values.url, token: values.token, project: values.project },
    root,
    process.env,
  );
  const scope = relative(root, dir).split(sep).join("/");
  // Loaded here, not at start: hooks run this program many times a session and must not pay for it.
  const { listRepositoryFiles } = await import("./repo-files.mjs");
  const { files, via } = listRepositoryFiles(root, dir);
  const interactive = process.stderr.isTTY && !values.json;
  if (!values.json) {
    console.error(
      `Indexing ${files.length} files of ${scope ? `${root} (${scope}/)` : root} (listed by ${via}) into project ` +
        `"${settings.project}" at ${settings.url}`,
    );
  }
  let lastPrinted = 0;
  const started = performance.now();
  const summary = await indexRepository({
    api: new ApiClient({ url: settings.url, token: settings.token }),
    project: settings.project,
    root,
    files,
    scope,
    batchFiles: values["batch-size"] ? Number(values["batch-size"]) : undefined,
    concurrency: values.concurrency ? Number(values.concurrency) : undefined,
    dryRun: values["dry-run"],
    progress: (done, total) => {
      if (values.json) return;
      const now = performance.now();
      if (!interactive && done < total && now - lastPrinted < 2000) return;
      lastPrinted = now;
      const rate = Math.round(done / ((now - started) / 1000));
      const line = `Uploaded ${done}/${total} files (${rate} files/s)`;
      if (interactive) process.stderr.write(`\r${line}${done === total ? "\n" : ""}`);
      else console.error(line);
    },
  });
  if (values.json) {
    console.log(JSON.stringify(summary, null, 2));
    return 0;
  }
  if (values["dry-run"]) {
    console.log(
      `Would upload ${summary.uploaded} files and delete ${summary.deleted}; ${summary.unchanged} unchanged.`,
    );
    return 0;
  }
  if (!summary.uploaded && !summary.deleted) {
    console.log(`Up to date: ${summary.unchanged} files unchanged.`);
    return 0;
  }
  console.log(describeIndex(summary));
  for (const error of summary.parse_errors.slice(0, 10))
    console.log(`⚠️  Could not parse ${error.path}: ${error.reason}`);
  if (summary.parse_errors.length > 10) console.log(`… and ${summary.parse_errors.length - 10} more parse errors`);
  for (const skip of summary.skipped.slice(0, 10)) console.log(`Skipped ${skip.path}: ${skip.reason}`);
  return 0;
}

/**
 * The plain-text report of an index run. Config files (tsconfig, package.json) are indexed because they steer
 * resolution, but they are not graph nodes, so the counts say which is which; imports of non-code files
 * (.md, .wasm, .css…) are assets, not broken imports.
 * @param {Awaited<ReturnType<typeof indexRepository>>} summary
 */
function describeIndex(summary) {
  const count = (/** @type {number | undefined} */ n = 0, /** @type {string} */ one, many = `${one}s`) =>
    `${n} ${n === 1 ? one : many}`;
  const graph = summary.graph;
  const lines = [
    `Indexed ${count(summary.uploaded, "file")} (${summary.unchanged} unchanged, ${summary.deleted} deleted) in ` +
      `${summary.seconds.toFixed(1)} s; ${count(summary.files_total, "file")} in the index` +
      (graph && typeof graph.config_files === "number"
        ? `: ${count(graph.files, "source file")} in the import graph and ${count(graph.config_files, "config file")} ` +
          `(tsconfig/package.json: they steer resolution, they are not graph nodes).`
        : "."),
  ];
  if (graph) {
    const typeOnly = graph.type_only_cycles ? ` (${graph.type_only_cycles} only through type-only imports)` : "";
    const assets = graph.asset_imports
      ? `; ${count(graph.asset_imports, "asset import")} (.md, .wasm, .css…: not code, not graph nodes)`
      : "";
    lines.push(
      `Graph: ${count(graph.internal_edges, "internal import")}, ${count(graph.external_packages, "external package")}, ` +
        `${count(graph.cycles, "import cycle")}${typeOnly}, ` +
        `${count(graph.unresolved_imports, "unresolved relative import")} (no indexed file)${assets}.`,
    );
  }
  return lines.join("\n");
}

/**
 * The fixes the server sent back with a recorded error: the known fix of this very error, then fixes of similar
 * past errors (what `coding_record_error` returns as known_solution and suggested_solutions).
 * @param {{ known_solution?: string | null, suggested_solutions?: Array<{ solution: string, confidence?: string, error_type?: string, message?: string, error_id?: string }> }} recorded
 */
function describeFixes(recorded) {
  const lines = [];
  if (recorded.known_solution) lines.push(`Known fix from last time: ${recorded.known_solution}`);
  const others = (recorded.suggested_solutions ?? []).filter((s) => s.solution !== recorded.known_solution);
  if (others.length) {
    lines.push("Fixes of similar past errors:");
    others.forEach((s, i) => {
      lines.push(`  ${i + 1}. [${s.confidence ?? "?"}] ${s.solution}`);
      if (s.error_type) lines.push(`     from ${s.error_type}: ${(s.message ?? "").split("\n")[0]} (id ${s.error_id})`);
    });
  }
  if (!lines.length) lines.push("No known fix yet: when you fix it, record the solution (coding_resolve_error).");
  return lines.join("\n");
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`coding-memory: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
