/**
 * The error a screenshot shows, read from its text (OCR on the developer's machine, or any text pasted from
 * it): the first failure the CI-log recognisers find (Python and Node tracebacks, pytest, Jest, tsc…), else a
 * `Type: message` line, else the first line. Fields the caller gave explicitly always win.
 */
import { parseCiLog } from "../ci/logs";

export interface ErrorFromText {
  errorType: string;
  message: string;
  filePath: string | null;
  lineNumber: number | null;
  stackTrace: string | null;
}

const PYTHON_HEADER = "Traceback (most recent call last):";
const PYTHON_FRAME_LINE = /^File "[^"]+", line \d+/;
const PYTHON_EXCEPTION_LINE =
  /^(?:[A-Za-z_][\w.]*(?:Error|Exception|Warning|Exit|Interrupt|StopIteration|Fault)\b|[A-Z][\w.]*: )/;

/**
 * OCR keeps the words of a Python traceback but loses its indentation, which is what tells a frame (2 spaces)
 * and its source line (4) from the exception line (none). Put it back so the traceback reads as printed.
 */
function restoreTracebackIndent(text: string): string {
  const lines = text.split("\n");
  let inTraceback = false;
  let afterFrame = false;
  return lines
    .map((line, index) => {
      const trimmed = line.trim();
      if (trimmed === PYTHON_HEADER) {
        inTraceback = true;
        afterFrame = false;
        return trimmed;
      }
      if (!inTraceback || /^\s/.test(line)) return line;
      if (PYTHON_FRAME_LINE.test(trimmed)) {
        afterFrame = true;
        return `  ${trimmed}`;
      }
      const nextIsFrame = PYTHON_FRAME_LINE.test(lines[index + 1]?.trim() ?? "");
      if (afterFrame && (nextIsFrame || !PYTHON_EXCEPTION_LINE.test(trimmed))) {
        afterFrame = false;
        return `    ${trimmed}`;
      }
      // The exception line ends the traceback.
      inTraceback = false;
      return trimmed;
    })
    .join("\n");
}

const TYPE_AND_MESSAGE = /^\s*([A-Z][\w.]*(?:Error|Exception|Warning|Fault)|E\d{3,}|TS\d{4})\s*:\s*(.+)$/;

export function errorFromText(text: string): ErrorFromText | null {
  const cleaned = restoreTracebackIndent(text.replace(/\r\n?/g, "\n").trim());
  if (!cleaned) return null;
  const [failure] = parseCiLog(cleaned, { maxFailures: 1 });
  if (failure) {
    return {
      errorType: failure.errorType,
      message: failure.message,
      filePath: failure.filePath,
      lineNumber: failure.lineNumber,
      stackTrace: failure.stackTrace ?? cleaned,
    };
  }
  const lines = cleaned
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  for (const line of lines) {
    const match = TYPE_AND_MESSAGE.exec(line);
    if (match?.[1] && match[2])
      return { errorType: match[1], message: match[2], filePath: null, lineNumber: null, stackTrace: cleaned };
  }
  return {
    errorType: "ScreenshotError",
    message: (lines[0] ?? cleaned).slice(0, 500),
    filePath: null,
    lineNumber: null,
    stackTrace: cleaned,
  };
}
