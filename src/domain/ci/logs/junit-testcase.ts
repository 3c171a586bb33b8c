/**
 * One failed JUnit testcase as a CiFailure. The attributes say little and differently per tool (pytest leaves
 * `type` out, jest-junit writes no attributes on `<failure>` at all, go-junit-report's message is "Failed"), so the
 * failure text, which is the tool's own output, is read too: the error type from the `type` attribute, else the
 * message or the text's first line; the location from the text's frames (Python, Rust, Go, JVM, Node), else the
 * `file` and `line` attributes.
 */
import {
  excerpt,
  isBlank,
  makeFailure,
  MAX_MESSAGE_LINES,
  parseException,
  repoRelativePath,
  splitPathLine,
  toLineNumber,
  toLog,
  type CiFailure,
  type ExceptionText,
  type Location,
  type Log,
} from "./log";
import { readRustPanic } from "./cargo-test";
import { chooseTestFrame, parseNodeFrame } from "./node";
import { PYTHON_FRAME, PYTHON_TRACEBACK_HEADER, readPythonTraceback } from "./python";

export interface JUnitTestcase {
  name: string;
  classname: string;
  /** The testcase's or its suite's `file` attribute, "" when neither has one. */
  file: string;
  line: string;
}

/** A `<failure>` or `<error>` element. */
export interface JUnitProblem {
  message: string;
  type: string;
  text: string;
}

/** `tests/test_auth.py:42: TypeError` or `tests/test_auth.py:42: in test_login`, as pytest's long format ends. */
const PYTEST_LOCATION = /^((?:[A-Za-z]:)?[^\s:][^:]*\.py):(\d+): (.*)$/;
/** `\tat com.example.CalculatorTest.adds(CalculatorTest.java:14)`; Kotlin, Groovy and Scala frames look the same. */
const JVM_FRAME = /^\s*at ((?:[\w$]+\.)*[\w$]+)\.[\w$<>-]+\(([\w$-]+\.(?:java|kt|groovy|scala)):(\d+)\)$/;
const JVM_FRAMEWORK =
  /^(?:java|javax|jdk|sun|kotlin|scala|groovy|junit|org\.junit|org\.opentest4j|org\.apache\.maven)\./;
/** `    calc_test.go:12: expected 4, got 3`, as go test prints a test's t.Error output. */
const GO_OUTPUT = /^\s*([^\s:]+\.go):(\d+): ?(.*)$/;
/** ` ❯ src/math.test.ts:12:25` or ` ❯ getName src/user.ts:3:15`, as Vitest prints a frame. */
const VITEST_FRAME = /^\s*[❯›] (?:\S+ )?(\S+:\d+:\d+)$/;
const TESTIFY_TRACE = /^\s*Error Trace:\s+(\S+:\d+)/;
/** Placeholders some tools write as the message or type; they say nothing about the failure. */
const GENERIC_WORDS = new Set(["", "failed", "failure", "error", "fail", "test failure", "assert", "cargo test"]);

interface TextClues {
  python: { exception: ExceptionText; location: Location | null } | null;
  /** The last `path.py:N:` line (the innermost), and the error type pytest prints after it. */
  pytest: { location: Location; errorType: string | null } | null;
  /** Every Python file the text names, to find the test module among them. */
  pythonPaths: string[];
  /** The first `E   ` line of pytest's assertion report. */
  pytestErrorLine: string | null;
  rust: { message: string; location: Location | null } | null;
  go: { message: string; location: Location } | null;
  jvm: Array<{ className: string; location: Location }>;
  node: Location[];
}

export function testcaseFailure(testcase: JUnitTestcase, problem: JUnitProblem): CiFailure {
  const log = toLog(problem.text);
  const clues = readClues(log);
  const location = chooseLocation(clues, testcase);
  const { errorType, message } = describe(problem, testcase.name, log, clues);
  return makeFailure("junit", {
    errorType,
    message: message || `${testcase.name || testcase.classname || "test"} failed`,
    stackTrace: excerpt(log.lines),
    location,
    testName: testName(testcase, clues),
  });
}

