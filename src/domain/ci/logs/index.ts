/**
 * Structured test and build failures from raw CI job logs.
 *
 * A failed CI run is worth recording as coding errors, but its log is mostly noise (install output, passing tests,
 * timings) and can run to megabytes. Each recogniser below knows one tool's real output format and ignores anything
 * it does not recognise rather than guessing. Every pattern is applied to a single, length-capped line and anchored at
 * its start, and every scan moves forward, so parsing stays linear in the size of the log.
 *
 * Recognisers that understand a whole block (pytest FAILURES sections, Jest/Vitest failure blocks, go panics, cargo
 * test blocks) claim its lines, so the generic Python-traceback and Node-error recognisers do not report the same
 * failure a second time from inside it.
 */

export type CiTool =
  "pytest" | "jest" | "vitest" | "tsc" | "eslint" | "go-test" | "cargo-test" | "python-traceback" | "node-error";

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

const DEFAULT_MAX_FAILURES = 50;
const MAX_MESSAGE_CHARS = 2_000;
const MAX_EXCERPT_CHARS = 8_000;
/** Longer lines (minified bundles, data dumps) are cut before matching so that no pattern can run long on them. */
const MAX_LINE_CHARS = 10_000;
const MAX_MESSAGE_LINES = 12;
/** How far past a block's start a recogniser looks for the end of a message or the first frame. */
const LOOKAHEAD_LINES = 12;
const UNKNOWN_ERROR_TYPE = "test failure";
const PYTHON_TRACEBACK_HEADER = "Traceback (most recent call last):";
/** Python collapses recursion, so a longer run of indented lines is not a traceback that will end in an exception. */
const MAX_TRACEBACK_LINES = 5_000;
/** A test's captured output is bounded in practice; a block that runs on is a truncated log, not one long failure. */
const MAX_BLOCK_LINES = 5_000;

interface Log {
  readonly lines: readonly string[];
  /** 1 where a block recogniser has already reported the line's failure. */
  readonly claimed: Uint8Array;
}

/** A failure and the log line it starts at, which orders the merged result. */
interface Found {
  readonly line: number;
  readonly failure: CiFailure;
}

interface Location {
  filePath: string;
  lineNumber: number | null;
}

// ---------------------------------------------------------------------------------------------------------------------
// Cleaning

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

// ---------------------------------------------------------------------------------------------------------------------
// Entry point

type Recogniser = (log: Log) => Found[];

/** Block recognisers run first so that the generic ones can skip the lines they claimed. */
const RECOGNISERS: readonly Recogniser[] = [
  parsePytest,
  parseJestAndVitest,
  parseGoTest,
  parseCargoTest,
  parseTsc,
  parseEslint,
  parsePythonTracebacks,
  parseNodeErrors,
];

export function parseCiLog(log: string, options?: ParseCiLogOptions): CiFailure[] {
  if (typeof log !== "string" || log.length === 0) return [];
  const maxFailures = failureCap(options?.maxFailures);
  if (maxFailures === 0) return [];

  const lines = cleanCiLog(log)
    .split("\n")
    .map((line) => (line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line).trimEnd());
  const parsed: Log = { lines, claimed: new Uint8Array(lines.length) };

  const found: Found[] = [];
  for (const recognise of RECOGNISERS) append(found, recogniseSafely(recognise, parsed));
  found.sort((a, b) => a.line - b.line);

  const failures: CiFailure[] = [];
  const seen = new Set<string>();
  for (const { failure } of found) {
    const key = JSON.stringify([
      failure.tool,
      failure.errorType,
      failure.message,
      failure.filePath,
      failure.lineNumber,
      failure.testName,
    ]);
    if (seen.has(key)) continue;
    seen.add(key);
    failures.push(failure);
    if (failures.length >= maxFailures) break;
  }
  return failures;
}

/** A log is arbitrary text: one recogniser tripping over an unforeseen shape must not cost the others' results. */
function recogniseSafely(recognise: Recogniser, log: Log): Found[] {
  try {
    return recognise(log);
  } catch {
    return [];
  }
}

function failureCap(requested: number | undefined): number {
  if (requested === undefined || !Number.isFinite(requested)) return DEFAULT_MAX_FAILURES;
  return Math.max(0, Math.floor(requested));
}

// ---------------------------------------------------------------------------------------------------------------------
// Shared helpers

/** Spreading into push() overflows the call stack for the hundreds of thousands of items a huge log can yield. */
function append<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

function lineAt(log: Log, index: number): string {
  return log.lines[index] ?? "";
}

function claim(log: Log, from: number, toExclusive: number): void {
  log.claimed.fill(1, Math.max(0, from), Math.min(log.lines.length, toExclusive));
}

function indentOf(line: string): number {
  let indent = 0;
  while (indent < line.length && (line[indent] === " " || line[indent] === "\t")) indent++;
  return indent;
}

function isBlank(line: string): boolean {
  return indentOf(line) === line.length;
}

function toLineNumber(text: string | undefined): number | null {
  if (text === undefined) return null;
  const value = Number.parseInt(text, 10);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}

const RUNNER_CHECKOUT =
  /^(?:\/home\/runner\/_?work|\/Users\/runner\/work|\/__w|[A-Za-z]:[\\/](?:a|actions-runner[\\/]_work))[\\/][^\\/]+[\\/][^\\/]+[\\/]/;
const ACTION_CONTAINER_WORKSPACE = /^\/github\/workspace\//;

