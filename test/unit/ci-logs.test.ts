import { describe, expect, it } from "vitest";
import { cleanCiLog, parseCiLog, type CiFailure } from "../../src/domain/ci/logs";

const ESC = "\u001b";
const RED = `${ESC}[31m`;
const BOLD = `${ESC}[1m`;
const RESET = `${ESC}[0m`;

/** Prefixes every line the way GitHub Actions stores a job log: an ISO timestamp with 7 fractional digits. */
function githubActionsLog(lines: readonly string[], lineEnding = "\n"): string {
  return lines
    .map((line, index) => `2024-05-01T12:34:${String(50 + (index % 10)).padStart(2, "0")}.1234567Z ${line}`)
    .join(lineEnding);
}

function only(failures: CiFailure[]): CiFailure {
  expect(failures).toHaveLength(1);
  return failures[0] as CiFailure;
}

describe("cleanCiLog", () => {
  it("strips runner timestamps, ANSI colours and workflow markers, keeping the text after ##[error]", () => {
    const raw = githubActionsLog(
      [
        "##[group]Run npm test",
        "npm test",
        "##[endgroup]",
        `${RED}${BOLD}FAIL${RESET} src/a.test.ts`,
        "##[error]Process completed with exit code 1.",
      ],
      "\r\n",
    );
    expect(cleanCiLog(raw)).toBe(
      ["Run npm test", "npm test", "", "FAIL src/a.test.ts", "Process completed with exit code 1."].join("\n"),
    );
  });
});

describe("parseCiLog: pytest", () => {
  const failuresLog = githubActionsLog([
    "##[group]Run pytest",
    "pytest",
    "##[endgroup]",
    `${BOLD}============================= test session starts ==============================${RESET}`,
    "platform linux -- Python 3.11.9, pytest-8.2.0, pluggy-1.5.0",
    "rootdir: /home/runner/work/myapp/myapp",
    "configfile: pyproject.toml",
    "collected 12 items",
    "",
    `tests/test_auth.py ..${RED}F${RESET}.                                                  [ 33%]`,
    `tests/test_utils.py ....${RED}F${RESET}...                                             [100%]`,
    "",
    `=================================== FAILURES ===================================`,
    `${RED}${BOLD}__________________________________ test_login __________________________________${RESET}`,
    "",
    "    def test_login():",
    '        user = login("alice", "wrong")',
    ">       assert user.is_authenticated",
    `${RED}E       AssertionError: assert False${RESET}`,
    `${RED}E        +  where False = <User alice>.is_authenticated${RESET}`,
    "",
    `${BOLD}${RED}tests/test_auth.py${RESET}:42: AssertionError`,
    `${RED}${BOLD}_____________________________ TestParser.test_parse ______________________________${RESET}`,
    "",
    "self = <tests.test_utils.TestParser object at 0x7f3a2c1b9d50>",
    "",
    "    def test_parse(self):",
    '>       result = parse("1,2")',
    "",
    "tests/test_utils.py:18: ",
    "_ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ ",
    "",
    "text = '1,2'",
    "",
    "    def parse(text):",
    ">       return int(text)",
    `${RED}E       ValueError: invalid literal for int() with base 10: '1,2'${RESET}`,
    "",
    "src/utils.py:7: ValueError",
    "----------------------------- Captured stdout call -----------------------------",
    "parsing 1,2",
    "=========================== short test summary info ============================",
    `${RED}FAILED${RESET} tests/test_auth.py::test_login - AssertionError: assert False`,
    `${RED}FAILED${RESET} tests/test_utils.py::TestParser::test_parse - ValueError: invalid literal for int() with ba...`,
    `${RED}========================= ${BOLD}2 failed${RESET}${RED}, 10 passed in 0.12s =========================${RESET}`,
    "##[error]Process completed with exit code 1.",
  ]);

  it("merges each FAILURES block with its short-summary line", () => {
    const failures = parseCiLog(failuresLog);
    expect(failures[1]?.stackTrace?.endsWith("src/utils.py:7: ValueError")).toBe(true);
    expect(failures.map((failure, index) => (index === 1 ? { ...failure, stackTrace: null } : failure))).toEqual([
      {
        tool: "pytest",
        errorType: "AssertionError",
        message: "assert False",
        stackTrace: [
          "    def test_login():",
          '        user = login("alice", "wrong")',
          ">       assert user.is_authenticated",
          "E       AssertionError: assert False",
          "E        +  where False = <User alice>.is_authenticated",
          "",
          "tests/test_auth.py:42: AssertionError",
        ].join("\n"),
        filePath: "tests/test_auth.py",
        lineNumber: 42,
        testName: "tests/test_auth.py::test_login",
      },
      {
        tool: "pytest",
        errorType: "ValueError",
        // The summary line is cut to the terminal width; the block's message is whole.
        message: "invalid literal for int() with base 10: '1,2'",
        stackTrace: null,
        filePath: "src/utils.py",
        lineNumber: 7,
        testName: "tests/test_utils.py::TestParser::test_parse",
      },
    ]);
  });

  it("reports collection errors once, at the innermost location", () => {
    const log = [
      "==================================== ERRORS ====================================",
      "____________________ ERROR collecting tests/test_models.py _____________________",
      "ImportError while importing test module '/home/runner/work/myapp/myapp/tests/test_models.py'.",
      "Hint: make sure your test modules/packages have valid Python names.",
      "Traceback:",
      "/opt/hostedtoolcache/Python/3.11.9/x64/lib/python3.11/importlib/__init__.py:126: in import_module",
      "    return _bootstrap._gcd_import(name[level:], package, level)",
      "tests/test_models.py:3: in <module>",
      "    from myapp.models import User",
      "E   ModuleNotFoundError: No module named 'myapp.models'",
      "=========================== short test summary info ============================",
      "ERROR tests/test_models.py",
      "!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!",
      "=============================== 1 error in 0.08s ===============================",
    ].join("\n");
    const failure = only(parseCiLog(log));
    expect(failure).toMatchObject({
      tool: "pytest",
      errorType: "ModuleNotFoundError",
      message: "No module named 'myapp.models'",
      filePath: "tests/test_models.py",
      lineNumber: 3,
      testName: null,
    });
    expect(failure.stackTrace).toContain("tests/test_models.py:3: in <module>");
  });

  it("reads --tb=short blocks, rewritten asserts and summary-only failures", () => {
    const log = [
      "=================================== FAILURES ===================================",
      "_______________________________ test_add[2-2-5] ________________________________",
      "tests/test_math.py:8: in test_add",
      "    assert add(a, b) == expected",
      "E   assert 4 == 5",
      "E    +  where 4 = add(2, 2)",
      "=========================== short test summary info ============================",
      "FAILED tests/test_math.py::test_add[2-2-5] - assert 4 == 5",
      "FAILED tests/test_slow.py::test_timeout - Failed: Timeout >10.0s",
      "========================= 2 failed, 3 passed in 10.31s =========================",
    ].join("\n");
    expect(parseCiLog(log)).toEqual([
      {
        tool: "pytest",
        errorType: "AssertionError",
        message: "assert 4 == 5",
        stackTrace: [
          "tests/test_math.py:8: in test_add",
          "    assert add(a, b) == expected",
          "E   assert 4 == 5",
          "E    +  where 4 = add(2, 2)",
        ].join("\n"),
        filePath: "tests/test_math.py",
        lineNumber: 8,
        testName: "tests/test_math.py::test_add[2-2-5]",
      },
      {
        tool: "pytest",
        errorType: "Failed",
        message: "Timeout >10.0s",
        stackTrace: null,
        filePath: "tests/test_slow.py",
        lineNumber: null,
        testName: "tests/test_slow.py::test_timeout",
      },
    ]);
  });

  it("takes a SyntaxError's own location from inside the E lines", () => {
    const log = [
      "==================================== ERRORS ====================================",
      "_____________________ ERROR collecting tests/test_broken.py _____________________",
      "/opt/hostedtoolcache/Python/3.12.3/x64/lib/python3.12/site-packages/_pytest/python.py:493: in importtestmodule",
      "    mod = import_path(",
      "/opt/hostedtoolcache/Python/3.12.3/x64/lib/python3.12/ast.py:52: in parse",
      "    return compile(source, filename, mode, flags,",
      'E     File "/home/runner/work/myapp/myapp/tests/test_broken.py", line 4',
      "E       def test_x(:",
      "E                  ^",
      "E   SyntaxError: invalid syntax",
      "=========================== short test summary info ============================",
      "ERROR tests/test_broken.py",
      "!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!",
    ].join("\n");
    expect(only(parseCiLog(log))).toMatchObject({
      errorType: "SyntaxError",
      message: "invalid syntax",
      filePath: "tests/test_broken.py",
      lineNumber: 4,
      testName: null,
    });
  });

  it("reads fixture errors at setup and --tb=native tracebacks", () => {
    const log = [
      "==================================== ERRORS ====================================",
      "_________________________ ERROR at setup of test_query _________________________",
      "file /home/runner/work/myapp/myapp/tests/test_db.py, line 5",
      "  def test_query(db):",
      "E       fixture 'db' not found",
      ">       available fixtures: cache, capfd, caplog, capsys, monkeypatch, pytestconfig, tmp_path",
      ">       use 'pytest --fixtures [testpath]' for help on them.",
      "",
      "/home/runner/work/myapp/myapp/tests/test_db.py:5",
      "=================================== FAILURES ===================================",
      "__________________________________ test_login __________________________________",
      "Traceback (most recent call last):",
      '  File "/home/runner/work/myapp/myapp/tests/test_auth.py", line 42, in test_login',
      "    assert user.is_authenticated",
      "AssertionError: assert False",
      "=========================== short test summary info ============================",
      "FAILED tests/test_auth.py::test_login - AssertionError: assert False",
      "ERROR tests/test_db.py::test_query",
      "===================== 1 failed, 1 error in 0.05s ======================",
    ].join("\n");
    expect(parseCiLog(log).map(({ stackTrace: _stackTrace, ...rest }) => rest)).toEqual([
      {
        tool: "pytest",
        errorType: "test failure",
        message: "fixture 'db' not found",
        filePath: "tests/test_db.py",
        lineNumber: 5,
        testName: "tests/test_db.py::test_query",
      },
      {
        tool: "pytest",
        errorType: "AssertionError",
        message: "assert False",
        filePath: "tests/test_auth.py",
        lineNumber: 42,
        testName: "tests/test_auth.py::test_login",
      },
    ]);
  });

  it("names the test from its module when there is no summary", () => {
    const log = [
      "=================================== FAILURES ===================================",
      "_________________________________ test_totals _________________________________",
      "",
      "    def test_totals():",
      ">       assert total([1, 2]) == 4",
      "E       assert 3 == 4",
      "",
      "tests/billing/test_totals.py:11: AssertionError",
      "============================== 1 failed in 0.02s ===============================",
    ].join("\n");
    expect(only(parseCiLog(log))).toMatchObject({
      errorType: "AssertionError",
      message: "assert 3 == 4",
      filePath: "tests/billing/test_totals.py",
      lineNumber: 11,
      testName: "tests/billing/test_totals.py::test_totals",
    });
  });
});

