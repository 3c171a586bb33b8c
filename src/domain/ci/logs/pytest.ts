/**
 * pytest's report: the `FAILURES` / `ERRORS` sections (one `___ test ___` block per failure, long, short or native
 * traceback style) merged with the `short test summary info` lines, which carry the full node id that the blocks
 * lack. A summary line without a block (`-rf` with `--tb=no`) is still a failure.
 */
import {
  append,
  claim,
  type Found,
  isTestFile,
  lineAt,
  type Location,
  type Log,
  logExcerpt,
  makeFailure,
  parseException,
  repoRelativePath,
  toLineNumber,
} from "./log";
import { PYTHON_FRAME, PYTHON_TRACEBACK_HEADER, readPythonTraceback } from "./python";

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

export function parsePytest(log: Log): Found[] {
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
