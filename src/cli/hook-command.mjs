// `coding-memory hook <event>`: what the editor's hooks run (Claude Code's documented hook events; see
// docs/capture.md). Each reads the event's JSON on stdin and returns within a hard deadline: it never blocks
// the editor longer, whatever the server does.
// - SessionStart: start a coding session and hand the project context back to the model.
// - PostToolUseFailure of a shell command: record the failure (the server reads it with its CI-log recognisers)
//   and hand the known fix back in the same turn.
// - PostToolUse of an edit or write: queue the file change locally (no network); sent at the end of the turn.
// - Stop (end of a turn): send what is queued. SessionEnd: send it and end the session (its digest).
// Everything goes through the spool in order, redacted on this machine first; what the server does not answer
// in time stays there for the next hook.
import { relative, isAbsolute, sep } from "node:path";
import { redactSecrets } from "./generated/redaction.mjs";

/** Claude Code's tools that change files. */
const EDIT_TOOLS = new Set(["Edit", "Write", "MultiEdit", "NotebookEdit"]);
/** The tail of a command's output that is sent: test runners print their summary last. */
const MAX_OUTPUT_CHARS = 200_000;
const MAX_DIFF_CHARS = 4_000;
const CONTEXT_TOKENS = 1_500;

/** @param {string} text */
const redact = (text) => redactSecrets(text).text;

/**
 * @typedef {{ request: (method: "GET" | "POST", path: string, body?: unknown, options?: { signal?: AbortSignal }) => Promise<any> }} Api
 * @typedef {import("./spool.mjs").Spool} Spool
 * @typedef {{ errors?: boolean, changes?: boolean, sessions?: boolean }} CaptureSettings
 */

/**
 * @param {{
 *   event: string, input: Record<string, any>, api: Api, spool: Spool, project: string, root: string,
 *   deadline: number, capture?: CaptureSettings,
 * }} options
 * @returns {Promise<{ output: Record<string, unknown> | null, sent: number, spooled: number }>}
 */
export async function runHook(options) {
  const { event, input, spool, deadline } = options;
  const capture = { errors: true, changes: true, sessions: true, ...options.capture };
  /** @type {string | null} */
  let awaited = null;
  const add = (/** @type {string} */ kind, /** @type {Record<string, unknown>} */ body) => spool.add(kind, body).id;

  if (event === "SessionStart" && capture.sessions && input.source !== "resume" && input.source !== "compact") {
    add("session-start", { description: `Claude Code session ${String(input.session_id ?? "").slice(0, 8)}`.trim() });
  } else if (event === "PostToolUseFailure" && capture.errors && input.tool_name === "Bash" && !input.is_interrupt) {
    const command = String(input.tool_input?.command ?? "").trim();
    const output = String(input.error ?? "");
    const exit = /^Exit code (\d+)/.exec(output);
    if (command && output) {
      awaited = add("capture", {
        client: "claude-code",
        command: redact(command).slice(0, 2_000),
        exit_code: exit ? Number(exit[1]) : null,
        output: redact(output.slice(-MAX_OUTPUT_CHARS)),
      });
    }
  } else if (event === "PostToolUse" && capture.changes && EDIT_TOOLS.has(String(input.tool_name))) {
    const change = fileChange(input, options.root);
    // An edit is only queued: it costs no round trip, and the turn's changes go together at its end.
    if (change) add("change", change);
    return { output: null, sent: 0, spooled: 1 };
  } else if (event === "SessionEnd" && capture.sessions) {
    add("session-end", {});
  }

  /** @type {any} */
  let answer = null;
  const { sent } = await spool.flush(async (spooled) => {
    const result = await deliver(options.api, options.project, spooled, deadline);
    if (spooled.id === awaited) answer = result;
  }, deadline);
  const spooled = spool.pending().length;

  if (event === "SessionStart") {
    const context = await withDeadline(deadline, (signal) =>
      options.api.request(
        "GET",
        `/projects/${encodeURIComponent(options.project)}/context?max_tokens=${CONTEXT_TOKENS}`,
        undefined,
        {
          signal,
        },
      ),
    ).catch(() => null);
    const text = context?.markdown
      ? `Coding Memory (project ${options.project}), what the team already knows:\n\n${context.markdown}`
      : null;
    return { output: text ? hookOutput("SessionStart", text) : null, sent, spooled };
  }
  if (event === "PostToolUseFailure" && answer) {
    const text = describeKnownFixes(answer);
    return { output: text ? hookOutput("PostToolUseFailure", text) : null, sent, spooled };
  }
  return { output: null, sent, spooled };
}

/** @param {string} event @param {string} additionalContext */
function hookOutput(event, additionalContext) {
  return { hookSpecificOutput: { hookEventName: event, additionalContext } };
}