describe("parseCiLog: Jest", () => {
  const authBlock = [
    `  ${BOLD}● auth › logs in${RESET}`,
    "",
    `    expect(${RED}received${RESET}).toBe(expected) // Object.is equality`,
    "",
    "    Expected: true",
    "    Received: false",
    "",
    '      10 |   it("logs in", async () => {',
    '      11 |     const result = await login("alice", "pw");',
    "    > 12 |     expect(result.ok).toBe(true);",
    "         |                       ^",
    "      13 |   });",
    "      14 |",
    '      15 |   it("handles missing user", () => {',
    "",
    "      at Object.<anonymous> (src/__tests__/auth.test.ts:12:23)",
    "",
  ];
  const log = githubActionsLog([
    "> myapp@1.0.0 test",
    "> jest --ci",
    "",
    `${ESC}[0m${ESC}[7m${ESC}[1m${ESC}[32m PASS ${ESC}[39m${ESC}[22m${ESC}[27m${ESC}[0m src/__tests__/math.test.ts`,
    `${ESC}[0m${ESC}[7m${ESC}[1m${ESC}[31m FAIL ${ESC}[39m${ESC}[22m${ESC}[27m${ESC}[0m src/__tests__/auth.test.ts (5.123 s)`,
    "  auth",
    "    ✓ signs up (5 ms)",
    "    ✕ logs in (12 ms)",
    "    ✕ handles missing user (3 ms)",
    "",
    ...authBlock,
    `  ${BOLD}● auth › handles missing user${RESET}`,
    "",
    "    TypeError: Cannot read properties of undefined (reading 'id')",
    "",
    "      2 |",
    "      3 | export function userId(user?: User): string {",
    "    > 4 |   return user.id;",
    "        |               ^",
    "      5 | }",
    "      6 |",
    "",
    "      at userId (src/auth.ts:4:15)",
    "      at Object.<anonymous> (src/__tests__/auth.test.ts:16:18)",
    "",
    `${ESC}[0m${ESC}[7m${ESC}[1m${ESC}[31m FAIL ${ESC}[39m${ESC}[22m${ESC}[27m${ESC}[0m src/__tests__/app.test.ts`,
    "  ● Test suite failed to run",
    "",
    "    Cannot find module '../missing' from 'src/__tests__/app.test.ts'",
    "",
    '    > 1 | import { missing } from "../missing";',
    "        | ^",
    "      2 |",
    '      3 | test("app", () => {',
    "",
    "      at Resolver._throwModNotFoundError (node_modules/jest-resolve/build/resolver.js:427:11)",
    "      at Object.<anonymous> (src/__tests__/app.test.ts:1:1)",
    "",
    "Summary of all failing tests",
    `${ESC}[0m${ESC}[7m${ESC}[1m${ESC}[31m FAIL ${ESC}[39m${ESC}[22m${ESC}[27m${ESC}[0m src/__tests__/auth.test.ts (5.123 s)`,
    ...authBlock,
    "",
    "Test Suites: 2 failed, 1 passed, 3 total",
    "Tests:       2 failed, 4 passed, 6 total",
    "Snapshots:   0 total",
    "Time:        6.789 s",
    "Ran all test suites.",
    "##[error]Process completed with exit code 1.",
  ]);

  it("parses ● blocks with the failing line in the test file, once each", () => {
    const failures = parseCiLog(log);
    expect(failures.map(({ stackTrace: _stackTrace, ...rest }) => rest)).toEqual([
      {
        tool: "jest",
        errorType: "AssertionError",
        message: "expect(received).toBe(expected) // Object.is equality\nExpected: true\nReceived: false",
        filePath: "src/__tests__/auth.test.ts",
        lineNumber: 12,
        testName: "auth › logs in",
      },
      {
        tool: "jest",
        errorType: "TypeError",
        message: "Cannot read properties of undefined (reading 'id')",
        filePath: "src/__tests__/auth.test.ts",
        lineNumber: 16,
        testName: "auth › handles missing user",
      },
      {
        tool: "jest",
        errorType: "test failure",
        message: "Cannot find module '../missing' from 'src/__tests__/app.test.ts'",
        filePath: "src/__tests__/app.test.ts",
        lineNumber: 1,
        testName: null,
      },
    ]);
    expect(failures[0]?.stackTrace).toBe(
      [
        "expect(received).toBe(expected) // Object.is equality",
        "",
        "Expected: true",
        "Received: false",
        "",
        '  10 |   it("logs in", async () => {',
        '  11 |     const result = await login("alice", "pw");',
        "> 12 |     expect(result.ok).toBe(true);",
        "     |                       ^",
        "  13 |   });",
        "  14 |",
        '  15 |   it("handles missing user", () => {',
        "",
        "  at Object.<anonymous> (src/__tests__/auth.test.ts:12:23)",
      ].join("\n"),
    );
  });
});

