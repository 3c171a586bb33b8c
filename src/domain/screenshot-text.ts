/**
 * The error a screenshot shows, read from its text (OCR on the developer's machine, or any text pasted from
 * it): the first failure the CI-log recognisers find (Python and Node tracebacks, pytest, Jest, tsc…), else a
 * `Type: message` line, else the first line. Fields the caller gave explicitly always win.
 */
import { parseCiLog } from "./ci-logs";

export interface ErrorFromText {
  errorType: string;
  message: string;
  filePath: string | null;
  lineNumber: number | null;
  stackTrace: string | null;
}

const TYPE_AND_MESSAGE = /^\s*([A-Z][\w.]*(?:Error|Exception|Warning|Fault)|E\d{3,}|TS\d{4})\s*:\s*(.+)$/;

export function errorFromText(text: string): ErrorFromText | null {
  const cleaned = text.replace(/\r\n?/g, "\n").trim();
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