function readClues(log: Log): TextClues {
  const clues: TextClues = {
    python: null,
    pytest: null,
    pythonPaths: [],
    pytestErrorLine: null,
    rust: null,
    go: null,
    jvm: [],
    node: [],
  };
  let lastTraceback = -1;
  for (let index = 0; index < log.lines.length; index++) {
    const line = log.lines[index] ?? "";
    if (line.trim() === PYTHON_TRACEBACK_HEADER) lastTraceback = index;
    const pytest = PYTEST_LOCATION.exec(line);
    if (pytest) {
      const location = { filePath: repoRelativePath(pytest[1] ?? ""), lineNumber: toLineNumber(pytest[2]) };
      const tail = (pytest[3] ?? "").trim();
      clues.pytest = { location, errorType: tail && !tail.startsWith("in ") ? tail : null };
      rememberPath(clues, location.filePath);
      continue;
    }
    const pythonFrame = PYTHON_FRAME.exec(line);
    if (pythonFrame) rememberPath(clues, repoRelativePath(pythonFrame[1] ?? ""));
    if (clues.pytestErrorLine === null && line.startsWith("E ")) clues.pytestErrorLine = line.slice(1).trim();
    if (clues.rust === null && line.startsWith("thread '")) {
      const panic = readRustPanic(log, index, log.lines.length);
      if (panic) clues.rust = { message: panic.message, location: panic.location };
    }
    const testify = TESTIFY_TRACE.exec(line);
    const testifyLocation = testify ? splitPathLine(testify[1] ?? "") : null;
    if (testifyLocation && clues.go) clues.go = { ...clues.go, location: testifyLocation };
    const go = clues.go === null && line.includes(".go:") ? GO_OUTPUT.exec(line) : null;
    if (go) {
      const location = { filePath: repoRelativePath(go[1] ?? ""), lineNumber: toLineNumber(go[2]) };
      clues.go = { message: (go[3] ?? "").trim(), location };
    }
    const jvm = JVM_FRAME.exec(line);
    if (jvm) {
      const className = jvm[1] ?? "";
      const packagePath = className.split(".").slice(0, -1).join("/");
      const filePath = packagePath ? `${packagePath}/${jvm[2] ?? ""}` : (jvm[2] ?? "");
      clues.jvm.push({ className, location: { filePath, lineNumber: toLineNumber(jvm[3]) } });
      continue;
    }
    const vitest = VITEST_FRAME.exec(line);
    const frame = vitest ? splitPathLine(vitest[1] ?? "") : parseNodeFrame(line);
    if (frame && frame !== "frame-without-location") clues.node.push(frame);
  }
  if (lastTraceback >= 0) {
    const traceback = readPythonTraceback(log, lastTraceback, log.lines.length);
    if (traceback) clues.python = { exception: traceback.exception, location: traceback.location };
  }
  return clues;
}

function rememberPath(clues: TextClues, path: string): void {
  if (clues.pythonPaths.length < 20 && !clues.pythonPaths.includes(path)) clues.pythonPaths.push(path);
}

function chooseLocation(clues: TextClues, testcase: JUnitTestcase): Location | null {
  const fromText =
    clues.pytest?.location ??
    clues.python?.location ??
    clues.rust?.location ??
    clues.go?.location ??
    jvmLocation(clues.jvm, testcase.classname) ??
    (clues.node.length > 0
      ? chooseTestFrame(clues.node, testcase.file || (looksLikePath(testcase.classname) ? testcase.classname : null))
      : null);
  if (fromText) return fromText;
  if (!testcase.file) return null;
  return { filePath: repoRelativePath(testcase.file), lineNumber: toLineNumber(testcase.line) };
}

/**
 * The innermost frame outside the JDK and the test framework: the test's own line for a failed assertion, the
 * throw site in the code under test for an exception. A trace of framework frames only points at the test class.
 */
function jvmLocation(frames: TextClues["jvm"], classname: string): Location | null {
  const chosen =
    frames.find((frame) => !JVM_FRAMEWORK.test(`${frame.className}.`)) ??
    frames.find((frame) => frame.className === classname || frame.className.startsWith(`${classname}$`));
  return chosen?.location ?? null;
}