describe("parseCiLog: Jest type errors", () => {
  it("takes the diagnostic id and location from a ts-jest failure", () => {
    const log = [
      "FAIL src/__tests__/math.test.ts",
      "  ● Test suite failed to run",
      "",
      "    src/__tests__/math.test.ts:5:7 - error TS2322: Type 'string' is not assignable to type 'number'.",
      "",
      '    5 const total: number = add("1", 2);',
      "            ~~~~~",
      "",
      "Test Suites: 1 failed, 1 total",
    ].join("\n");
    expect(only(parseCiLog(log))).toMatchObject({
      tool: "jest",
      errorType: "TS2322",
      message: "Type 'string' is not assignable to type 'number'.",
      filePath: "src/__tests__/math.test.ts",
      lineNumber: 5,
      testName: null,
    });
  });
});

describe("parseCiLog: Vitest", () => {
  const separator = "⎯".repeat(64);
  const log = [
    "",
    " RUN  v1.6.0 /home/runner/work/myapp/myapp",
    "",
    " ✓ src/utils.test.ts  (4 tests) 3ms",
    " ❯ src/math.test.ts  (3 tests | 1 failed) 6ms",
    "   × math > adds > handles negatives",
    "     → expected -1 to be 1 // Object.is equality",
    " ❯ src/user.test.ts  (2 tests | 1 failed) 4ms",
    "   × user > reads name",
    "     → Cannot read properties of undefined (reading 'name')",
    "",
    "⎯⎯⎯⎯⎯⎯⎯ Failed Suites 1 ⎯⎯⎯⎯⎯⎯⎯",
    "",
    " FAIL  src/broken.test.ts [ src/broken.test.ts ]",
    "Error: Failed to load url ../src/missing (resolved id: ../src/missing) in /home/runner/work/myapp/myapp/src/broken.test.ts. Does the file exist?",
    " ❯ loadAndTransform node_modules/vite/dist/node/chunks/dep-stQc5rCc.js:51968:17",
    "",
    `${separator}[1/3]⎯`,
    "",
    "⎯⎯⎯⎯⎯⎯⎯ Failed Tests 2 ⎯⎯⎯⎯⎯⎯⎯",
    "",
    " FAIL  src/math.test.ts > math > adds > handles negatives",
    "AssertionError: expected -1 to be 1 // Object.is equality",
    "",
    "- Expected",
    "+ Received",
    "",
    "- 1",
    "+ -1",
    "",
    " ❯ src/math.test.ts:12:25",
    '     10|   describe("adds", () => {',
    '     11|     it("handles negatives", () => {',
    "     12|       expect(add(-2, 1)).toBe(1);",
    "       |                         ^",
    "     13|     });",
    "     14|   });",
    "",
    `${separator}[2/3]⎯`,
    "",
    " FAIL  src/user.test.ts > user > reads name",
    "TypeError: Cannot read properties of undefined (reading 'name')",
    " ❯ getName src/user.ts:3:15",
    "      1| export function getName(user?: { name: string }) {",
    "      2|   // deliberately unchecked",
    "      3|   return user.name;",
    "       |               ^",
    "      4| }",
    " ❯ src/user.test.ts:8:12",
    "",
    `${separator}[3/3]⎯`,
    "",
    " Test Files  3 failed | 1 passed (4)",
    "      Tests  2 failed | 7 passed (9)",
    "   Start at  12:34:56",
    "   Duration  1.02s (transform 120ms, setup 0ms, collect 200ms, tests 13ms, environment 1ms, prepare 400ms)",
  ].join("\n");

  it("parses FAIL blocks with the frame in the test file", () => {
    const failures = parseCiLog(log);
    expect(failures.map(({ stackTrace: _stackTrace, ...rest }) => rest)).toEqual([
      {
        tool: "vitest",
        errorType: "Error",
        message:
          "Failed to load url ../src/missing (resolved id: ../src/missing) in /home/runner/work/myapp/myapp/src/broken.test.ts. Does the file exist?",
        filePath: "src/broken.test.ts",
        lineNumber: null,
        testName: null,
      },
      {
        tool: "vitest",
        errorType: "AssertionError",
        message: "expected -1 to be 1 // Object.is equality",
        filePath: "src/math.test.ts",
        lineNumber: 12,
        testName: "math > adds > handles negatives",
      },
      {
        tool: "vitest",
        errorType: "TypeError",
        message: "Cannot read properties of undefined (reading 'name')",
        filePath: "src/user.test.ts",
        lineNumber: 8,
        testName: "user > reads name",
      },
    ]);
    expect(failures[1]?.stackTrace).toBe(
      [
        "AssertionError: expected -1 to be 1 // Object.is equality",
        "",
        "- Expected",
        "+ Received",
        "",
        "- 1",
        "+ -1",
        "",
        " ❯ src/math.test.ts:12:25",
        '     10|   describe("adds", () => {',
        '     11|     it("handles negatives", () => {',
        "     12|       expect(add(-2, 1)).toBe(1);",
        "       |                         ^",
        "     13|     });",
        "     14|   });",
      ].join("\n"),
    );
  });

  it("gives every test that shares an error its own failure", () => {
    const shared = [
      " FAIL  src/math.test.ts > divide > by zero",
      " FAIL  src/math.test.ts > divide > by negative zero",
      "Error: division by zero",
      " ❯ divide src/math.ts:9:11",
      " ❯ src/math.test.ts:20:12",
      "",
      `${separator}[1/2]⎯`,
    ].join("\n");
    expect(parseCiLog(shared).map((failure) => [failure.testName, failure.filePath, failure.lineNumber])).toEqual([
      ["divide > by zero", "src/math.test.ts", 20],
      ["divide > by negative zero", "src/math.test.ts", 20],
    ]);
  });
});

