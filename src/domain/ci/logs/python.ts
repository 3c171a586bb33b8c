/**
 * Python tracebacks anywhere in a log (an uncaught exception in a script, a failing import at startup), and the
 * traceback reader pytest's `--tb=native` blocks reuse. Chained tracebacks (`During handling of…`) are followed so
 * that the exception that actually escaped is reported, with its innermost frame.
 */
import {
  claim,
  type ExceptionText,
  type Found,
  indentOf,
  isBlank,
  lineAt,
  type Location,
  type Log,
  logExcerpt,
  LOOKAHEAD_LINES,
  makeFailure,
  parseException,
  repoRelativePath,
  toLineNumber,
  UNKNOWN_ERROR_TYPE,
} from "./log";

export const PYTHON_TRACEBACK_HEADER = "Traceback (most recent call last):";
/** Python collapses recursion, so a longer run of indented lines is not a traceback that will end in an exception. */
const MAX_TRACEBACK_LINES = 5_000;
export const PYTHON_FRAME = /^\s*File "(.+)", line (\d+)/;
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
export function readPythonTraceback(log: Log, start: number, limit: number): PythonTraceback | null {
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

export function parsePythonTracebacks(log: Log): Found[] {
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
