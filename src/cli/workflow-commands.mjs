// The workflow from a terminal: start and end a session, search errors, read the context, list errors and
// decisions, patterns and costs. Tool-backed commands print the tool's own readable text (the text an
// assistant gets over MCP, asked for with Accept: text/plain) or, with --json, its structured result; listings
// print a table or, with --json, the API's page.

/**
 * @typedef {{ request: (method: "GET" | "POST", path: string, body?: unknown, options?: { text?: boolean }) => Promise<any> }} Api
 * @typedef {{ json: boolean, args: string[], flags: Record<string, any> }} Invocation
 */

export const WORKFLOW_COMMANDS = ["start", "end", "search", "context", "errors", "decisions", "patterns", "costs"];

/**
 * @param {string} command @param {Api} api @param {string} project @param {Invocation} invocation
 * @returns {Promise<string>} what to print
 */
export async function runWorkflowCommand(command, api, project, { json, args, flags }) {
  const base = `/projects/${encodeURIComponent(project)}`;
  const tool = async (
    /** @type {"GET" | "POST"} */ method,
    /** @type {string} */ path,
    /** @type {unknown} */ body = undefined,
  ) =>
    json
      ? JSON.stringify(await api.request(method, `${base}${path}`, body), null, 2)
      : String(await api.request(method, `${base}${path}`, body, { text: true })).trimEnd();
  const query = (/** @type {Record<string, unknown>} */ values) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(values))
      if (value !== undefined && value !== null) search.set(key, String(value));
    const text = search.toString();
    return text ? `?${text}` : "";
  };
  const text = args.join(" ").trim();

  if (command === "start") {
    if (!text) throw usage("coding-memory start <what the session is about> [--tag t]");
    return tool("POST", "/sessions", { description: text, tags: flags.tag ?? [] });
  }
  if (command === "end") {
    const success = flags.success ? true : flags.failed ? false : undefined;
    return tool("POST", "/sessions/end", {
      summary: flags.summary ?? text ?? undefined,
      ...(success === undefined ? {} : { success }),
    });
  }
  if (command === "search") {
    if (!text) throw usage("coding-memory search <error text or description> [--k n]");
    return tool("POST", "/errors/search", { query: text, k: flags.k ? Number(flags.k) : 5 });
  }
  if (command === "context") {
    return tool("GET", `/context${query({ focus: text || undefined, max_tokens: flags["max-tokens"] })}`);
  }
  if (command === "patterns") return tool("GET", "/patterns");
  if (command === "costs") return tool("GET", "/costs");
  if (command === "errors" || command === "decisions") {
    const limit = flags.limit ? Number(flags.limit) : 20;
    const resolved =
      command === "errors" && (flags.open || flags.resolved) ? { resolved: Boolean(flags.resolved) } : {};
    const page = await api.request("GET", `${base}/${command}${query({ limit, ...resolved })}`);
    if (json) return JSON.stringify(page, null, 2);
    return command === "errors" ? errorTable(page.items) : decisionTable(page.items);
  }
  throw usage(`unknown command ${command}`);
}

/** @param {string} message */
function usage(message) {
  return Object.assign(new Error(`Usage: ${message}`), { usage: true });
}

/**
 * A plain-text table: columns padded to their widest cell (each cell cut at `max`), a rule under the header.
 * @param {string[]} header @param {string[][]} rows @param {number[]} max
 */
export function table(header, rows, max) {
  const cut = (/** @type {string} */ cell, /** @type {number} */ i) => {
    const flat = cell.replace(/\s+/g, " ").trim();
    const limit = max[i] ?? 60;
    return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
  };
  const cells = [header, ...rows].map((row) => row.map(cut));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length)));
  const line = (/** @type {string[]} */ row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(cells[0] ?? []), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/** @param {Array<Record<string, any>>} items */
function errorTable(items) {
  if (!items.length) return "No errors recorded.";
  return table(
    ["id", "type", "message", "seen", "last seen", "fix"],
    items.map((e) => [
      String(e.error_id).slice(0, 8),
      e.error_type,
      e.message,
      `${e.occurrences}×`,
      String(e.last_seen).slice(0, 10),
      e.solution ?? "(open)",
    ]),
    [8, 28, 60, 6, 10, 50],
  );
}

/** @param {Array<Record<string, any>>} items */
function decisionTable(items) {
  if (!items.length) return "No decisions recorded.";
  return table(
    ["id", "date", "decision", "rationale"],
    items.map((d) => [String(d.decision_id).slice(0, 8), String(d.created_at).slice(0, 10), d.decision, d.rationale]),
    [8, 10, 50, 70],
  );
}