describe("parseCiLog: tsc", () => {
  it("parses the plain format, including chained explanations and file-less diagnostics", () => {
    const log = githubActionsLog([
      "> myapp@1.0.0 typecheck",
      "> tsc --noEmit",
      "",
      "src/a.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.",
      "src/c.ts(7,1): error TS2345: Argument of type '{ id: string; }' is not assignable to parameter of type 'User'.",
      "  Property 'name' is missing in type '{ id: string; }' but required in type 'User'.",
      "error TS5083: Cannot read file '/home/runner/work/myapp/myapp/tsconfig.base.json'.",
      "##[error]Process completed with exit code 2.",
    ]);
    expect(parseCiLog(log)).toEqual([
      {
        tool: "tsc",
        errorType: "TS2322",
        message: "Type 'string' is not assignable to type 'number'.",
        stackTrace: null,
        filePath: "src/a.ts",
        lineNumber: 12,
        testName: null,
      },
      {
        tool: "tsc",
        errorType: "TS2345",
        message:
          "Argument of type '{ id: string; }' is not assignable to parameter of type 'User'.\n" +
          "Property 'name' is missing in type '{ id: string; }' but required in type 'User'.",
        stackTrace: null,
        filePath: "src/c.ts",
        lineNumber: 7,
        testName: null,
      },
      {
        tool: "tsc",
        errorType: "TS5083",
        message: "Cannot read file '/home/runner/work/myapp/myapp/tsconfig.base.json'.",
        stackTrace: null,
        filePath: null,
        lineNumber: null,
        testName: null,
      },
    ]);
  });

  it("parses the --pretty format with its code frame", () => {
    const log = [
      `${ESC}[96msrc/a.ts${RESET}:${ESC}[93m12${RESET}:${ESC}[93m5${RESET} - ${ESC}[91merror${RESET}${ESC}[90m TS2322: ${RESET}Type 'string' is not assignable to type 'number'.`,
      "",
      `${ESC}[7m12${RESET}     count = "three";`,
      `${ESC}[7m  ${RESET}     ${ESC}[91m~~~~~${RESET}`,
      "",
      `${ESC}[96msrc/types.ts${RESET}:${ESC}[93m4${RESET}:${ESC}[93m3${RESET} - ${ESC}[91merror${RESET}${ESC}[90m TS2741: ${RESET}Property 'name' is missing in type '{ id: string; }' but required in type 'User'.`,
      "",
      `${ESC}[7m4${RESET}   user: User = { id: "1" };`,
      `${ESC}[7m ${RESET} ${ESC}[91m  ~~~~${RESET}`,
      "",
      `  ${ESC}[96msrc/models.ts${RESET}:${ESC}[93m8${RESET}:${ESC}[93m3${RESET}`,
      `    ${ESC}[7m8${RESET}   name: string;`,
      `    ${ESC}[7m ${RESET} ${ESC}[96m  ~~~~${RESET}`,
      "    'name' is declared here.",
      "",
      "",
      "Found 2 errors in 2 files.",
      "",
      "Errors  Files",
      "     1  src/a.ts:12",
      "     1  src/types.ts:4",
    ].join("\n");
    expect(parseCiLog(log)).toEqual([
      {
        tool: "tsc",
        errorType: "TS2322",
        message: "Type 'string' is not assignable to type 'number'.",
        stackTrace: '12     count = "three";\n       ~~~~~',
        filePath: "src/a.ts",
        lineNumber: 12,
        testName: null,
      },
      {
        tool: "tsc",
        errorType: "TS2741",
        message: "Property 'name' is missing in type '{ id: string; }' but required in type 'User'.",
        stackTrace: [
          '4   user: User = { id: "1" };',
          "    ~~~~",
          "",
          "  src/models.ts:8:3",
          "    8   name: string;",
          "        ~~~~",
          "    'name' is declared here.",
        ].join("\n"),
        filePath: "src/types.ts",
        lineNumber: 4,
        testName: null,
      },
    ]);
  });
});