/**
 * One spooled event to the server; throws when it must stay in the spool (unreachable, too slow, 5xx, 429).
 * @param {Api} api @param {string} project @param {import("./spool.mjs").SpooledEvent} event @param {number} deadline
 */
async function deliver(api, project, event, deadline) {
  const base = `/projects/${encodeURIComponent(project)}`;
  const call = (/** @type {string} */ path, /** @type {unknown} */ body) =>
    withDeadline(deadline, (signal) => api.request("POST", `${base}${path}`, body, { signal }));
  try {
    if (event.kind === "capture") return await call("/errors/capture", { event_id: event.id, ...event.body });
    if (event.kind === "change") return await call("/changes", event.body);
    if (event.kind === "session-end") return await call("/sessions/end", {});
    if (event.kind === "session-start") {
      try {
        return await call("/sessions", { ...event.body, tags: ["claude-code"] });
      } catch (error) {
        // A session left open (an editor that was killed before its SessionEnd) is ended, then a new one starts.
        if (/** @type {{ status?: number }} */ (error).status !== 409) throw error;
        await call("/sessions/end", {});
        return await call("/sessions", { ...event.body, tags: ["claude-code"] });
      }
    }
    return null;
  } catch (error) {
    const status = /** @type {{ status?: number }} */ (error).status ?? 0;
    // A refusal the server will repeat (bad input, no session to end, no access) is dropped, not retried forever.
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) return null;
    throw error;
  }
}

/**
 * @template T
 * @param {number} deadline
 * @param {(signal: AbortSignal) => Promise<T>} work
 * @returns {Promise<T>}
 */
async function withDeadline(deadline, work) {
  const remaining = deadline - Date.now();
  if (remaining <= 0) throw Object.assign(new Error("hook deadline passed"), { status: 0 });
  return work(AbortSignal.timeout(remaining));
}

/**
 * The change an edit or write made, as coding_track_file_change takes it: the path within the repository, the
 * action, and a short redacted diff.
 * @param {Record<string, any>} input @param {string} root
 */
export function fileChange(input, root) {
  const tool = String(input.tool_name);
  const toolInput = input.tool_input ?? {};
  const absolute = String(toolInput.file_path ?? toolInput.notebook_path ?? input.tool_response?.filePath ?? "");
  if (!absolute) return null;
  const path = isAbsolute(absolute) ? relative(root, absolute).split(sep).join("/") : absolute;
  // A file outside the repository is not the project's.
  if (!path || path.startsWith("../")) return null;
  const created = tool === "Write" && input.tool_response?.type === "create";
  /** @type {Array<[unknown, unknown]>} */
  const pairs =
    tool === "MultiEdit"
      ? (toolInput.edits ?? []).map((/** @type {any} */ e) => [e.old_string, e.new_string])
      : tool === "Edit"
        ? [[toolInput.old_string, toolInput.new_string]]
        : [["", toolInput.content ?? toolInput.new_source ?? ""]];
  const diff = pairs
    .map(([before, after]) =>
      [
        ...String(before ?? "")
          .split("\n")
          .filter(Boolean)
          .map((line) => `-${line}`),
        ...String(after ?? "")
          .split("\n")
          .filter(Boolean)
          .map((line) => `+${line}`),
      ].join("\n"),
    )
    .join("\n");
  return {
    file_path: path,
    action: created ? "create" : "edit",
    diff: redact(diff).slice(0, MAX_DIFF_CHARS) || null,
    reason: `${tool} by Claude Code`,
  };
}

/**
 * What the model should hear about a captured failure: the known fix of a recurring error, then fixes of
 * similar past errors; nothing when the memory knows nothing (no noise in the conversation).
 * @param {{ errors?: Array<{ error_type: string, message: string, occurrences: number, recurring: boolean, known_solution: string | null, suggested_solutions?: Array<{ solution: string, confidence: string }> }> }} answer
 */
export function describeKnownFixes(answer) {
  const lines = [];
  for (const error of answer.errors ?? []) {
    const title = `${error.error_type}: ${String(error.message).split("\n")[0]?.slice(0, 160)}`;
    if (error.known_solution) {
      lines.push(
        `Coding Memory: this failure was seen ${error.occurrences} times in this project (${title}). ` +
          `It was fixed by: ${error.known_solution}`,
      );
      continue;
    }
    const best = (error.suggested_solutions ?? []).filter((s) => s.confidence !== "low").slice(0, 2);
    if (best.length) {
      lines.push(
        `Coding Memory: ${title} resembles past errors of this project (seen ${error.occurrences} times). Fixes that worked: ` +
          best.map((s) => `[${s.confidence}] ${s.solution}`).join(" | "),
      );
    }
  }
  return lines.join("\n") || null;
}