function describe(
  problem: JUnitProblem,
  name: string,
  log: Log,
  clues: TextClues,
): { errorType: string | null; message: string } {
  const typeAttribute = usable(problem.type, name) && parseException(problem.type, false) ? problem.type : null;
  const messageLines = usable(problem.message, name) ? problem.message.split("\n").slice(0, MAX_MESSAGE_LINES) : [];
  const fromMessage = messageLines.length ? parseException(messageLines[0] ?? "", false) : null;
  const head = headLines(log);
  const fromHead = head.length ? jsAssertion(parseException(head[0] ?? "", false)) : null;
  const fromErrorLine = clues.pytestErrorLine ? parseException(clues.pytestErrorLine, false) : null;

  const message = fromMessage
    ? [fromMessage.message, ...messageLines.slice(1)].join("\n")
    : messageLines.length
      ? messageLines.join("\n")
      : (clues.python?.exception.message ??
        clues.rust?.message ??
        clues.go?.message ??
        (fromHead ? [fromHead.message, ...head.slice(1)].join("\n") : null) ??
        fromErrorLine?.message ??
        clues.pytestErrorLine ??
        head.join("\n"));
  const errorType =
    typeAttribute ??
    fromMessage?.errorType ??
    clues.python?.exception.errorType ??
    (clues.rust ? "panic" : null) ??
    fromHead?.errorType ??
    clues.pytest?.errorType ??
    fromErrorLine?.errorType ??
    (message.startsWith("assert ") ? "AssertionError" : null);
  return { errorType, message };
}

/** cargo2junit's message is `failed <test>`: a placeholder too. */
function usable(text: string, testName: string): boolean {
  const lower = text.trim().toLowerCase();
  return !GENERIC_WORDS.has(lower) && lower !== `failed ${testName.toLowerCase()}`;
}

/** Code frames Jest and Vitest print under a message: `  5 | expect(x)`, `> 6 | …`, `    | ^`. */
const CODE_FRAME = /^\s*>?\s*\d+\s?\||^\s*\|\s*[\^~]/;

/**
 * The message as the runner printed it above the first frame: its first paragraph, or all of it for an `expect`
 * report (whose Expected/Received lines follow a blank line). Jest's `● title` line is not part of it.
 */
function headLines(log: Log): string[] {
  const paragraphs: string[][] = [];
  let current: string[] | null = null;
  let count = 0;
  for (let index = 0; index < log.lines.length && count < MAX_MESSAGE_LINES; index++) {
    const line = log.lines[index] ?? "";
    if (isFrame(line)) break;
    if (isBlank(line) || (count === 0 && line.trimStart().startsWith("● "))) {
      current = null;
      continue;
    }
    if (current === null) {
      current = [];
      paragraphs.push(current);
    }
    current.push(line.trim());
    count++;
  }
  const first = paragraphs[0] ?? [];
  return /^(?:Error: )?expect[(.]/.test(first[0] ?? "") ? paragraphs.flat() : first;
}

function isFrame(line: string): boolean {
  return parseNodeFrame(line) !== null || VITEST_FRAME.test(line) || JVM_FRAME.test(line) || CODE_FRAME.test(line);
}

/** Jest prints an `expect` failure as `Error: expect(received)…`; the console recogniser calls it an AssertionError. */
function jsAssertion(exception: ExceptionText | null): ExceptionText | null {
  if (exception?.errorType === "Error" && exception.message.startsWith("expect(")) {
    return { errorType: "AssertionError", message: exception.message };
  }
  return exception;
}

/**
 * A name as the console recognisers give it where the report allows: pytest's node id when the module can be
 * found among the text's paths, else `classname.name`. jest-junit repeats the classname in the name by default.
 */
function testName(testcase: JUnitTestcase, clues: TextClues): string | null {
  const { name, classname } = testcase;
  if (!name) return classname || null;
  // jest-junit names a suite that failed to load by its file, under this fixed classname.
  if (!classname || name.startsWith(classname) || classname === "Test suite failed to run") return name;
  const pythonFiles = testcase.file.endsWith(".py") ? [testcase.file, ...clues.pythonPaths] : clues.pythonPaths;
  for (const path of pythonFiles) {
    const module = repoRelativePath(path).replace(/\.py$/, "").replace(/\//g, ".");
    if (classname !== module && !classname.startsWith(`${module}.`)) continue;
    const classes = classname.slice(module.length).split(".").filter(Boolean);
    return [repoRelativePath(path), ...classes, name].join("::");
  }
  return looksLikePath(classname) ? `${classname} > ${name}` : `${classname}.${name}`;
}

/** Vitest's classname is the test file (`src/math.test.ts`); go-junit-report's is a package, not a path. */
function looksLikePath(text: string): boolean {
  return /\.(?:[cm]?[jt]sx?|py|rb|php)$/.test(text);
}
