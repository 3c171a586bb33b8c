/**
 * Node stack frames (`    at fn (file:line:col)`), shared with the Jest/Vitest recogniser, and uncaught Node
 * errors anywhere in a log: `TypeError: msg` followed by frames, with the throw site Node prints above it.
 */
import {
  claim,
  type ExceptionText,
  type Found,
  indentOf,
  isBlank,
  isDependencyOrRuntime,
  isTestFile,
  lineAt,
  type Location,
  type Log,
  logExcerpt,
  LOOKAHEAD_LINES,
  makeFailure,
  parseException,
  repoRelativePath,
  splitPathLine,
  toLineNumber,
} from "./log";

/** Frames Node prints without a file: `at new Promise (<anonymous>)`, `at async Promise.all (index 0)`. */
const NODE_FRAME_WITHOUT_LOCATION = /^(?:<anonymous>|native|index \d+)$/;

/** `    at fn (/path/file.js:10:5)`, `    at /path/file.js:10:5`, `    at async fn (file:///x.mjs:1:2) {`. */
export function parseNodeFrame(line: string): Location | "frame-without-location" | null {
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

export function isNodeFrame(line: string): boolean {
  return parseNodeFrame(line) !== null;
}

/**
 * The frame to point at for a JavaScript test failure: the first in the failing test's own file, else the first in any
 * test file, else the first outside dependencies; else the suite file without a line.
 */
export function chooseTestFrame(frames: readonly Location[], suiteFile: string | null): Location | null {
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

export function parseNodeErrors(log: Log): Found[] {
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
