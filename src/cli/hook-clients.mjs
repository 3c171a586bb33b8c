// What each editor's hooks send and expect, mapped to one neutral event (hook-command.mjs runs it):
// Claude Code's hook events (code.claude.com/docs/en/hooks) and Cursor's (cursor.com/docs/hooks). Payloads are
// untrusted JSON: every field is read defensively, and an event this does not know is ignored.
import { isAbsolute, relative, sep } from "node:path";

/**
 * @typedef {{ path: string, tool: string, created: boolean, pairs: Array<[unknown, unknown]> }} Edit
 * @typedef {{ type: "session-start", sessionId: string, startsSession: boolean }
 *   | { type: "command-failed", command: string, output: string, exitCode: number | null }
 *   | { type: "file-edited", edit: Edit, sessionId: string }
 *   | { type: "turn-end" }
 *   | { type: "session-end" }} HookEvent
 * @typedef {{
 *   id: "claude-code" | "cursor", label: string,
 *   lessonsOnEdit: boolean,
 *   read: (event: string, input: Record<string, any>) => HookEvent | null,
 *   write: (event: string, context: string) => Record<string, unknown> | null,
 *   root: (input: Record<string, any>) => string | null,
 *   deadlineMs: (event: string) => number,
 * }} HookClient
 */

/** Claude Code's tools that change files. */
const CLAUDE_EDIT_TOOLS = new Set(["Edit", "Write", "MultiEdit", "NotebookEdit"]);

/** @type {HookClient} */
const claudeCode = {
  id: "claude-code",
  label: "Claude Code",
  // PostToolUse can hand context back after an edit: what the team learned about the file.
  lessonsOnEdit: true,
  root: (input) => (typeof input.cwd === "string" ? input.cwd : null),
  // SessionEnd hooks share a budget of 1.5 s.
  deadlineMs: (event) => (event === "SessionEnd" ? 1_200 : 2_000),
  read(event, input) {
    if (event === "SessionStart") {
      const source = String(input.source ?? "startup");
      return {
        type: "session-start",
        sessionId: String(input.session_id ?? ""),
        startsSession: source !== "resume" && source !== "compact",
      };
    }
    // A Bash command that exits non-zero is a failed tool call: PostToolUseFailure, its `error` the output
    // ("Exit code N\n…"). An interrupt by the user is not a failure of the code.
    if (event === "PostToolUseFailure" && input.tool_name === "Bash" && !input.is_interrupt) {
      const output = String(input.error ?? "");
      const exit = /^Exit code (\d+)/.exec(output);
      return {
        type: "command-failed",
        command: String(input.tool_input?.command ?? ""),
        output,
        exitCode: exit ? Number(exit[1]) : null,
      };
    }
    if (event === "PostToolUse" && CLAUDE_EDIT_TOOLS.has(String(input.tool_name))) {
      const tool = String(input.tool_name);
      const toolInput = input.tool_input ?? {};
      /** @type {Array<[unknown, unknown]>} */
      const pairs =
        tool === "MultiEdit"
          ? (Array.isArray(toolInput.edits) ? toolInput.edits : []).map((/** @type {any} */ e) => [
              e?.old_string,
              e?.new_string,
            ])
          : tool === "Edit"
            ? [[toolInput.old_string, toolInput.new_string]]
            : [["", toolInput.content ?? toolInput.new_source ?? ""]];
      const path = String(toolInput.file_path ?? toolInput.notebook_path ?? input.tool_response?.filePath ?? "");
      return {
        type: "file-edited",
        edit: { path, tool, created: tool === "Write" && input.tool_response?.type === "create", pairs },
        sessionId: String(input.session_id ?? ""),
      };
    }
    if (event === "Stop") return { type: "turn-end" };
    if (event === "SessionEnd") return { type: "session-end" };
    return null;
  },
  write(event, context) {
    return event === "SessionStart" || event === "PostToolUseFailure" || event === "PostToolUse"
      ? { hookSpecificOutput: { hookEventName: event, additionalContext: context } }
      : null;
  },
};

/** @type {HookClient} */
const cursor = {
  id: "cursor",
  label: "Cursor",
  // afterFileEdit takes no output: nothing can be handed back there.
  lessonsOnEdit: false,
  root: (input) =>
    Array.isArray(input.workspace_roots) && typeof input.workspace_roots[0] === "string"
      ? input.workspace_roots[0]
      : typeof input.cwd === "string"
        ? input.cwd
        : null,
  deadlineMs: () => 2_000,
  read(event, input) {
    if (event === "sessionStart") {
      return {
        type: "session-start",
        sessionId: String(input.session_id ?? input.conversation_id ?? ""),
        startsSession: !input.is_background_agent,
      };
    }
    // A shell command's result comes as postToolUse with `tool_output` a JSON string holding its exit code.
    if (event === "postToolUse" && input.tool_name === "Shell") {
      /** @type {any} */
      let result;
      try {
        result = typeof input.tool_output === "string" ? JSON.parse(input.tool_output) : (input.tool_output ?? {});
      } catch {
        return null;
      }
      const exitCode = Number(result?.exitCode ?? result?.exit_code ?? 0);
      if (!exitCode) return null;
      const output = [result.stdout, result.stderr, result.output]
        .filter((part) => typeof part === "string" && part)
        .join("\n");
      return {
        type: "command-failed",
        command: String(input.tool_input?.command ?? ""),
        output: output || `exit code ${exitCode}`,
        exitCode,
      };
    }
    if (event === "afterFileEdit") {
      /** @type {Array<[unknown, unknown]>} */
      const pairs = (Array.isArray(input.edits) ? input.edits : []).map((/** @type {any} */ e) => [
        e?.old_string,
        e?.new_string,
      ]);
      return {
        type: "file-edited",
        edit: { path: String(input.file_path ?? ""), tool: "Edit", created: false, pairs },
        sessionId: String(input.conversation_id ?? ""),
      };
    }
    if (event === "stop") return { type: "turn-end" };
    if (event === "sessionEnd") return { type: "session-end" };
    return null;
  },
  write(event, context) {
    return event === "sessionStart" || event === "postToolUse" ? { additional_context: context } : null;
  },
};

/** @type {Record<string, HookClient>} */
export const HOOK_CLIENTS = { "claude-code": claudeCode, cursor };

/**
 * The change an edit made, as coding_track_file_change takes it: the path within the repository, the action, and
 * a short diff (redacted by the caller); null for a file outside the repository.
 * @param {Edit} edit @param {string} root @param {number} maxDiffChars
 */
export function fileChange(edit, root, maxDiffChars) {
  if (!edit.path) return null;
  const path = isAbsolute(edit.path) ? relative(root, edit.path).split(sep).join("/") : edit.path;
  if (!path || path.startsWith("../") || isAbsolute(path)) return null;
  const lines = (/** @type {unknown} */ text, /** @type {string} */ mark) =>
    String(text ?? "")
      .split("\n")
      .filter(Boolean)
      .map((line) => `${mark}${line}`);
  const diff = edit.pairs.map(([before, after]) => [...lines(before, "-"), ...lines(after, "+")].join("\n")).join("\n");
  return { file_path: path, action: edit.created ? "create" : "edit", diff: diff.slice(0, maxDiffChars) || null };
}
