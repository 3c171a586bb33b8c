/**
 * Jest's `● suite › test` failure blocks under `FAIL file` headers, and Vitest's `FAIL  file > suite > test` blocks
 * with their `❯` frames. Both classify the message the same way: a thrown `Class: message`, an `expect` matcher
 * report (an AssertionError), or a ts-jest TypeScript diagnostic with its own location.
 */
import {
  append,
  type CiFailure,
  claim,
  type Found,
  indentOf,
  isBlank,
  lineAt,
  type Location,
  type Log,
  logExcerpt,
  makeFailure,
  MAX_MESSAGE_LINES,
  parseException,
  splitPathLine,
} from "./log";
import { chooseTestFrame, isNodeFrame, parseNodeFrame } from "./node";
import { parseTscDiagnostic } from "./tsc";

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

export function parseJestAndVitest(log: Log): Found[] {
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
