/**
 * What every CI-log recogniser shares: the failure shape they produce, the cleaned and line-split log they read
 * (with the lines that block recognisers have claimed), and the helpers that keep their output alike (paths made
 * repository-relative, messages and excerpts clipped, exception lines split into class and message).
 *
 * Every pattern is applied to a single line, cut to MAX_LINE_CHARS here, so no recogniser can run long on a
 * minified bundle or data dump.
 */

/** "junit" is a failed or errored testcase of a JUnit XML report, whichever tool wrote it. */
export type CiTool =
  | "pytest"
  | "jest"
  | "vitest"
  | "tsc"
  | "eslint"
  | "go-test"
  | "cargo-test"
  | "python-traceback"
  | "node-error"
  | "junit";

export interface CiFailure {
  tool: CiTool;
  /** Exception class or diagnostic id: "AssertionError", "TypeError", "TS2322", "no-unused-vars" (eslint rule), "panic" (go/rust panics), "test failure" when nothing better is known. */
  errorType: string;
  /** One-line-ish message (first meaningful line(s), ≤ 2,000 chars). */
  message: string;
  /** The relevant excerpt: traceback / stack / assertion diff, ≤ 8,000 chars; null when there is none. */
  stackTrace: string | null;
  /** Repository-relative path when the log shows one (GitHub runner checkout prefixes stripped), else as printed. */
  filePath: string | null;
  lineNumber: number | null;
  /** e.g. "tests/test_auth.py::test_login", "auth › logs in", "TestParse", "tests::it_works". */
  testName: string | null;
}

export interface ParseCiLogOptions {
  /** At most this many failures are returned, in log order (default 50). */
  maxFailures?: number;
}

const MAX_MESSAGE_CHARS = 2_000;
const MAX_EXCERPT_CHARS = 8_000;
/** Longer lines (minified bundles, data dumps) are cut before matching so that no pattern can run long on them. */
const MAX_LINE_CHARS = 10_000;
export const MAX_MESSAGE_LINES = 12;
/** How far past a block's start a recogniser looks for the end of a message or the first frame. */
export const LOOKAHEAD_LINES = 12;
export const UNKNOWN_ERROR_TYPE = "test failure";

/** One recogniser per tool's output format; see RECOGNISERS in index.ts for the order they run in. */
export type Recogniser = (log: Log) => Found[];

export interface Log {
  readonly lines: readonly string[];
  /** 1 where a block recogniser has already reported the line's failure. */
  readonly claimed: Uint8Array;
}

/** A failure and the log line it starts at, which orders the merged result. */
export interface Found {
  readonly line: number;
  readonly failure: CiFailure;
}

export interface Location {
  filePath: string;
  lineNumber: number | null;
}

// eslint-disable-next-line no-control-regex -- ANSI sequences are introduced by the ESC control character.
const ANSI_ESCAPE = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]/g;
const RUNNER_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z ?/gm;
const RUNNER_MARKER = /^##\[[a-z]+\]/gm;

/**
 * The log as the tools printed it: no ANSI colours, no GitHub Actions timestamps or `##[group]`-style markers (the
 * text after a marker is kept, since `##[error]` prefixes the interesting line), and `\n` line endings.
 */
export function cleanCiLog(log: string): string {
  return log
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .replace(ANSI_ESCAPE, "")
    .replace(RUNNER_TIMESTAMP, "")
    .replace(RUNNER_MARKER, "");
}

/** The cleaned log as recognisers read it: one entry per line, each cut and right-trimmed, none claimed yet. */
export function toLog(log: string): Log {
  const lines = cleanCiLog(log)
    .split("\n")
    .map((line) => (line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line).trimEnd());
  return { lines, claimed: new Uint8Array(lines.length) };
}

// ---------------------------------------------------------------------------------------------------------------------
// Shared helpers

/** Spreading into push() overflows the call stack for the hundreds of thousands of items a huge log can yield. */
export function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

export function lineAt(log: Log, index: number): string {
  return log.lines[index] ?? "";
}

export function claim(log: Log, from: number, toExclusive: number): void {
  log.claimed.fill(1, Math.max(0, from), Math.min(log.lines.length, toExclusive));
}

export function indentOf(line: string): number {
  let indent = 0;
  while (indent < line.length && (line[indent] === " " || line[indent] === "\t")) indent++;
  return indent;
}

export function isBlank(line: string): boolean {
  return indentOf(line) === line.length;
}

export function toLineNumber(text: string | undefined): number | null {
  if (text === undefined) return null;
  const value = Number.parseInt(text, 10);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}

const RUNNER_CHECKOUT =
  /^(?:\/home\/runner\/_?work|\/Users\/runner\/work|\/__w|[A-Za-z]:[\\/](?:a|actions-runner[\\/]_work))[\\/][^\\/]+[\\/][^\\/]+[\\/]/;
const ACTION_CONTAINER_WORKSPACE = /^\/github\/workspace\//;

