/**
 * ESLint's default `stylish` formatter: a file path line followed by indented `line:col  error  message  rule`
 * rows. Warnings do not fail a build, so only errors are reported.
 */
import { type ExceptionText, type Found, lineAt, type Log, makeFailure, repoRelativePath, toLineNumber } from "./log";

const ESLINT_PROBLEM = /^\s+(\d+):(\d+)\s+(error|warning)\s+(.+)$/;
const ESLINT_RULE_ID = /^(?:@[\w.-]+\/)?[\w-]+(?:\/[\w-]+)*$/;
const ESLINT_FILE_HEADER = /^\S.*\.[A-Za-z0-9]+$/;

export function parseEslint(log: Log): Found[] {
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
