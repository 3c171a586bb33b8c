// `coding-memory hook <event> [--client claude-code|cursor]`: what the editor's hooks run (docs/capture.md).
// Each reads the event's JSON on stdin (hook-clients.mjs maps it to one neutral event) and returns within a hard
// deadline: it never blocks the editor longer, whatever the server does.
// - session start: start a coding session and hand the project context back to the model;
// - a shell command failed: record the failure (the server reads it with its CI-log recognisers) and hand the
//   known fix back in the same turn;
// - a file edited: queue the change locally (no network); sent at the end of the turn;
// - end of a turn: send what is queued; session end: send it and end the session (its digest).
// Everything goes through the spool in order, redacted on this machine first; what the server does not answer
// in time stays there for the next hook.
import { ApiClient } from "./api.mjs";
import { resolveSettings } from "./config.mjs";
import { redactSecrets } from "./generated/redaction.mjs";
import { gitRoot } from "./git-root.mjs";
import { fileChange, HOOK_CLIENTS } from "./hook-clients.mjs";
import { Announced, Spool, spoolDirectory } from "./spool.mjs";

/** The tail of a command's output that is sent: test runners print their summary last. */
const MAX_OUTPUT_CHARS = 200_000;
const MAX_DIFF_CHARS = 4_000;
const CONTEXT_TOKENS = 1_500;

/** @param {string} text */
const redact = (text) => redactSecrets(text).text;

/**
 * @typedef {{ request: (method: "GET" | "POST", path: string, body?: unknown, options?: { signal?: AbortSignal, idempotencyKey?: string }) => Promise<any> }} Api
 * @typedef {import("./hook-clients.mjs").HookEvent} HookEvent
 * @typedef {{ errors?: boolean, changes?: boolean, sessions?: boolean }} CaptureSettings
 */

/**
 * @param {{
 *   event: HookEvent, client: { id: string, label: string, lessonsOnEdit?: boolean }, api: Api, spool: Spool,
 *   project: string, root: string, deadline: number, capture?: CaptureSettings,
 *   announced?: (sessionId: string) => { has(path: string): boolean, add(path: string): void, prune(): void },
 * }} options
 * @returns {Promise<{ context: string | null, sent: number, spooled: number }>} context: what goes back to the model
 */
export async function runHook(options) {
  const { event, client, spool, deadline } = options;
  const capture = { errors: true, changes: true, sessions: true, ...options.capture };
  /** @type {string | null} */
  let awaited = null;
  const add = (/** @type {string} */ kind, /** @type {Record<string, unknown>} */ body) => spool.add(kind, body).id;

  if (event.type === "session-start" && capture.sessions && event.startsSession) {
    add("session-start", {
      description: `${client.label} session ${event.sessionId.slice(0, 8)}`.trim(),
      tags: [client.id],
    });
  } else if (event.type === "command-failed" && capture.errors) {
    const command = event.command.trim();
    if (command && event.output) {
      awaited = add("capture", {
        client: client.id,
        command: redact(command).slice(0, 2_000),
        exit_code: event.exitCode,
        output: redact(event.output.slice(-MAX_OUTPUT_CHARS)),
      });
    }
  } else if (event.type === "file-edited") {
    const change = capture.changes ? fileChange(event.edit, options.root, MAX_DIFF_CHARS) : null;
    // An edit is only queued: it costs no round trip, and the turn's changes go together at its end.
    if (change) {
      add("change", {
        ...change,
        diff: change.diff ? redact(change.diff) : null,
        reason: `${event.edit.tool} by ${client.label}`,
      });
    }
    // The first edit of a file in a session (where the editor can hear back): what the team learned about it.
    const announced = client.lessonsOnEdit && change && event.sessionId ? options.announced?.(event.sessionId) : null;
    const context =
      announced && change && !announced.has(change.file_path)
        ? await lessons(options, change.file_path, announced)
        : null;
    return { context, sent: 0, spooled: spool.pending().length };
  } else if (event.type === "session-end" && capture.sessions) {
    add("session-end", {});
  }

  /** @type {any} */
  let answer = null;
  const { sent } = await spool.flush(async (spooled) => {
    const result = await deliver(options.api, options.project, spooled, deadline);
    if (spooled.id === awaited) answer = result;
  }, deadline);
  const spooled = spool.pending().length;

  if (event.type === "session-start") {
    if (event.sessionId) options.announced?.(event.sessionId).prune();
    const path = `/projects/${encodeURIComponent(options.project)}/context?max_tokens=${CONTEXT_TOKENS}`;
    const context = await withDeadline(deadline, (signal) =>
      options.api.request("GET", path, undefined, { signal }),
    ).catch(() => null);
    const text = context?.markdown
      ? `Coding Memory (project ${options.project}), what the team already knows:\n\n${context.markdown}`
      : null;
    return { context: text, sent, spooled };
  }
  if (event.type === "command-failed" && answer) return { context: describeKnownFixes(answer), sent, spooled };
  return { context: null, sent, spooled };
}

/** A lesson note stays short: it lands in the middle of the model's work. */
const MAX_LESSONS_CHARS = 1_200;
/** Looking lessons up may take this long at most, within the hook's deadline: an edit must stay quick. */
const LESSONS_BUDGET_MS = 800;

/**
 * What the team learned about a file, as a note for the model, or null when nothing (or the server did not
 * answer in time: then the file is asked about again at its next edit).
 * @param {{ api: Api, project: string, deadline: number }} options @param {string} path
 * @param {{ add(path: string): void }} announced
 */