describe("parseCiLog: ESLint", () => {
  it("reports errors with their rule and skips warnings", () => {
    const log = githubActionsLog([
      "> myapp@1.0.0 lint",
      "> eslint .",
      "",
      "",
      `${ESC}[4m/home/runner/work/myapp/myapp/src/index.ts${ESC}[24m`,
      `   ${ESC}[2m3:7${ESC}[22m   ${RED}error${ESC}[39m    'unused' is assigned a value but never used  ${ESC}[2m@typescript-eslint/no-unused-vars${ESC}[22m`,
      `  ${ESC}[2m10:1${ESC}[22m   ${ESC}[33mwarning${ESC}[39m  Unexpected console statement                  ${ESC}[2mno-console${ESC}[22m`,
      "",
      "/home/runner/work/myapp/myapp/src/parser.js",
      "  12:15  error  Parsing error: Unexpected token )",
      "",
      "D:\\a\\myapp\\myapp\\src\\util.js",
      "  5:10  error  'x' is defined but never used  no-unused-vars",
      "",
      "✖ 4 problems (3 errors, 1 warning)",
      "  0 errors and 1 warning potentially fixable with the `--fix` option.",
      "",
    ]);
    expect(parseCiLog(log)).toEqual([
      {
        tool: "eslint",
        errorType: "@typescript-eslint/no-unused-vars",
        message: "'unused' is assigned a value but never used",
        stackTrace: null,
        filePath: "src/index.ts",
        lineNumber: 3,
        testName: null,
      },
      {
        tool: "eslint",
        errorType: "Parsing error",
        message: "Unexpected token )",
        stackTrace: null,
        filePath: "src/parser.js",
        lineNumber: 12,
        testName: null,
      },
      {
        tool: "eslint",
        errorType: "no-unused-vars",
        message: "'x' is defined but never used",
        stackTrace: null,
        filePath: "src/util.js",
        lineNumber: 5,
        testName: null,
      },
    ]);
  });

  it("returns nothing when there are only warnings", () => {
    const log = [
      "/home/runner/work/myapp/myapp/src/index.ts",
      "  10:1  warning  Unexpected console statement  no-console",
      "",
      "✖ 1 problem (0 errors, 1 warning)",
    ].join("\n");
    expect(parseCiLog(log)).toEqual([]);
  });
});

describe("parseCiLog: go test", () => {
  it("reports failing tests and subtests with their output, and testify assertions", () => {
    const log = githubActionsLog([
      "Run go test -v ./...",
      "=== RUN   TestParse",
      '    parse_test.go:12: Parse("1,2") = 12; want 3',
      "--- FAIL: TestParse (0.00s)",
      "=== RUN   TestAdd",
      "=== RUN   TestAdd/positive",
      "=== RUN   TestAdd/negative",
      "    math_test.go:20: Add(-1, 1) = 1; want 0",
      "--- FAIL: TestAdd (0.00s)",
      "    --- PASS: TestAdd/positive (0.00s)",
      "    --- FAIL: TestAdd/negative (0.00s)",
      "=== RUN   TestConfig",
      "    config_test.go:25: ",
      "        \tError Trace:\t/home/runner/work/myapp/myapp/calc/config_test.go:25",
      "        \tError:      \tNot equal: ",
      "        \t            \texpected: 8080",
      "        \t            \tactual  : 80",
      "        \tTest:       \tTestConfig",
      "--- FAIL: TestConfig (0.00s)",
      "=== RUN   TestRound",
      "--- PASS: TestRound (0.00s)",
      "FAIL",
      "FAIL\tgithub.com/acme/myapp/calc\t0.012s",
      "FAIL",
      "##[error]Process completed with exit code 1.",
    ]);
    expect(parseCiLog(log)).toEqual([
      {
        tool: "go-test",
        errorType: "test failure",
        message: 'Parse("1,2") = 12; want 3',
        stackTrace: '    parse_test.go:12: Parse("1,2") = 12; want 3\n--- FAIL: TestParse (0.00s)',
        filePath: "parse_test.go",
        lineNumber: 12,
        testName: "TestParse",
      },
      {
        tool: "go-test",
        errorType: "test failure",
        message: "Add(-1, 1) = 1; want 0",
        stackTrace: "math_test.go:20: Add(-1, 1) = 1; want 0\n--- FAIL: TestAdd/negative (0.00s)",
        filePath: "math_test.go",
        lineNumber: 20,
        testName: "TestAdd/negative",
      },
      {
        tool: "go-test",
        errorType: "test failure",
        message: "Not equal:\nexpected: 8080\nactual  : 80",
        stackTrace: [
          "    config_test.go:25:",
          "        \tError Trace:\t/home/runner/work/myapp/myapp/calc/config_test.go:25",
          "        \tError:      \tNot equal:",
          "        \t            \texpected: 8080",
          "        \t            \tactual  : 80",
          "        \tTest:       \tTestConfig",
          "--- FAIL: TestConfig (0.00s)",
        ].join("\n"),
        filePath: "calc/config_test.go",
        lineNumber: 25,
        testName: "TestConfig",
      },
    ]);
  });

  it("attributes output to nested results without -v", () => {
    const log = [
      "--- FAIL: TestAdd (0.00s)",
      "    --- FAIL: TestAdd/negative (0.00s)",
      "        math_test.go:20: Add(-1, 1) = 1; want 0",
      "    --- PASS: TestAdd/positive (0.00s)",
      "--- FAIL: TestParse (0.00s)",
      '    parse_test.go:12: Parse("1,2") = 12; want 3',
      "        input came from fixtures/numbers.txt",
      "FAIL",
      "FAIL\tgithub.com/acme/myapp/calc\t0.005s",
    ].join("\n");
    expect(
      parseCiLog(log).map((failure) => [failure.testName, failure.message, failure.filePath, failure.lineNumber]),
    ).toEqual([
      ["TestAdd/negative", "Add(-1, 1) = 1; want 0", "math_test.go", 20],
      ["TestParse", 'Parse("1,2") = 12; want 3\ninput came from fixtures/numbers.txt', "parse_test.go", 12],
    ]);
  });

  it("names the test a timeout panic lists as running", () => {
    const log = [
      "panic: test timed out after 10m0s",
      "running tests:",
      "\tTestSlow (10m0s)",
      "",
      "goroutine 21 [running]:",
      "testing.(*M).startAlarm.func1()",
      "\t/opt/hostedtoolcache/go/1.22.2/x64/src/testing/testing.go:2366 +0x385",
      "created by time.goFunc",
      "\t/opt/hostedtoolcache/go/1.22.2/x64/src/time/sleep.go:177 +0x2d",
      "FAIL\tgithub.com/acme/myapp/slow\t600.012s",
    ].join("\n");
    expect(only(parseCiLog(log))).toMatchObject({
      errorType: "panic",
      message: "test timed out after 10m0s",
      filePath: null,
      lineNumber: null,
      testName: "TestSlow",
    });
  });

  it("reports a panic once, at the innermost frame outside the runtime", () => {
    const log = [
      "--- FAIL: TestCrash (0.00s)",
      "panic: runtime error: invalid memory address or nil pointer dereference [recovered]",
      "\tpanic: runtime error: invalid memory address or nil pointer dereference",
      "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4f8e2a]",
      "",
      "goroutine 7 [running]:",
      "testing.tRunner.func1.2({0x5201a0, 0x6b2f40})",
      "\t/opt/hostedtoolcache/go/1.22.2/x64/src/testing/testing.go:1631 +0x24a",
      "testing.tRunner.func1()",
      "\t/opt/hostedtoolcache/go/1.22.2/x64/src/testing/testing.go:1634 +0x377",
      "panic({0x5201a0?, 0x6b2f40?})",
      "\t/opt/hostedtoolcache/go/1.22.2/x64/src/runtime/panic.go:770 +0x132",
      "github.com/acme/myapp/store.(*Store).Get(0x0, {0x55c1e3, 0x3})",
      "\t/home/runner/work/myapp/myapp/store/store.go:42 +0x1a",
      "github.com/acme/myapp/store.TestCrash(0xc000007860?)",
      "\t/home/runner/work/myapp/myapp/store/store_test.go:15 +0x2e",
      "testing.tRunner(0xc0000076c0, 0x5749f8)",
      "\t/opt/hostedtoolcache/go/1.22.2/x64/src/testing/testing.go:1689 +0xfb",
      "created by testing.(*T).Run in goroutine 1",
      "\t/opt/hostedtoolcache/go/1.22.2/x64/src/testing/testing.go:1742 +0x390",
      "exit status 2",
      "FAIL\tgithub.com/acme/myapp/store\t0.015s",
    ].join("\n");
    const failure = only(parseCiLog(log));
    expect(failure).toMatchObject({
      tool: "go-test",
      errorType: "panic",
      message: "runtime error: invalid memory address or nil pointer dereference",
      filePath: "store/store.go",
      lineNumber: 42,
      testName: "TestCrash",
    });
    expect(failure.stackTrace?.split("\n")[0]).toBe(
      "panic: runtime error: invalid memory address or nil pointer dereference [recovered]",
    );
    expect(failure.stackTrace?.endsWith("testing.go:1742 +0x390")).toBe(true);
  });
});

