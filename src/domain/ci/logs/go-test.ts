/**
 * `go test` output, with or without -v: `--- FAIL: TestX` results and the `file.go:N:` lines the test logged
 * (testify's `Error Trace:` / `Error:` reports read as one message), and panics with their goroutine trace, located
 * at the first frame outside the runtime and the testing package.
 */
import {
  type CiFailure,
  claim,
  excerpt,
  type Found,
  indentOf,
  isBlank,
  lineAt,
  type Location,
  type Log,
  logExcerpt,
  LOOKAHEAD_LINES,
  makeFailure,
  repoRelativePath,
  splitPathLine,
  toLineNumber,
} from "./log";

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

export function parseGoTest(log: Log): Found[] {
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