/** Strips the runner's checkout directory (`/home/runner/work/<repo>/<repo>/`, `D:\a\<repo>\<repo>\`, …). */
function repoRelativePath(printed: string): string {
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
function excerpt(lines: readonly string[]): string | null {
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

function logExcerpt(log: Log, from: number, toExclusive: number): string | null {
  return excerpt(log.lines.slice(from, toExclusive));
}

function makeFailure(
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

interface ExceptionText {
  errorType: string;
  message: string;
}

/**
 * Splits an exception line into class and message. Where the position alone says the line is an exception (the
 * last line of a Python traceback) any `Name: message` is accepted; elsewhere the name must look like an error class
 * so that ordinary `Label: value` lines are not mistaken for one.
 */
function parseException(text: string, acceptAnyName: boolean): ExceptionText | null {
  const match = EXCEPTION_LINE.exec(text.trim());
  if (!match) return null;
  const name = match[1] ?? "";
  const hasColon = match[3] !== undefined;
  if ((!acceptAnyName || !hasColon) && !ERROR_LIKE_NAME.test(name)) return null;
  return { errorType: name + (match[2] ?? ""), message: (match[4] ?? "").trim() };
}

const TEST_FILE =
  /(?:[._-](?:test|spec)\.[cm]?[jt]sx?|^test_[^/]*\.py|\/test_[^/]*\.py|_test\.(?:py|go))$|(?:^|\/)__tests__\//;

function isTestFile(path: string): boolean {
  return TEST_FILE.test(path);
}

function isDependencyOrRuntime(path: string): boolean {
  return path.startsWith("node:") || path.includes("node_modules") || path.startsWith("internal/");
}

/** `path:line[:col]`, tolerating a Windows drive letter. */
function splitPathLine(location: string): Location | null {
  const match = /^(.+?):(\d+)(?::\d+)?$/.exec(location.trim());
  if (!match) return null;
  return { filePath: repoRelativePath(match[1] ?? ""), lineNumber: toLineNumber(match[2]) };
}

/**
 * The frame to point at for a JavaScript test failure: the first in the failing test's own file, else the first in any
 * test file, else the first outside dependencies; else the suite file without a line.
 */
function chooseTestFrame(frames: readonly Location[], suiteFile: string | null): Location | null {
  const suitePath = suiteFile === null ? null : repoRelativePath(suiteFile);
  const inSuite = suitePath === null ? undefined : frames.find((frame) => samePath(frame.filePath, suitePath));
  const chosen =
    inSuite ??
    frames.find((frame) => isTestFile(frame.filePath)) ??
    frames.find((frame) => !isDependencyOrRuntime(frame.filePath));
  if (chosen) return chosen;
  return suitePath === null ? null : { filePath: suitePath, lineNumber: null };
}

/** Paths printed relative to different roots still name the same file when one ends with the other. */
function samePath(a: string, b: string): boolean {
  if (a === b) return true;
  const [longer, shorter] = a.length > b.length ? [a, b] : [b, a];
  return longer.endsWith(`/${shorter.replace(/^\.\//, "")}`);
}

// ---------------------------------------------------------------------------------------------------------------------
// Python tracebacks (shared by pytest's native traceback style and the generic recogniser)

const PYTHON_FRAME = /^\s*File "(.+)", line (\d+)/;
const PYTHON_CHAIN_SENTENCES = new Set([
  "During handling of the above exception, another exception occurred:",
  "The above exception was the direct cause of the following exception:",
]);
/** Lines that follow an uncaught exception in CI output but are not part of its message. */
const AFTER_PYTHON_EXCEPTION =
  /^(?:Error: Process completed|Process completed with exit code|make(?:\[\d+\])?: \*\*\*|npm ERR!|##)/;

interface PythonTraceback {
  exception: ExceptionText;
  location: Location | null;
  /** Exclusive end of the traceback, including chained tracebacks and the exception's message lines. */
  end: number;
}

/**
 * Reads the traceback starting at `start` (its header line), following `During handling…` chains so that the
 * exception that actually escaped is reported, with its innermost frame.
 */
function readPythonTraceback(log: Log, start: number, limit: number): PythonTraceback | null {
  let header = start;
  for (;;) {
    const baseIndent = indentOf(lineAt(log, header));
    let index = header + 1;
    let innermost: Location | null = null;
    const frameLimit = Math.min(limit, header + MAX_TRACEBACK_LINES);
    while (index < frameLimit) {
      const line = lineAt(log, index);
      if (!isBlank(line) && indentOf(line) <= baseIndent) break;
      const frame = PYTHON_FRAME.exec(line);
      if (frame) innermost = { filePath: repoRelativePath(frame[1] ?? ""), lineNumber: toLineNumber(frame[2]) };
      index++;
    }
    if (index >= frameLimit) return null;

    const exceptionLine = lineAt(log, index).trim();
    const parsedException = parseException(exceptionLine, true);
    // Neither a frame nor an exception: the header was quoted in some other output, not a traceback.
    if (parsedException === null && innermost === null) return null;
    const exception = parsedException ?? { errorType: UNKNOWN_ERROR_TYPE, message: exceptionLine };
    index++;
    for (let extra = 0; extra < LOOKAHEAD_LINES && index < limit; extra++, index++) {
      const line = lineAt(log, index);
      if (isBlank(line) || line.trim() === PYTHON_TRACEBACK_HEADER || AFTER_PYTHON_EXCEPTION.test(line)) break;
    }

    let next = index;
    while (next < limit && next < index + 2 && isBlank(lineAt(log, next))) next++;
    if (PYTHON_CHAIN_SENTENCES.has(lineAt(log, next).trim())) {
      next++;
      while (next < limit && next < index + 5 && isBlank(lineAt(log, next))) next++;
      if (lineAt(log, next).trim() === PYTHON_TRACEBACK_HEADER) {
        header = next;
        continue;
      }
    }
    return { exception, location: innermost, end: index };
  }
}

function parsePythonTracebacks(log: Log): Found[] {
  const found: Found[] = [];
  for (let index = 0; index < log.lines.length; index++) {
    if (log.claimed[index] === 1 || lineAt(log, index).trim() !== PYTHON_TRACEBACK_HEADER) continue;
    const traceback = readPythonTraceback(log, index, log.lines.length);
    if (!traceback) continue;
    found.push({
      line: index,
      failure: makeFailure("python-traceback", {
        ...traceback.exception,
        stackTrace: logExcerpt(log, index, traceback.end),
        location: traceback.location,
      }),
    });
    claim(log, index, traceback.end);
    index = traceback.end - 1;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------------
// pytest

/** `tests/test_auth.py:42: AssertionError` (long style), `tests/test_auth.py:42: in test_login` (short style). */
const PYTEST_LOCATION = /^((?:[A-Za-z]:)?[^\s:][^:]*\.py):(\d+)(?::(?: (.*))?)?$/;
const PYTEST_FIXTURE_LOCATION = /^file (.+\.py), line (\d+)$/;
const PYTEST_SUMMARY = /^(FAILED|ERROR) (.+)$/;

type PytestBlockKind = "test" | "collect" | "setup" | "teardown";

interface PytestBlock {
  line: number;
  kind: PytestBlockKind;
  /** The head line: `TestParser.test_parse`, or the module path for a collection error. */
  name: string;
  /** First frame in a test module: the file the test lives in, used when no summary line names it. */
  testModule: string | null;
  errorType: string | null;
  message: string;
  location: Location | null;
  stackTrace: string | null;
}

interface PytestSummaryEntry {
  line: number;
  outcome: "FAILED" | "ERROR";
  nodeId: string;
  errorType: string | null;
  message: string;
}

/** `=== FAILURES ===`, `___ test_login ___`: the title between runs of `fence`, or null. */
function fencedTitle(line: string, fence: string): string | null {
  let start = 0;
  while (start < line.length && line[start] === fence) start++;
  let end = line.length;
  while (end > start && line[end - 1] === fence) end--;
  if (start === 0 || end === line.length || end - start < 3) return null;
  if (line[start] !== " " || line[end - 1] !== " ") return null;
  const title = line.slice(start + 1, end - 1).trim();
  // `_ _ _ _` separates frames inside a long traceback; it is not a block header.
  if (title.length === 0 || (fence === "_" && /^[_ ]+$/.test(title))) return null;
  return title;
}

function parsePytest(log: Log): Found[] {
  const found: Found[] = [];
  let pendingBlocks: PytestBlock[] = [];
  let index = 0;
  while (index < log.lines.length) {
    const title = fencedTitle(lineAt(log, index), "=");
    if (title === "FAILURES" || title === "ERRORS") {
      const end = nextFencedLine(log, index + 1, "=");
      append(pendingBlocks, readPytestBlocks(log, index + 1, end));
      claim(log, index, end);
      index = end;
      continue;
    }
    if (title === "short test summary info") {
      let end = index + 1;
      const entries: PytestSummaryEntry[] = [];
      for (; end < log.lines.length; end++) {
        const line = lineAt(log, end);
        if (fencedTitle(line, "=") !== null || fencedTitle(line, "!") !== null) break;
        const entry = parsePytestSummaryLine(line, end);
        if (entry) entries.push(entry);
      }
      append(found, mergePytestResults(pendingBlocks, entries));
      pendingBlocks = [];
      claim(log, index, end);
      index = end;
      continue;
    }
    if (title?.startsWith("test session starts")) {
      append(found, mergePytestResults(pendingBlocks, []));
      pendingBlocks = [];
    }
    index++;
  }
  append(found, mergePytestResults(pendingBlocks, []));
  return found;
}

function nextFencedLine(log: Log, from: number, fence: string): number {
  let index = from;
  while (index < log.lines.length && fencedTitle(lineAt(log, index), fence) === null) index++;
  return index;
}

function readPytestBlocks(log: Log, from: number, end: number): PytestBlock[] {
  const blocks: PytestBlock[] = [];
  let header = -1;
  for (let index = from; index <= end; index++) {
    const title = index < end ? fencedTitle(lineAt(log, index), "_") : null;
    if (title === null && index < end) continue;
    if (header >= 0) {
      const block = readPytestBlock(log, header, index);
      if (block) blocks.push(block);
    }
    header = index;
  }
  return blocks;
}

function pytestBlockHead(title: string): { kind: PytestBlockKind; name: string } {
  const prefixes: Array<[string, PytestBlockKind]> = [
    ["ERROR collecting ", "collect"],
    ["ERROR at setup of ", "setup"],
    ["ERROR at teardown of ", "teardown"],
  ];
  for (const [prefix, kind] of prefixes) {
    if (title.startsWith(prefix)) return { kind, name: title.slice(prefix.length).trim() };
  }
  return { kind: "test", name: title };
}

function readPytestBlock(log: Log, header: number, end: number): PytestBlock | null {
  const title = fencedTitle(lineAt(log, header), "_");
  if (title === null) return null;
  const { kind, name } = pytestBlockHead(title);

  // Captured stdout/stderr/log follow the traceback; they are context, not the failure.
  let bodyEnd = header + 1;
  while (bodyEnd < end && !fencedTitle(lineAt(log, bodyEnd), "-")?.startsWith("Captured")) bodyEnd++;
  const stackTrace = logExcerpt(log, header + 1, bodyEnd);

  for (let index = header + 1; index < bodyEnd; index++) {
    if (lineAt(log, index).trim() !== PYTHON_TRACEBACK_HEADER) continue;
    // --tb=native prints a plain Python traceback inside the block.
    const traceback = readPythonTraceback(log, index, bodyEnd);
    if (!traceback) break;
    const testModule =
      traceback.location && isTestFile(traceback.location.filePath) ? traceback.location.filePath : null;
    return { line: header, kind, name, testModule, ...traceback.exception, location: traceback.location, stackTrace };
  }

  const errorGroups: string[][] = [];
  let previousWasErrorLine = false;
  let testModule: string | null = null;
  let innermost: Location | null = null;
  let locationErrorType: string | null = null;
  for (let index = header + 1; index < bodyEnd; index++) {
    const line = lineAt(log, index);
    const isErrorLine = line === "E" || line.startsWith("E ");
    if (isErrorLine) {
      const text = line.slice(1).trim();
      if (!previousWasErrorLine) errorGroups.push([]);
      errorGroups[errorGroups.length - 1]?.push(text);
      // A SyntaxError's own `File "…", line N` is printed inside the E lines and is the innermost location.
      const frame = PYTHON_FRAME.exec(text);
      if (frame) innermost = { filePath: repoRelativePath(frame[1] ?? ""), lineNumber: toLineNumber(frame[2]) };
    }
    previousWasErrorLine = isErrorLine;
    if (isErrorLine) continue;

    const location = PYTEST_LOCATION.exec(line);
    if (location) {
      const filePath = repoRelativePath(location[1] ?? "");
      innermost = { filePath, lineNumber: toLineNumber(location[2]) };
      if (testModule === null && isTestFile(filePath)) testModule = filePath;
      const tail = (location[3] ?? "").trim();
      locationErrorType = tail.length > 0 && !tail.startsWith("in ") ? tail : null;
      continue;
    }
    const fixtureLocation = PYTEST_FIXTURE_LOCATION.exec(line);
    if (fixtureLocation) {
      innermost = {
        filePath: repoRelativePath(fixtureLocation[1] ?? ""),
        lineNumber: toLineNumber(fixtureLocation[2]),
      };
    }
  }

  const { errorType, message } = pytestException(errorGroups[errorGroups.length - 1] ?? [], locationErrorType);
  return { line: header, kind, name, testModule, errorType, message, location: innermost, stackTrace };
}

/** Class and message of the exception shown by the last group of `E` lines. */
function pytestException(
  errorLines: readonly string[],
  locationErrorType: string | null,
): { errorType: string | null; message: string } {
  const first = errorLines[0] ?? "";
  if (locationErrorType !== null) {
    const own = errorLines.find((text) => text === locationErrorType || text.startsWith(`${locationErrorType}: `));
    const message = own === undefined ? first : own.slice(locationErrorType.length).replace(/^: /, "");
    return { errorType: locationErrorType, message };
  }
  const parsed =
    parseException(first, true) ??
    errorLines.map((text) => parseException(text, false)).find((found) => found !== null);
  if (parsed) return parsed;
  return { errorType: assertionFallback(first), message: first };
}

/** Rewritten asserts print the failed expression (`assert 3 == 4`) without the class they raise. */
function assertionFallback(message: string): string | null {
  return message.startsWith("assert ") ? "AssertionError" : null;
}

function parsePytestSummaryLine(line: string, index: number): PytestSummaryEntry | null {
  const match = PYTEST_SUMMARY.exec(line);
  if (!match) return null;
  const rest = match[2] ?? "";
  // A parametrised id may itself contain " - ", so the separator is looked for after the closing bracket.
  let separator = rest.indexOf(" - ");
  const bracket = rest.indexOf("[");
  if (bracket >= 0 && bracket < separator) {
    const close = rest.indexOf("] - ", bracket);
    separator = close >= 0 ? close + 1 : -1;
  }
  const nodeId = (separator >= 0 ? rest.slice(0, separator) : rest).trim();
  const detail = separator >= 0 ? rest.slice(separator + 3).trim() : "";
  const parsed = parseException(detail, true);
  return {
    line: index,
    outcome: match[1] === "ERROR" ? "ERROR" : "FAILED",
    nodeId,
    errorType: parsed?.errorType ?? assertionFallback(detail),
    message: parsed?.message ?? detail,
  };
}

/** `tests/test_x.py::TestParser::test_parse[1-2]` → `TestParser.test_parse[1-2]`, as pytest titles its block. */
function pytestHeadLine(nodeId: string): string {
  return nodeId.split("::").slice(1).join(".");
}

/** Blocks and summary lines meet on this key: the outcome plus the title pytest gives the block. */
function summaryKey(entry: PytestSummaryEntry): string {
  if (!entry.nodeId.includes("::")) return `collect ${entry.nodeId}`;
  return `${entry.outcome} ${pytestHeadLine(entry.nodeId)}`;
}

function blockKey(block: PytestBlock): string {
  if (block.kind === "collect") return `collect ${block.name}`;
  return `${block.kind === "test" ? "FAILED" : "ERROR"} ${block.name}`;
}

/** One failure per test: a block's traceback enriched with the node id from its short-summary line. */
function mergePytestResults(blocks: readonly PytestBlock[], entries: readonly PytestSummaryEntry[]): Found[] {
  const found: Found[] = [];
  const entriesByKey = new Map<string, PytestSummaryEntry[]>();
  for (const entry of entries) {
    const key = summaryKey(entry);
    const sameKey = entriesByKey.get(key);
    if (sameKey) sameKey.push(entry);
    else entriesByKey.set(key, [entry]);
  }
  const used = new Set<PytestSummaryEntry>();
  for (const block of blocks) {
    const candidates = (entriesByKey.get(blockKey(block)) ?? []).filter((entry) => !used.has(entry));
    // The same test name in two modules: the block's own frames say which module it ran in.
    const entry =
      candidates.find(
        (candidate) => block.testModule !== null && candidate.nodeId.startsWith(`${block.testModule}::`),
      ) ?? candidates[0];
    if (entry) used.add(entry);
    const testName = block.kind === "collect" ? null : (entry?.nodeId ?? guessPytestNodeId(block));
    found.push({
      line: block.line,
      failure: makeFailure("pytest", {
        errorType: block.errorType ?? entry?.errorType ?? null,
        // The summary line is cut to the terminal width, so the block's message is preferred.
        message: block.message || entry?.message || "",
        stackTrace: block.stackTrace,
        location: block.location ?? (entry ? pytestNodeLocation(entry.nodeId) : null),
        testName,
      }),
    });
  }
  for (const entry of entries) {
    if (used.has(entry)) continue;
    found.push({
      line: entry.line,
      failure: makeFailure("pytest", {
        errorType: entry.errorType,
        message: entry.message || `${entry.nodeId} ${entry.outcome === "ERROR" ? "errored" : "failed"}`,
        location: pytestNodeLocation(entry.nodeId),
        testName: entry.nodeId.includes("::") ? entry.nodeId : null,
      }),
    });
  }
  return found;
}

function pytestNodeLocation(nodeId: string): Location {
  return { filePath: repoRelativePath(nodeId.split("::")[0] ?? nodeId), lineNumber: null };
}

function guessPytestNodeId(block: PytestBlock): string {
  if (block.testModule === null) return block.name;
  const bracket = block.name.indexOf("[");
  const path = bracket >= 0 ? block.name.slice(0, bracket) : block.name;
  const parameters = bracket >= 0 ? block.name.slice(bracket) : "";
  return `${block.testModule}::${path.split(".").join("::")}${parameters}`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Jest and Vitest

/** Frames Node prints without a file: `at new Promise (<anonymous>)`, `at async Promise.all (index 0)`. */
const NODE_FRAME_WITHOUT_LOCATION = /^(?:<anonymous>|native|index \d+)$/;

/** `    at fn (/path/file.js:10:5)`, `    at /path/file.js:10:5`, `    at async fn (file:///x.mjs:1:2) {`. */
function parseNodeFrame(line: string): Location | "frame-without-location" | null {
  const trimmed = line.trimStart();
  if (!trimmed.startsWith("at ") || trimmed === line) return null;
  let target = trimmed.slice(3).replace(/ \{$/, "");
  if (target.endsWith(")")) {
    const open = target.lastIndexOf(" (");
    target = open >= 0 ? target.slice(open + 2, -1) : target.slice(1, -1);
  }
  const location = splitPathLine(target);
  if (location) return location;
  return NODE_FRAME_WITHOUT_LOCATION.test(target) ? "frame-without-location" : null;
}

function isNodeFrame(line: string): boolean {
  return parseNodeFrame(line) !== null;
}

/** ` ❯ src/math.test.ts:12:25` or ` ❯ getName src/user.ts:3:15`. */
const VITEST_FRAME = /^\s*[❯›] (?:\S+ )?(\S+:\d+:\d+)$/;
const CODE_FRAME = /^\s*>?\s*\d+\s?\|/;
const CODE_FRAME_CARET = /^\s*\|\s*[\^~]/;
const JEST_DURATION = /\s+\(\d+(?:\.\d+)?\s*m?s\)$/;

interface FailHeader {
  isVitest: boolean;
  file: string;
  testName: string | null;
}

/** `FAIL src/a.test.ts (5.1 s)` (Jest) or `FAIL  src/a.test.ts > suite > test` / `FAIL  src/a.test.ts [ src/a.test.ts ]` (Vitest). */
function parseFailHeader(line: string): FailHeader | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith("FAIL ")) return null;
  const rest = trimmed
    .slice(5)
    .trim()
    .replace(/^\|[^|]+\|\s+/, "")
    .replace(JEST_DURATION, "");
  if (rest.length === 0) return null;
  const testSeparator = rest.indexOf(" > ");
  if (testSeparator > 0) {
    return {
      isVitest: true,
      file: rest.slice(0, testSeparator).trim(),
      testName: rest.slice(testSeparator + 3).trim(),
    };
  }
  const suiteFailure = /^(\S+)\s+\[.*\]$/.exec(rest);
  if (suiteFailure) return { isVitest: true, file: suiteFailure[1] ?? rest, testName: null };
  // Jest's displayName badge precedes the path when projects are named.
  const segments = rest.split(/\s{2,}/);
  return { isVitest: false, file: segments[segments.length - 1] ?? rest, testName: null };
}

function parseJestAndVitest(log: Log): Found[] {
  const found: Found[] = [];
  let jestSuiteFile: string | null = null;
  let index = 0;
  while (index < log.lines.length) {
    const line = lineAt(log, index);
    const header = line.includes("FAIL ") ? parseFailHeader(line) : null;
    if (header?.isVitest) {
      const block = readVitestBlock(log, index);
      append(found, block.found);
      index = block.end;
      continue;
    }
    if (header) jestSuiteFile = header.file;
    else if (/^\s*PASS /.test(line)) jestSuiteFile = null;
    const trimmed = line.trimStart();
    if (trimmed.startsWith("● ") && indentOf(line) <= 4) {
      const block = readJestBlock(log, index, jestSuiteFile);
      if (block.failure) found.push({ line: index, failure: block.failure });
      index = block.end;
      continue;
    }
    index++;
  }
  return found;
}

interface MessageParagraphs {
  paragraphs: string[][];
  /** First line after the message (a code frame, stack frame or the block end). */
  end: number;
}

/** Non-blank lines from `from` until a stack or code frame, grouped into paragraphs. */
function readMessageParagraphs(
  log: Log,
  from: number,
  end: number,
  isFrame: (line: string) => boolean,
): MessageParagraphs {
  const paragraphs: string[][] = [];
  let current: string[] | null = null;
  let index = from;
  for (; index < end; index++) {
    const line = lineAt(log, index);
    if (isFrame(line) || CODE_FRAME.test(line) || CODE_FRAME_CARET.test(line)) break;
    if (isBlank(line)) {
      current = null;
      continue;
    }
    if (current === null) {
      current = [];
      paragraphs.push(current);
    }
    current.push(line.trim());
  }
  return { paragraphs, end: index };
}

interface JsMessage {
  errorType: string | null;
  message: string;
  /** Set when the message is a TypeScript diagnostic (ts-jest), which carries its own location. */
  location: Location | null;
}

/** Errors thrown in a test print `Class: message`; `expect` failures print a matcher hint and Expected/Received. */
function classifyJsMessage(paragraphs: readonly string[][]): JsMessage {
  const firstParagraph = paragraphs[0] ?? [];
  const first = firstParagraph[0] ?? "";
  const diagnostic = parseTscDiagnostic(first);
  if (diagnostic) {
    return {
      errorType: diagnostic.code,
      message: [diagnostic.message, ...firstParagraph.slice(1)].join("\n"),
      location: diagnostic.location,
    };
  }
  if (first.startsWith("expect(") || first.startsWith("expect.")) {
    return {
      errorType: "AssertionError",
      message: paragraphs.flat().slice(0, MAX_MESSAGE_LINES).join("\n"),
      location: null,
    };
  }
  const exception = parseException(first, false);
  const rest = firstParagraph.slice(1, MAX_MESSAGE_LINES);
  if (exception)
    return { errorType: exception.errorType, message: [exception.message, ...rest].join("\n"), location: null };
  return { errorType: null, message: firstParagraph.slice(0, MAX_MESSAGE_LINES).join("\n"), location: null };
}

function readJestBlock(log: Log, header: number, suiteFile: string | null): { failure: CiFailure | null; end: number } {
  const headerLine = lineAt(log, header);
  const headerIndent = indentOf(headerLine);
  const title = headerLine.trim().slice(2).trim();
  let end = header + 1;
  while (end < log.lines.length) {
    const line = lineAt(log, end);
    if (!isBlank(line) && (indentOf(line) <= headerIndent || line.trimStart().startsWith("● "))) break;
    end++;
  }
  claim(log, header, end);
  // Old Jest versions group console output under "● Console"; it is not a failure.
  if (title === "Console" || title.length === 0) return { failure: null, end };

  let messageStart = header + 1;
  while (messageStart < end && isBlank(lineAt(log, messageStart))) messageStart++;
  const { paragraphs, end: messageEnd } = readMessageParagraphs(log, messageStart, end, isNodeFrame);
  const message = classifyJsMessage(paragraphs);
  const frames: Location[] = [];
  for (let index = messageEnd; index < end; index++) {
    const frame = parseNodeFrame(lineAt(log, index));
    if (frame && frame !== "frame-without-location") frames.push(frame);
  }
  return {
    failure: makeFailure("jest", {
      errorType: message.errorType,
      message: message.message,
      stackTrace: logExcerpt(log, header + 1, end),
      location: message.location ?? chooseTestFrame(frames, suiteFile),
      testName: title === "Test suite failed to run" ? null : title,
    }),
    end,
  };
}

function isVitestBlockEnd(line: string): boolean {
  const trimmed = line.trim();
  return trimmed.startsWith("⎯") || trimmed.startsWith("Test Files ") || parseFailHeader(line)?.isVitest === true;
}

/** Vitest prints one ` FAIL ` line per test sharing an error, then the error, diff and `❯` frames. */
function readVitestBlock(log: Log, start: number): { found: Found[]; end: number } {
  const headers: Array<{ line: number; header: FailHeader }> = [];
  let index = start;
  for (; index < log.lines.length; index++) {
    const header = parseFailHeader(lineAt(log, index));
    if (!header?.isVitest) break;
    headers.push({ line: index, header });
  }
  let end = index;
  while (end < log.lines.length && end - index < 400 && !isVitestBlockEnd(lineAt(log, end))) end++;
  claim(log, start, end);

  let messageStart = index;
  while (messageStart < end && isBlank(lineAt(log, messageStart))) messageStart++;
  const isVitestFrame = (line: string) => VITEST_FRAME.test(line);
  const { paragraphs, end: messageEnd } = readMessageParagraphs(log, messageStart, end, isVitestFrame);
  const message = classifyJsMessage(paragraphs);
  const frames: Location[] = [];
  for (let frameIndex = messageEnd; frameIndex < end; frameIndex++) {
    const frame = VITEST_FRAME.exec(lineAt(log, frameIndex));
    const location = frame ? splitPathLine(frame[1] ?? "") : null;
    if (location) frames.push(location);
  }
  const stackTrace = logExcerpt(log, index, end);
  const found = headers.map(({ line, header }) => ({
    line,
    failure: makeFailure("vitest", {
      errorType: message.errorType,
      message: message.message,
      stackTrace,
      location: message.location ?? chooseTestFrame(frames, header.file),
      testName: header.testName,
    }),
  }));
  return { found, end: Math.max(end, start + 1) };
}

// ---------------------------------------------------------------------------------------------------------------------
// go test

const GO_TEST_EVENT = /^=== (RUN|CONT|NAME|PAUSE)\s+(\S+)/;
const GO_TEST_RESULT = /^(\s*)--- (FAIL|PASS|SKIP): (\S+) \(/;
const GO_TEST_OUTPUT = /^(\s+)([^\s:]+\.go):(\d+): ?(.*)$/;
const GO_GOROUTINE = /^goroutine \d+ \[/;
const GO_FRAME_LOCATION = /^\s+(\S.*?):(\d+)(?: \+0x[0-9a-f]+)?$/;
const TESTIFY_FIELD = /^(Error Trace|Error|Test|Messages|Diff):\s*(.*)$/;

interface GoOutput {
  line: number;
  indent: number;
  location: Location;
  text: string;
  continuation: string[];
}

interface GoFailedTest {
  name: string;
  line: number;
}

function parseGoTest(log: Log): Found[] {
  const found: Found[] = [];
  const outputs = new Map<string, GoOutput[]>();
  const failed: GoFailedTest[] = [];
  const reportedByPanic = new Set<string>();
  // `--- FAIL` lines nest by indentation; without -v a test's output follows its result line, indented deeper.
  const resultStack: Array<{ name: string; indent: number }> = [];
  let runningTest: string | null = null;
  let lastOutput: GoOutput | null = null;

  for (let index = 0; index < log.lines.length; index++) {
    const line = lineAt(log, index);
    if (isBlank(line)) {
      lastOutput = null;
      continue;
    }
    const indent = indentOf(line);
    if (lastOutput !== null && indent > lastOutput.indent && !GO_TEST_OUTPUT.test(line) && !GO_TEST_RESULT.test(line)) {
      lastOutput.continuation.push(line);
      continue;
    }
    lastOutput = null;
    while (resultStack.length > 0 && indent <= (resultStack[resultStack.length - 1]?.indent ?? -1)) resultStack.pop();

    const event = GO_TEST_EVENT.exec(line);
    if (event) {
      if (event[1] !== "PAUSE") runningTest = event[2] ?? null;
      continue;
    }
    const result = GO_TEST_RESULT.exec(line);
    if (result) {
      const name = result[3] ?? "";
      resultStack.push({ name, indent: (result[1] ?? "").length });
      if (result[2] === "FAIL") failed.push({ name, line: index });
      if (name === runningTest) runningTest = null;
      continue;
    }
    const output = line.includes(".go:") ? GO_TEST_OUTPUT.exec(line) : null;
    if (output) {
      const owner = resultStack[resultStack.length - 1]?.name ?? runningTest;
      if (owner === null) continue;
      lastOutput = {
        line: index,
        indent,
        location: { filePath: repoRelativePath(output[2] ?? ""), lineNumber: toLineNumber(output[3]) },
        text: (output[4] ?? "").trim(),
        continuation: [],
      };
      const existing = outputs.get(owner);
      if (existing) existing.push(lastOutput);
      else outputs.set(owner, [lastOutput]);
      continue;
    }
    if (line.startsWith("panic: ")) {
      const panic = readGoPanic(log, index, runningTest);
      if (!panic) continue;
      found.push({ line: index, failure: panic.failure });
      if (panic.failure.testName !== null) reportedByPanic.add(panic.failure.testName);
      claim(log, index, panic.end);
      index = panic.end - 1;
      resultStack.length = 0;
    }
  }

  const parentsOfFailedSubtests = new Set<string>();
  for (const test of failed) {
    for (let slash = test.name.indexOf("/"); slash >= 0; slash = test.name.indexOf("/", slash + 1)) {
      parentsOfFailedSubtests.add(test.name.slice(0, slash));
    }
  }
  for (const test of failed) {
    if (reportedByPanic.has(test.name)) continue;
    const testOutputs = outputs.get(test.name) ?? [];
    // A parent fails because a subtest failed; the subtest is the one worth reporting.
    if (testOutputs.length === 0 && parentsOfFailedSubtests.has(test.name)) continue;
    found.push({ line: test.line, failure: goTestFailure(log, test, testOutputs) });
  }
  return found;
}

function goTestFailure(log: Log, test: GoFailedTest, testOutputs: readonly GoOutput[]): CiFailure {
  const resultLine = lineAt(log, test.line).trim();
  const first = testOutputs[0];
  if (!first) {
    return makeFailure("go-test", {
      errorType: null,
      message: `${test.name} failed`,
      stackTrace: resultLine,
      testName: test.name,
    });
  }
  // With -v the output precedes the result line, without it the output follows; the excerpt keeps log order.
  const excerptLines: Array<{ line: number; text: string }> = [{ line: test.line, text: lineAt(log, test.line) }];
  for (const output of testOutputs) {
    for (let offset = 0; offset <= output.continuation.length; offset++) {
      excerptLines.push({ line: output.line + offset, text: lineAt(log, output.line + offset) });
    }
  }
  excerptLines.sort((a, b) => a.line - b.line);
  const testify = readTestify(first.continuation);
  const message = testify?.message ?? [first.text, ...first.continuation.map((line) => line.trim())].join("\n");
  return makeFailure("go-test", {
    errorType: null,
    message,
    stackTrace: excerpt(excerptLines.map((entry) => entry.text)),
    location: testify?.location ?? first.location,
    testName: test.name,
  });
}

/** testify's assertion report: tab-aligned `Error Trace:` / `Error:` / `Test:` fields, values continuing on later lines. */
function readTestify(continuation: readonly string[]): { message: string; location: Location | null } | null {
  const fields = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of continuation) {
    const trimmed = line.trim();
    const field = TESTIFY_FIELD.exec(trimmed);
    if (field) {
      current = [];
      fields.set(field[1] ?? "", current);
      if ((field[2] ?? "").trim()) current.push((field[2] ?? "").trim());
    } else if (current !== null && trimmed) {
      current.push(trimmed);
    }
  }
  const error = fields.get("Error");
  if (!error) return null;
  const messages = fields.get("Messages") ?? [];
  const trace = fields.get("Error Trace")?.[0];
  return { message: [...error, ...messages].join("\n"), location: trace ? splitPathLine(trace) : null };
}

function isGoRuntimeFrame(functionName: string, path: string): boolean {
  return (
    functionName.startsWith("panic(") ||
    functionName.startsWith("runtime.") ||
    functionName.startsWith("testing.") ||
    /\/src\/(?:runtime|testing)\//.test(path) ||
    path.includes("/hostedtoolcache/go/") ||
    path.startsWith("/usr/local/go/")
  );
}

function readGoPanic(log: Log, start: number, runningTest: string | null): { failure: CiFailure; end: number } | null {
  let goroutine = start + 1;
  while (
    goroutine < log.lines.length &&
    goroutine <= start + LOOKAHEAD_LINES &&
    !GO_GOROUTINE.test(lineAt(log, goroutine))
  )
    goroutine++;
  if (!GO_GOROUTINE.test(lineAt(log, goroutine))) return null;

  const message = lineAt(log, start)
    .slice("panic: ".length)
    .replace(/ \[recovered(?:, repanicked)?\]$/, "");
  let testName = runningTest;
  let previous = start - 1;
  while (previous >= 0 && isBlank(lineAt(log, previous))) previous--;
  const previousResult = GO_TEST_RESULT.exec(lineAt(log, previous));
  if (previousResult?.[2] === "FAIL") testName = previousResult[3] ?? testName;
  for (let index = start + 1; index < goroutine; index++) {
    // A timeout lists the tests still running instead of printing a result line.
    if (lineAt(log, index).trim() === "running tests:") {
      testName = /^\s*(\S+) \(/.exec(lineAt(log, index + 1))?.[1] ?? testName;
    }
  }

  let location: Location | null = null;
  let end = goroutine + 1;
  while (end + 1 < log.lines.length) {
    const functionLine = lineAt(log, end);
    const frame = GO_FRAME_LOCATION.exec(lineAt(log, end + 1));
    if (isBlank(functionLine) || indentOf(functionLine) > 0 || !frame) break;
    const path = frame[1] ?? "";
    if (location === null && !isGoRuntimeFrame(functionLine, path)) {
      location = { filePath: repoRelativePath(path), lineNumber: toLineNumber(frame[2]) };
    }
    end += 2;
  }
  return {
    failure: makeFailure("go-test", {
      errorType: "panic",
      message,
      stackTrace: logExcerpt(log, start, end),
      location,
      testName,
    }),
    end,
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// cargo test

const CARGO_TEST_BLOCK = /^---- (.+) stdout ----$/;
/** Rust ≥ 1.73: `thread 't' panicked at src/lib.rs:10:5:`; older: `thread 't' panicked at 'msg', src/lib.rs:10:5`. */
const RUST_PANIC = /^thread '(.*?)'(?: \(\d+\))? panicked at (.*)$/;
const RUST_NEW_PANIC_LOCATION = /^(.+):(\d+):(\d+):$/;
const RUST_OLD_PANIC_END = /^(.*)', (\S+):(\d+):(\d+)$/;
const AFTER_RUST_PANIC = /^(?:note: |stack backtrace:)/;

interface RustPanic {
  threadName: string;
  message: string;
  location: Location | null;
  end: number;
}

function readRustPanic(log: Log, start: number, limit: number): RustPanic | null {
  const match = RUST_PANIC.exec(lineAt(log, start));
  if (!match) return null;
  const threadName = match[1] ?? "";
  const rest = match[2] ?? "";
  const newLocation = RUST_NEW_PANIC_LOCATION.exec(rest);
  if (newLocation) {
    const messageLines: string[] = [];
    let index = start + 1;
    for (; index < limit && messageLines.length < MAX_MESSAGE_LINES; index++) {
      const line = lineAt(log, index);
      if (isBlank(line) || AFTER_RUST_PANIC.test(line)) break;
      messageLines.push(line.trim());
    }
    return {
      threadName,
      message: messageLines.join("\n"),
      location: { filePath: repoRelativePath(newLocation[1] ?? ""), lineNumber: toLineNumber(newLocation[2]) },
      end: index,
    };
  }
  if (rest.startsWith("'")) {
    const messageLines: string[] = [];
    for (let index = start; index < limit && index < start + LOOKAHEAD_LINES; index++) {
      const text = index === start ? rest.slice(1) : lineAt(log, index);
      const close = RUST_OLD_PANIC_END.exec(text);
      if (close) {
        messageLines.push(close[1] ?? "");
        return {
          threadName,
          message: messageLines.map((line) => line.trim()).join("\n"),
          location: { filePath: repoRelativePath(close[2] ?? ""), lineNumber: toLineNumber(close[3]) },
          end: index + 1,
        };
      }
      messageLines.push(text);
    }
  }
  return { threadName, message: rest, location: null, end: start + 1 };
}

function isCargoBlockEnd(line: string): boolean {
  return CARGO_TEST_BLOCK.test(line) || line === "failures:" || line.startsWith("test result: ");
}

function parseCargoTest(log: Log): Found[] {
  const found: Found[] = [];
  for (let index = 0; index < log.lines.length; index++) {
    const line = lineAt(log, index);
    const block = line.startsWith("---- ") ? CARGO_TEST_BLOCK.exec(line) : null;
    if (block) {
      let end = index + 1;
      while (end < log.lines.length && end < index + MAX_BLOCK_LINES && !isCargoBlockEnd(lineAt(log, end))) end++;
      found.push({ line: index, failure: cargoBlockFailure(log, index, end, block[1] ?? "") });
      claim(log, index, end);
      index = end - 1;
      continue;
    }
    if (log.claimed[index] === 1 || !line.startsWith("thread '")) continue;
    // With --nocapture, or outside tests, a panic is printed where it happens rather than in a block.
    const panic = readRustPanic(log, index, log.lines.length);
    if (!panic) continue;
    let end = panic.end;
    while (end < log.lines.length && end < panic.end + 60 && !isBlank(lineAt(log, end))) end++;
    const isTestThread = panic.threadName !== "main" && panic.threadName !== "<unnamed>";
    found.push({
      line: index,
      failure: makeFailure("cargo-test", {
        errorType: "panic",
        message: panic.message,
        stackTrace: logExcerpt(log, index, end),
        location: panic.location,
        testName: isTestThread ? panic.threadName : null,
      }),
    });
    claim(log, index, end);
    index = end - 1;
  }
  return found;
}

function cargoBlockFailure(log: Log, header: number, end: number, testName: string): CiFailure {
  const stackTrace = logExcerpt(log, header + 1, end);
  for (let index = header + 1; index < end; index++) {
    if (!lineAt(log, index).startsWith("thread '")) continue;
    const panic = readRustPanic(log, index, end);
    if (panic) {
      return makeFailure("cargo-test", {
        errorType: "panic",
        message: panic.message,
        stackTrace,
        location: panic.location,
        testName,
      });
    }
  }
  // e.g. `note: test did not panic as expected` for a #[should_panic] test.
  const firstLine = log.lines.slice(header + 1, end).find((line) => !isBlank(line)) ?? "";
  return makeFailure("cargo-test", {
    errorType: null,
    message: firstLine.trim() || `${testName} failed`,
    stackTrace,
    testName,
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// tsc

const TSC_CLASSIC = /^(\S.*?)\((\d+),(\d+)\): error (TS\d+): (.*)$/;
const TSC_PRETTY = /^(\S.*?):(\d+):(\d+) - error (TS\d+): (.*)$/;
const TSC_GLOBAL = /^error (TS\d+): (.*)$/;

interface TscDiagnostic {
  code: string;
  message: string;
  location: Location | null;
  isPretty: boolean;
}

/** Monorepo task runners prefix each line (`web:typecheck: src/a.ts(1,1): …`); the path is what follows. */
function withoutTaskPrefix(path: string): string {
  const separator = path.lastIndexOf(": ");
  return separator >= 0 ? path.slice(separator + 2) : path;
}

function parseTscDiagnostic(line: string): TscDiagnostic | null {
  if (!line.includes("error TS")) return null;
  const located = TSC_CLASSIC.exec(line) ?? TSC_PRETTY.exec(line);
  if (located) {
    return {
      code: located[4] ?? "",
      message: located[5] ?? "",
      location: {
        filePath: repoRelativePath(withoutTaskPrefix(located[1] ?? "")),
        lineNumber: toLineNumber(located[2]),
      },
      isPretty: !line.includes("): error TS"),
    };
  }
  const global = TSC_GLOBAL.exec(line);
  return global ? { code: global[1] ?? "", message: global[2] ?? "", location: null, isPretty: false } : null;
}

function parseTsc(log: Log): Found[] {
  const found: Found[] = [];
  for (let index = 0; index < log.lines.length; index++) {
    if (log.claimed[index] === 1) continue;
    const diagnostic = parseTscDiagnostic(lineAt(log, index));
    if (!diagnostic) continue;
    // Chained explanations (`Property 'b' is missing …`) follow on lines indented by two spaces.
    const messageLines = [diagnostic.message];
    let next = index + 1;
    while (next < log.lines.length && !isBlank(lineAt(log, next)) && indentOf(lineAt(log, next)) >= 2) {
      messageLines.push(lineAt(log, next).trim());
      next++;
    }
    let stackTrace: string | null = null;
    if (diagnostic.isPretty) {
      // --pretty follows the message with a code frame: numbered source lines, `~~~` underlines, related locations.
      let frameEnd = next;
      while (frameEnd < log.lines.length && frameEnd < next + 40) {
        const line = lineAt(log, frameEnd);
        if (!isBlank(line) && indentOf(line) === 0 && (!/^\d/.test(line) || parseTscDiagnostic(line))) break;
        frameEnd++;
      }
      stackTrace = logExcerpt(log, next, frameEnd);
      next = frameEnd;
    }
    found.push({
      line: index,
      failure: makeFailure("tsc", {
        errorType: diagnostic.code,
        message: messageLines.slice(0, MAX_MESSAGE_LINES).join("\n"),
        stackTrace,
        location: diagnostic.location,
      }),
    });
    index = next - 1;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------------
// ESLint (stylish formatter)

const ESLINT_PROBLEM = /^\s+(\d+):(\d+)\s+(error|warning)\s+(.+)$/;
const ESLINT_RULE_ID = /^(?:@[\w.-]+\/)?[\w-]+(?:\/[\w-]+)*$/;
const ESLINT_FILE_HEADER = /^\S.*\.[A-Za-z0-9]+$/;

function parseEslint(log: Log): Found[] {
  const found: Found[] = [];
  for (let index = 0; index + 1 < log.lines.length; index++) {
    const header = lineAt(log, index);
    const isFileHeader =
      ESLINT_PROBLEM.test(lineAt(log, index + 1)) && ESLINT_FILE_HEADER.test(header) && !header.includes(": ");
    if (!isFileHeader) continue;
    const filePath = repoRelativePath(header);
    let next = index + 1;
    for (; next < log.lines.length; next++) {
      const problem = ESLINT_PROBLEM.exec(lineAt(log, next));
      if (!problem) break;
      if (problem[3] !== "error") continue;
      found.push({
        line: next,
        failure: makeFailure("eslint", {
          ...splitEslintRule(problem[4] ?? ""),
          location: { filePath, lineNumber: toLineNumber(problem[1]) },
        }),
      });
    }
    index = next - 1;
  }
  return found;
}

/** Stylish aligns columns with two or more spaces, so the rule id is the last such column when it looks like one. */
function splitEslintRule(text: string): ExceptionText {
  const trimmed = text.trim();
  const separator = trimmed.lastIndexOf("  ");
  const rule = separator >= 0 ? trimmed.slice(separator).trim() : "";
  if (separator >= 0 && ESLINT_RULE_ID.test(rule))
    return { errorType: rule, message: trimmed.slice(0, separator).trim() };
  if (trimmed.startsWith("Parsing error: "))
    return { errorType: "Parsing error", message: trimmed.slice("Parsing error: ".length) };
  return { errorType: "eslint", message: trimmed };
}

// ---------------------------------------------------------------------------------------------------------------------
// Node errors

const NODE_ERROR_LOCATION_HEADER = /^(\S.*):(\d+)$/;
const CARET_LINE = /^\s*\^+\s*$/;

/** Node prints an uncaught error's throw site above it: `file.js:10`, the source line, a caret, a blank line. */
function nodeThrowSite(log: Log, errorLine: number): { start: number; location: Location } | null {
  let caret = errorLine - 1;
  while (caret >= 0 && caret >= errorLine - 2 && isBlank(lineAt(log, caret))) caret--;
  if (!CARET_LINE.test(lineAt(log, caret))) return null;
  const header = NODE_ERROR_LOCATION_HEADER.exec(lineAt(log, caret - 2));
  if (!header) return null;
  const location = { filePath: repoRelativePath(header[1] ?? ""), lineNumber: toLineNumber(header[2]) };
  return { start: caret - 2, location };
}

/** An error's first line as Node prints it: unindented `TypeError: msg`, `Error [ERR_X]: msg`, `Uncaught Error: msg`. */
function nodeErrorLine(line: string): ExceptionText | null {
  if (line.length === 0 || indentOf(line) > 0 || !line.includes(": ")) return null;
  return parseException(line.startsWith("Uncaught ") ? line.slice("Uncaught ".length) : line, false);
}

function startsNodeError(line: string): boolean {
  return nodeErrorLine(line) !== null;
}

function parseNodeErrors(log: Log): Found[] {
  const found: Found[] = [];
  for (let index = 0; index < log.lines.length; index++) {
    const line = lineAt(log, index);
    if (log.claimed[index] === 1) continue;
    const exception = nodeErrorLine(line);
    if (!exception) continue;

    // Messages can run over several lines, blank ones included (`Require stack:`, node:assert diffs); another
    // error line means this one had no stack of its own.
    let firstFrame = index + 1;
    while (
      firstFrame < log.lines.length &&
      firstFrame <= index + LOOKAHEAD_LINES &&
      !isNodeFrame(lineAt(log, firstFrame)) &&
      !startsNodeError(lineAt(log, firstFrame))
    ) {
      firstFrame++;
    }
    if (!isNodeFrame(lineAt(log, firstFrame))) continue;

    const frames: Location[] = [];
    let end = firstFrame;
    for (; end < log.lines.length; end++) {
      const frame = parseNodeFrame(lineAt(log, end));
      if (frame === null) break;
      if (frame !== "frame-without-location") frames.push(frame);
    }
    // Error properties (`{ code: 'ERR_…' }`) follow the last frame, opening on its line or the next.
    if (lineAt(log, end) === "{") end++;
    if (lineAt(log, end - 1).endsWith("{")) {
      for (let close = end; close < log.lines.length && close < end + 30; close++) {
        if (lineAt(log, close) !== "}") continue;
        end = close + 1;
        break;
      }
    }

    const throwSite = nodeThrowSite(log, index);
    const start = throwSite?.start ?? index;
    const location =
      throwSite && !isDependencyOrRuntime(throwSite.location.filePath)
        ? throwSite.location
        : (frames.find((frame) => !isDependencyOrRuntime(frame.filePath)) ?? frames[0] ?? throwSite?.location ?? null);
    found.push({
      line: start,
      failure: makeFailure("node-error", { ...exception, stackTrace: logExcerpt(log, start, end), location }),
    });
    claim(log, start, end);
    index = end - 1;
  }
  return found;
}