describe("parseCiLog: cargo test", () => {
  it("parses panics in the current format", () => {
    const log = githubActionsLog([
      "     Running unittests src/lib.rs (target/debug/deps/mycrate-3f2a1b4c5d6e7f80)",
      "",
      "running 3 tests",
      "test tests::it_adds ... ok",
      "test tests::it_parses ... FAILED",
      "test tests::it_unwraps ... FAILED",
      "",
      "failures:",
      "",
      "---- tests::it_parses stdout ----",
      "thread 'tests::it_parses' panicked at src/lib.rs:10:5:",
      "assertion `left == right` failed",
      "  left: 4",
      " right: 5",
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
      "",
      "---- tests::it_unwraps stdout ----",
      "thread 'tests::it_unwraps' panicked at src/parser.rs:20:37:",
      "called `Option::unwrap()` on a `None` value",
      "",
      "",
      "failures:",
      "    tests::it_parses",
      "    tests::it_unwraps",
      "",
      "test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
      "",
      "error: test failed, to rerun pass `--lib`",
    ]);
    expect(parseCiLog(log)).toEqual([
      {
        tool: "cargo-test",
        errorType: "panic",
        message: "assertion `left == right` failed\nleft: 4\nright: 5",
        stackTrace: [
          "thread 'tests::it_parses' panicked at src/lib.rs:10:5:",
          "assertion `left == right` failed",
          "  left: 4",
          " right: 5",
          "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
        ].join("\n"),
        filePath: "src/lib.rs",
        lineNumber: 10,
        testName: "tests::it_parses",
      },
      {
        tool: "cargo-test",
        errorType: "panic",
        message: "called `Option::unwrap()` on a `None` value",
        stackTrace:
          "thread 'tests::it_unwraps' panicked at src/parser.rs:20:37:\ncalled `Option::unwrap()` on a `None` value",
        filePath: "src/parser.rs",
        lineNumber: 20,
        testName: "tests::it_unwraps",
      },
    ]);
  });

  it("parses panics in the pre-1.73 format", () => {
    const log = [
      "---- tests::it_parses stdout ----",
      "thread 'tests::it_parses' panicked at 'assertion failed: `(left == right)`",
      "  left: `4`,",
      " right: `5`', src/lib.rs:10:5",
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
      "",
      "---- tests::it_unwraps stdout ----",
      "thread 'tests::it_unwraps' panicked at 'called `Option::unwrap()` on a `None` value', src/parser.rs:20:37",
      "",
      "",
      "failures:",
    ].join("\n");
    expect(parseCiLog(log).map(({ stackTrace: _stackTrace, ...rest }) => rest)).toEqual([
      {
        tool: "cargo-test",
        errorType: "panic",
        message: "assertion failed: `(left == right)`\nleft: `4`,\nright: `5`",
        filePath: "src/lib.rs",
        lineNumber: 10,
        testName: "tests::it_parses",
      },
      {
        tool: "cargo-test",
        errorType: "panic",
        message: "called `Option::unwrap()` on a `None` value",
        filePath: "src/parser.rs",
        lineNumber: 20,
        testName: "tests::it_unwraps",
      },
    ]);
  });
});

describe("parseCiLog: Rust panics outside test blocks", () => {
  it("reports a panic printed where it happened, without a test name for the main thread", () => {
    const log = [
      "     Running `target/debug/migrate`",
      "thread 'main' panicked at src/main.rs:4:37:",
      'called `Result::unwrap()` on an `Err` value: Os { code: 2, kind: NotFound, message: "No such file or directory" }',
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
      "##[error]Process completed with exit code 101.",
    ].join("\n");
    expect(only(parseCiLog(log))).toMatchObject({
      tool: "cargo-test",
      errorType: "panic",
      message:
        'called `Result::unwrap()` on an `Err` value: Os { code: 2, kind: NotFound, message: "No such file or directory" }',
      filePath: "src/main.rs",
      lineNumber: 4,
      testName: null,
    });
  });
});

