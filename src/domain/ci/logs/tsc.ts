/**
 * TypeScript compiler diagnostics: `file(line,col): error TSnnnn: msg`, the `--pretty` form `file:line:col - error`
 * with its code frame, and global `error TSnnnn:` lines. The diagnostic reader is shared with Jest (ts-jest).
 */
import {
  type Found,
  indentOf,
  isBlank,
  lineAt,
  type Location,
  type Log,
  logExcerpt,
  makeFailure,
  MAX_MESSAGE_LINES,
  repoRelativePath,
  toLineNumber,
} from "./log";

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

export function parseTscDiagnostic(line: string): TscDiagnostic | null {
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

export function parseTsc(log: Log): Found[] {
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