/** Strips the runner's checkout directory (`/home/runner/work/<repo>/<repo>/`, `D:\a\<repo>\<repo>\`, …). */
export function repoRelativePath(printed: string): string {
  let path = printed.trim();
  if (path.startsWith("file:///")) path = /^file:\/\/\/[A-Za-z]:/.test(path) ? path.slice(8) : path.slice(7);
  const checkout = RUNNER_CHECKOUT.exec(path) ?? ACTION_CONTAINER_WORKSPACE.exec(path);
  return checkout ? path.slice(checkout[0].length).replace(/\\/g, "/") : path;
}

function clipMessage(text: string): string {
  const trimmed = text.trim();
  return trimmed.length <= MAX_MESSAGE_CHARS ? trimmed : `${trimmed.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

/** The lines with blank edges and common indentation removed; null when nothing is left. */
export function excerpt(lines: readonly string[]): string | null {
  let start = 0;
  let end = lines.length;
  while (start < end && isBlank(lines[start] ?? "")) start++;
  while (end > start && isBlank(lines[end - 1] ?? "")) end--;
  if (start === end) return null;
  const kept = lines.slice(start, end);
  let commonIndent = Infinity;
  for (const line of kept) if (!isBlank(line)) commonIndent = Math.min(commonIndent, indentOf(line));
  const text = kept.map((line) => line.slice(commonIndent)).join("\n");
  if (text.length <= MAX_EXCERPT_CHARS) return text;
  // Both ends matter: the head names the failure and the tail holds the innermost frames.
  const marker = "\n… [truncated] …\n";
  const keep = MAX_EXCERPT_CHARS - marker.length;
  const head = Math.ceil(keep / 2);
  return text.slice(0, head) + marker + text.slice(text.length - (keep - head));
}

export function logExcerpt(log: Log, from: number, toExclusive: number): string | null {
  return excerpt(log.lines.slice(from, toExclusive));
}

/** Two failures with this key are the same one reported twice (e.g. by a block and by its summary line). */
export function failureKey(failure: CiFailure): string {
  return JSON.stringify([
    failure.tool,
    failure.errorType,
    failure.message,
    failure.filePath,
    failure.lineNumber,
    failure.testName,
  ]);
}

export function makeFailure(
  tool: CiTool,
  fields: {
    errorType: string | null;
    message: string;
    stackTrace?: string | null;
    location?: Location | null;
    testName?: string | null;
  },
): CiFailure {
  const errorType = fields.errorType?.trim() || UNKNOWN_ERROR_TYPE;
  return {
    tool,
    errorType,
    message: clipMessage(fields.message) || errorType,
    stackTrace: fields.stackTrace ?? null,
    filePath: fields.location?.filePath ?? null,
    lineNumber: fields.location?.lineNumber ?? null,
    testName: fields.testName ?? null,
  };
}

/** `ValueError: msg`, `requests.exceptions.HTTPError: msg`, `Error [ERR_MODULE_NOT_FOUND]: msg`, `KeyboardInterrupt`. */
const EXCEPTION_LINE = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)( \[[\w.-]+\])?(:(?: (.*))?)?$/;
const ERROR_LIKE_NAME =
  /(?:^|\.)(?:[A-Z][\w$]*)?(?:Error|Exception|Exit|Interrupt|Iteration|Warning|Failure|Failed|Fault)$/;

export interface ExceptionText {
  errorType: string;
  message: string;
}

/**
 * Splits an exception line into class and message. Where the position alone says the line is an exception (the
 * last line of a Python traceback) any `Name: message` is accepted; elsewhere the name must look like an error class
 * so that ordinary `Label: value` lines are not mistaken for one.
 */
export function parseException(text: string, acceptAnyName: boolean): ExceptionText | null {
  const match = EXCEPTION_LINE.exec(text.trim());
  if (!match) return null;
  const name = match[1] ?? "";
  const hasColon = match[3] !== undefined;
  if ((!acceptAnyName || !hasColon) && !ERROR_LIKE_NAME.test(name)) return null;
  return { errorType: name + (match[2] ?? ""), message: (match[4] ?? "").trim() };
}

const TEST_FILE =
  /(?:[._-](?:test|spec)\.[cm]?[jt]sx?|^test_[^/]*\.py|\/test_[^/]*\.py|_test\.(?:py|go))$|(?:^|\/)__tests__\//;

export function isTestFile(path: string): boolean {
  return TEST_FILE.test(path);
}

export function isDependencyOrRuntime(path: string): boolean {
  return path.startsWith("node:") || path.includes("node_modules") || path.startsWith("internal/");
}

/** `path:line[:col]`, tolerating a Windows drive letter. */
export function splitPathLine(location: string): Location | null {
  const match = /^(.+?):(\d+)(?::\d+)?$/.exec(location.trim());
  if (!match) return null;
  return { filePath: repoRelativePath(match[1] ?? ""), lineNumber: toLineNumber(match[2]) };
}