describe("parseCiLog: Python tracebacks", () => {
  it("reports the exception that escaped a chain, at its innermost frame", () => {
    const log = githubActionsLog([
      "Run python scripts/migrate.py",
      "Applying migrations...",
      "Traceback (most recent call last):",
      '  File "/home/runner/work/myapp/myapp/myapp/config.py", line 12, in load_config',
      "    return os.environ[key]",
      "           ~~~~~~~~~~^^^^^",
      '  File "<frozen os>", line 714, in __getitem__',
      "KeyError: 'DATABASE_URL'",
      "",
      "During handling of the above exception, another exception occurred:",
      "",
      "Traceback (most recent call last):",
      '  File "/home/runner/work/myapp/myapp/scripts/migrate.py", line 42, in <module>',
      "    main()",
      '  File "/home/runner/work/myapp/myapp/scripts/migrate.py", line 38, in main',
      '    config = load_config("DATABASE_URL")',
      "             ^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      '  File "/home/runner/work/myapp/myapp/myapp/config.py", line 14, in load_config',
      '    raise myapp.errors.ConfigError(f"missing setting: {key}")',
      "myapp.errors.ConfigError: missing setting: DATABASE_URL",
      "##[error]Process completed with exit code 1.",
    ]);
    const failure = only(parseCiLog(log));
    expect(failure).toMatchObject({
      tool: "python-traceback",
      errorType: "myapp.errors.ConfigError",
      message: "missing setting: DATABASE_URL",
      filePath: "myapp/config.py",
      lineNumber: 14,
      testName: null,
    });
    expect(failure.stackTrace?.startsWith("Traceback (most recent call last):\n")).toBe(true);
    expect(failure.stackTrace).toContain("KeyError: 'DATABASE_URL'");
    expect(failure.stackTrace?.endsWith("myapp.errors.ConfigError: missing setting: DATABASE_URL")).toBe(true);
  });

  it("strips the Windows runner checkout from paths", () => {
    const log = [
      "Traceback (most recent call last):",
      '  File "D:\\a\\myapp\\myapp\\tools\\build.py", line 5, in <module>',
      "    import yaml",
      "ModuleNotFoundError: No module named 'yaml'",
    ].join("\r\n");
    expect(parseCiLog(log)).toEqual([
      {
        tool: "python-traceback",
        errorType: "ModuleNotFoundError",
        message: "No module named 'yaml'",
        stackTrace: [
          "Traceback (most recent call last):",
          '  File "D:\\a\\myapp\\myapp\\tools\\build.py", line 5, in <module>',
          "    import yaml",
          "ModuleNotFoundError: No module named 'yaml'",
        ].join("\n"),
        filePath: "tools/build.py",
        lineNumber: 5,
        testName: null,
      },
    ]);
  });
});

describe("parseCiLog: Node errors", () => {
  it("uses the throw site Node prints above an uncaught error", () => {
    const log = [
      "> node scripts/seed.js",
      "",
      "/home/runner/work/myapp/myapp/scripts/seed.js:10",
      "    throw new Error(`Missing env var ${name}`);",
      "    ^",
      "",
      "Error: Missing env var DATABASE_URL",
      "    at requireEnv (/home/runner/work/myapp/myapp/scripts/seed.js:10:11)",
      "    at Object.<anonymous> (/home/runner/work/myapp/myapp/scripts/seed.js:14:13)",
      "    at Module._compile (node:internal/modules/cjs/loader:1358:14)",
      "    at Module._extensions..js (node:internal/modules/cjs/loader:1416:10)",
      "    at Module.load (node:internal/modules/cjs/loader:1208:32)",
      "    at Module._load (node:internal/modules/cjs/loader:1024:12)",
      "    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:174:12)",
      "    at node:internal/main/run_main_module:28:49",
      "",
      "Node.js v20.12.2",
    ].join("\n");
    const failure = only(parseCiLog(log));
    expect(failure).toMatchObject({
      tool: "node-error",
      errorType: "Error",
      message: "Missing env var DATABASE_URL",
      filePath: "scripts/seed.js",
      lineNumber: 10,
      testName: null,
    });
    expect(failure.stackTrace?.split("\n")[0]).toBe("/home/runner/work/myapp/myapp/scripts/seed.js:10");
    expect(failure.stackTrace?.endsWith("at node:internal/main/run_main_module:28:49")).toBe(true);
  });

  it("points at the first frame outside Node internals and dependencies", () => {
    const log = [
      "TypeError: Cannot read properties of undefined (reading 'x')",
      "    at formatPoint (/home/runner/work/myapp/myapp/node_modules/geo-format/index.js:3:9)",
      "    at Array.map (<anonymous>)",
      "    at render (/home/runner/work/myapp/myapp/src/render.js:8:22)",
      "    at file:///home/runner/work/myapp/myapp/src/cli.mjs:5:1",
    ].join("\n");
    expect(only(parseCiLog(log))).toMatchObject({
      tool: "node-error",
      errorType: "TypeError",
      message: "Cannot read properties of undefined (reading 'x')",
      filePath: "src/render.js",
      lineNumber: 8,
    });
  });

  it("keeps Node's error code in the type and the error's properties in the excerpt", () => {
    const log = [
      "node:internal/modules/esm/resolve:265",
      "    throw new ERR_MODULE_NOT_FOUND(",
      "          ^",
      "",
      "Error [ERR_MODULE_NOT_FOUND]: Cannot find module '/home/runner/work/myapp/myapp/src/db.js' imported from /home/runner/work/myapp/myapp/src/index.js",
      "    at finalizeResolution (node:internal/modules/esm/resolve:265:11)",
      "    at moduleResolve (node:internal/modules/esm/resolve:933:10)",
      "    at link (node:internal/modules/esm/module_job:86:36) {",
      "  code: 'ERR_MODULE_NOT_FOUND',",
      "  url: 'file:///home/runner/work/myapp/myapp/src/db.js'",
      "}",
      "",
      "Node.js v20.12.2",
    ].join("\n");
    const failure = only(parseCiLog(log));
    expect(failure).toMatchObject({
      errorType: "Error [ERR_MODULE_NOT_FOUND]",
      message:
        "Cannot find module '/home/runner/work/myapp/myapp/src/db.js' imported from /home/runner/work/myapp/myapp/src/index.js",
      filePath: "node:internal/modules/esm/resolve",
      lineNumber: 265,
    });
    expect(
      failure.stackTrace?.endsWith(
        "  code: 'ERR_MODULE_NOT_FOUND',\n  url: 'file:///home/runner/work/myapp/myapp/src/db.js'\n}",
      ),
    ).toBe(true);
  });

  it("reads past a multi-line message to the frames", () => {
    const log = [
      "node:internal/modules/cjs/loader:1147",
      "  throw err;",
      "  ^",
      "",
      "Error: Cannot find module 'express'",
      "Require stack:",
      "- /home/runner/work/myapp/myapp/src/server.js",
      "    at Module._resolveFilename (node:internal/modules/cjs/loader:1144:15)",
      "    at Module._load (node:internal/modules/cjs/loader:985:27)",
      "    at require (node:internal/modules/helpers:176:12)",
      "    at Object.<anonymous> (/home/runner/work/myapp/myapp/src/server.js:1:17)",
      "    at Module._compile (node:internal/modules/cjs/loader:1376:14) {",
      "  code: 'MODULE_NOT_FOUND',",
      "  requireStack: [ '/home/runner/work/myapp/myapp/src/server.js' ]",
      "}",
      "",
      "Node.js v20.11.1",
    ].join("\n");
    const failure = only(parseCiLog(log));
    expect(failure).toMatchObject({
      errorType: "Error",
      message: "Cannot find module 'express'",
      filePath: "src/server.js",
      lineNumber: 1,
    });
    expect(failure.stackTrace?.endsWith("}")).toBe(true);
  });

  it("ignores error-like lines without a stack", () => {
    expect(parseCiLog("Error: Process completed with exit code 1.\nTypeError: x is not a function\n")).toEqual([]);
  });
});