async function lessons(options, path, announced) {
  const deadline = Math.min(options.deadline, Date.now() + LESSONS_BUDGET_MS);
  const url = `/projects/${encodeURIComponent(options.project)}/files/lessons?path=${encodeURIComponent(path)}`;
  const found = await withDeadline(deadline, (signal) => options.api.request("GET", url, undefined, { signal })).catch(
    () => null,
  );
  if (!found) return null;
  announced.add(path);
  const lines = [
    ...(found.errors ?? []).map(
      (/** @type {any} */ e) =>
        `- ${e.error_type}: ${String(e.message).split("\n")[0]?.slice(0, 160)} (seen ${e.occurrences}×)` +
        (e.solution ? ` — fixed by: ${String(e.solution).slice(0, 240)}` : " — not fixed yet"),
    ),
    ...(found.decisions ?? []).map(
      (/** @type {any} */ d) =>
        `- Decision (${String(d.created_at).slice(0, 10)}): ${d.decision} — because ${String(d.rationale).slice(0, 240)}`,
    ),
  ];
  if (!lines.length) return null;
  const text = `Coding Memory: what the team learned about ${path} (before you go on with it):\n${lines.join("\n")}`;
  return text.length > MAX_LESSONS_CHARS ? `${text.slice(0, MAX_LESSONS_CHARS - 1)}…` : text;
}

/**
 * One spooled event to the server; throws when it must stay in the spool (unreachable, too slow, 5xx, 429).
 * @param {Api} api @param {string} project @param {import("./spool.mjs").SpooledEvent} event @param {number} deadline
 */
async function deliver(api, project, event, deadline) {
  const base = `/projects/${encodeURIComponent(project)}`;
  // Every write carries the event's id as its Idempotency-Key: an event sent again after its answer was lost
  // gets that answer back instead of being written twice (captures: the id is also their delivery id).
  const call = (/** @type {string} */ path, /** @type {unknown} */ body, key = event.id) =>
    withDeadline(deadline, (signal) => api.request("POST", `${base}${path}`, body, { signal, idempotencyKey: key }));
  try {
    if (event.kind === "capture") return await call("/errors/capture", { event_id: event.id, ...event.body });
    if (event.kind === "change") return await call("/changes", event.body);
    if (event.kind === "session-end") return await call("/sessions/end", {});
    if (event.kind === "session-start") {
      try {
        return await call("/sessions", event.body);
      } catch (error) {
        // A session left open (an editor that was killed before its session end) is ended, then a new one starts.
        if (/** @type {{ status?: number }} */ (error).status !== 409) throw error;
        await call("/sessions/end", {}, `${event.id}-end-stale`);
        return await call("/sessions", event.body, `${event.id}-retry`);
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

/** More stdin than a hook event carries is not read. */
const MAX_HOOK_INPUT_BYTES = 8 * 1_048_576;

/**
 * A hook: reads the event on stdin, runs it within the client's deadline (under the editor's own timeout),
 * prints what goes back to the editor. It exits 0 whatever happens (a hook that fails must not disturb the
 * editor); problems go to stderr.
 * @param {string} event @param {Record<string, any>} values
 */
export async function hookCommand(event, values) {
  const started = Date.now();
  const client = HOOK_CLIENTS[values.client?.[0] ?? "claude-code"];
  if (!client) {
    console.error(`coding-memory hook: unknown --client ${values.client} (claude-code or cursor)`);
    return 0;
  }
  const deadline = started + client.deadlineMs(event);
  try {
    const input = JSON.parse((await readStdin(deadline)) || "{}");
    const hookEvent = client.read(event, input);
    if (!hookEvent) return 0;
    const cwd = client.root(input) ?? process.cwd();
    const root = gitRoot(cwd) ?? cwd;
    const settings = resolveSettings(
      { url: values.url, token: values.token, project: values.project },
      root,
      process.env,
    );
    const result = await runHook({
      event: hookEvent,
      client,
      api: new ApiClient({ url: settings.url, token: settings.token }),
      spool: new Spool(spoolDirectory(process.env), settings.url, settings.project),
      project: settings.project,
      root,
      deadline,
      capture: settings.capture,
      announced: (sessionId) => new Announced(spoolDirectory(process.env), `${client.id}:${sessionId}`),
    });
    const output = result.context ? client.write(event, result.context) : null;
    if (output) process.stdout.write(`${JSON.stringify(output)}\n`);
    if (process.env.CODING_MEMORY_HOOK_DEBUG) {
      console.error(
        `coding-memory hook ${event}: ${Date.now() - started} ms, sent ${result.sent}, spooled ${result.spooled}`,
      );
    }
  } catch (error) {
    console.error(`coding-memory hook ${event}: ${error instanceof Error ? error.message : error}`);
  }
  return 0;
}

/** @param {number} deadline */
function readStdin(deadline) {
  return new Promise((resolveText) => {
    if (process.stdin.isTTY) return resolveText("");
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    const done = () => {
      clearTimeout(timer);
      process.stdin.pause();
      resolveText(Buffer.concat(chunks).toString("utf8"));
    };
    const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
    process.stdin.on("data", (chunk) => {
      size += chunk.length;
      if (size <= MAX_HOOK_INPUT_BYTES) chunks.push(chunk);
    });
    process.stdin.on("end", done);
    process.stdin.on("error", done);
  });
}