describe("parseCiLog: whole logs", () => {
  it("returns nothing for a passing run", () => {
    const log = githubActionsLog([
      "##[group]Run npm ci",
      "added 812 packages, and audited 813 packages in 14s",
      "found 0 vulnerabilities",
      "##[endgroup]",
      "##[group]Run npm test",
      "> jest --ci",
      `${ESC}[0m${ESC}[7m${ESC}[1m${ESC}[32m PASS ${ESC}[39m${ESC}[22m${ESC}[27m${ESC}[0m src/__tests__/auth.test.ts`,
      "Tests:       6 passed, 6 total",
      "##[endgroup]",
      "============================= test session starts ==============================",
      "collected 12 items",
      "tests/test_auth.py ....                                                  [ 33%]",
      "tests/test_utils.py ........                                             [100%]",
      "=============================== warnings summary ===============================",
      "tests/test_utils.py:3: DeprecationWarning: datetime.utcnow() is deprecated",
      "======================== 12 passed, 1 warning in 0.31s ========================",
      "ok  \tgithub.com/acme/myapp/calc\t0.005s",
      "test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
      "Found 0 errors. Watching for file changes.",
    ]);
    expect(parseCiLog(log)).toEqual([]);
  });

  it("keeps log order across tools and drops identical repeats", () => {
    const typeError = "src/a.ts(12,5): error TS2322: Type 'string' is not assignable to type 'number'.";
    const log = [
      typeError,
      "Traceback (most recent call last):",
      '  File "/home/runner/work/myapp/myapp/app.py", line 3, in <module>',
      "    1 / 0",
      "ZeroDivisionError: division by zero",
      typeError,
      "src/b.ts(1,1): error TS1005: ';' expected.",
    ].join("\n");
    expect(parseCiLog(log).map((failure) => [failure.tool, failure.errorType])).toEqual([
      ["tsc", "TS2322"],
      ["python-traceback", "ZeroDivisionError"],
      ["tsc", "TS1005"],
    ]);
  });

  it("caps the number of failures, by default at 50", () => {
    const log = Array.from(
      { length: 80 },
      (_, index) => `src/file${index}.ts(${index + 1},1): error TS2304: Cannot find name 'x${index}'.`,
    ).join("\n");
    expect(parseCiLog(log)).toHaveLength(50);
    expect(parseCiLog(log, { maxFailures: 3 }).map((failure) => failure.filePath)).toEqual([
      "src/file0.ts",
      "src/file1.ts",
      "src/file2.ts",
    ]);
    expect(parseCiLog(log, { maxFailures: 0 })).toEqual([]);
  });

  it("clips long messages and excerpts", () => {
    const longMessage = "x".repeat(5_000);
    const frames = Array.from(
      { length: 400 },
      (_, index) => `    at step${index} (/srv/app/src/steps.js:${index + 1}:5)`,
    );
    const failure = only(parseCiLog([`Error: ${longMessage}`, ...frames].join("\n")));
    expect(failure.message).toHaveLength(2_000);
    expect(failure.stackTrace?.length).toBeLessThanOrEqual(8_000);
    expect(failure.stackTrace?.endsWith("at step399 (/srv/app/src/steps.js:400:5)")).toBe(true);
  });

  it("never throws on arbitrary input", () => {
    const inputs = [
      "",
      "\u0000\u0001\u001b[",
      "=".repeat(100_000),
      "_".repeat(50_000) + " x " + "_".repeat(50_000),
      "Traceback (most recent call last):",
      'Traceback (most recent call last):\n  File "x.py", line 1',
      "--- FAIL: TestX (0.00s)\npanic: boom",
      "---- tests::x stdout ----\nthread 'tests::x' panicked at 'unterminated",
      " FAIL  a.test.ts > t",
      "  ● ",
      "=== FAILURES ===\n___ t ___\nE",
      `${"a(".repeat(20_000)}1,1): error TS1: x`,
      "    at ".repeat(10_000),
    ];
    for (const input of inputs) expect(() => parseCiLog(input)).not.toThrow();
    expect(parseCiLog(undefined as unknown as string)).toEqual([]);
  });

  it("parses a 2 MB noisy log quickly", () => {
    const noise = [
      "npm WARN deprecated inflight@1.0.6: This module is not supported, and leaks memory.",
      "  ✓ renders the dashboard (12 ms)",
      "tests/test_utils.py ........                                             [ 50%]",
      "    at Object.<anonymous> (just a log line that looks like a frame)",
      "=== RUN   TestRound",
      "--- PASS: TestRound (0.00s)",
      `${RED}[info]${RESET} compiled 412 modules in 3.2s ${"-".repeat(40)}`,
      "E   this is not a pytest line",
    ];
    const lines: string[] = [];
    let size = 0;
    for (let index = 0; size < 2_000_000; index++) {
      const line = noise[index % noise.length] ?? "";
      lines.push(line);
      size += line.length + 1;
      if (index % 20_000 === 0) {
        lines.push(`src/gen${index}.ts(1,1): error TS2304: Cannot find name 'y'.`);
      }
    }
    const log = githubActionsLog(lines);
    const started = performance.now();
    const failures = parseCiLog(log);
    const elapsed = performance.now() - started;
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((failure) => failure.tool === "tsc")).toBe(true);
    expect(elapsed).toBeLessThan(2_000);
  });
});
