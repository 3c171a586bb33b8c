import { describe, expect, it } from "vitest";
import {
  errorFingerprint,
  errorSearchTerms,
  extractErrorType,
  MAX_SEARCH_TERMS,
  normalizeErrorText,
  parseStackFrames,
  pathBasename,
} from "../../src/domain/errors/normalize";

function pythonTraceback(root: string, handlerLine: number, computeLine: number): string {
  return [
    "Traceback (most recent call last):",
    `  File "${root}/app/main.py", line ${handlerLine}, in handler`,
    "    result = compute(a, b)",
    `  File "${root}/app/calc.py", line ${computeLine}, in compute`,
    "    return a + b",
    "TypeError: unsupported operand type(s) for +: 'int' and 'str'",
  ].join("\n");
}

describe("normalizeErrorText", () => {
  it("reduces a Python traceback to its stable parts", () => {
    expect(normalizeErrorText(pythonTraceback("/usr/src/app", 42, 7))).toBe(
      "traceback (most recent call last): file main, line <n>, in handler result = compute(a, b) " +
        "file calc, line <n>, in compute return a + b " +
        "typeerror: unsupported operand type(s) for +: <str> and <str>",
    );
  });

  it("keeps only the basename (without extension) of unix, windows and relative paths", () => {
    expect(normalizeErrorText("at /usr/src/app/src/auth.py")).toBe("at auth");
    expect(normalizeErrorText("at C:\\Users\\bob\\proj\\src\\Auth.ts:10:5")).toBe("at auth");
    expect(normalizeErrorText("in src/components/List.tsx:42:17")).toBe("in list");
    expect(normalizeErrorText("(index.js:10:5)")).toBe("(index)");
    expect(normalizeErrorText("see ~/proj/.env")).toBe("see .env");
    expect(normalizeErrorText("loaded file:///app/dist/worker.mjs:3:9")).toBe("loaded worker");
  });

  it("keeps non-path slashes alone", () => {
    expect(normalizeErrorText("read and/or write 1/2 of a / b")).toBe("read and/or write <n>/<n> of a / b");
  });

  it("replaces quoted literals, but turns quoted paths into basenames", () => {
    expect(normalizeErrorText(`KeyError: 'user_id'`)).toBe("keyerror: <str>");
    expect(normalizeErrorText(`No such file or directory: '/tmp/x/config.yaml'`)).toBe(
      "no such file or directory: config",
    );
    expect(normalizeErrorText('Cannot find module `lodash` or "react"')).toBe("cannot find module <str> or <str>");
  });

  it("does not treat apostrophes as quotes", () => {
    expect(normalizeErrorText("can't read the users' data in 'x'")).toBe("can't read the users' data in <str>");
  });

  it("replaces timestamps, uuids, hex addresses, hashes and numbers", () => {
    expect(
      normalizeErrorText(
        "2024-01-15T10:30:00.123Z request 123e4567-e89b-12d3-a456-426614174000 object at 0x7ffd5e8c3a10 " +
          "commit 9fceb02d0ae598e95dc970b74767f19372d61af8 took 5000ms after 3 retries at 10:42:17",
      ),
    ).toBe("<ts> request <uuid> object at <hex> commit <hex> took <n>ms after <n> retries at <ts>");
  });

  it("keeps words made of hex letters", () => {
    expect(normalizeErrorText("deadbeef facade decade")).toBe("deadbeef facade decade");
  });

  it("keeps status/exit/errno codes because they identify the error", () => {
    expect(normalizeErrorText("Request failed with status code 404")).toBe("request failed with status code 404");
    expect(normalizeErrorText("[Errno 2] exit code 127 HTTP 503")).toBe("[errno 2] exit code 127 http 503");
  });

  it("keeps identifiers that contain digits", () => {
    expect(normalizeErrorText("error TS2307 in utf8 int64 user_42")).toBe("error ts2307 in utf8 int64 user_42");
  });

  it("reduces URLs to their host", () => {
    expect(normalizeErrorText("GET https://api.example.com:8443/v1/users/42?x=1 failed")).toBe(
      "get api.example.com failed",
    );
  });

  it("strips angle brackets from the source so <…> is always a placeholder", () => {
    expect(normalizeErrorText("at Object.<anonymous> in <module> Promise<string>")).toBe(
      "at object.anonymous in module promise string",
    );
  });

  it("lowercases and collapses whitespace", () => {
    expect(normalizeErrorText("  Some\n\tERROR   here  ")).toBe("some error here");
  });
});

describe("pathBasename", () => {
  it("drops directories and the last extension", () => {
    expect(pathBasename("/usr/src/app/src/auth.py")).toBe("auth");
    expect(pathBasename("C:\\a\\b\\auth.test.ts")).toBe("auth.test");
    expect(pathBasename("/etc/hosts")).toBe("hosts");
    expect(pathBasename(".env")).toBe(".env");
  });
});

describe("errorSearchTerms", () => {
  it("splits identifiers on camelCase, snake_case and dots while keeping the whole identifier", () => {
    expect(errorSearchTerms("TypeError: datetime.now() got user_id from HTTPServerError")).toEqual([
      "typeerror",
      "type",
      "error",
      "datetime",
      "now",
      "got",
      "user_id",
      "user",
      "id",
      "httpservererror",
      "http",
      "server",
    ]);
  });

  it("drops placeholders, stopwords and traceback boilerplate", () => {
    expect(errorSearchTerms(pythonTraceback("/srv/x", 1, 2))).toEqual([
      "main",
      "handler",
      "result",
      "compute",
      "calc",
      "return",
      "typeerror",
      "type",
      "error",
      "unsupported",
      "operand",
    ]);
  });

  it("keeps codes and drops digit runs split out of identifiers", () => {
    expect(errorSearchTerms("error TS2307: Cannot find module; status code 404")).toEqual([
      "error",
      "ts2307",
      "ts",
      "find",
      "module",
      "status",
      "code",
      "404",
    ]);
  });

  it("only produces FTS5-safe terms", () => {
    const terms = errorSearchTerms(`"quoted" AND OR NOT NEAR(a b) * ^col: -x +y {a} x's "unterminated`);
    expect(terms).toEqual(["near", "col", "unterminated"]);
    for (const term of terms) expect(term).toMatch(/^[a-z0-9_]+$/);
  });

  it("caps the number of terms", () => {
    const text = Array.from(
      { length: 100 },
      (_, index) => `word${String.fromCharCode(97 + (index % 26))}${String.fromCharCode(97 + Math.floor(index / 26))}`,
    ).join(" ");
    const terms = errorSearchTerms(text);
    expect(terms).toHaveLength(MAX_SEARCH_TERMS);
    expect(terms[0]).toBe("wordaa");
  });

  it("returns no terms for empty text", () => {
    expect(errorSearchTerms("")).toEqual([]);
  });
});

describe("extractErrorType", () => {
  const cases: Array<[string, string | null]> = [
    [pythonTraceback("/app", 1, 2), "TypeError"],
    ["TypeError: Cannot read properties of undefined (reading 'map')", "TypeError"],
    ["Uncaught (in promise) RangeError: Maximum call stack size exceeded", "RangeError"],
    [
      "java.lang.NullPointerException: name is null\n\tat com.example.Foo.bar(Foo.java:42)",
      "java.lang.NullPointerException",
    ],
    ['Exception in thread "main" java.lang.IllegalStateException: boom', "java.lang.IllegalStateException"],
    ["thread 'main' panicked at src/main.rs:4:5:\ncalled `Option::unwrap()` on a `None` value", "panic"],
    ["panic: runtime error: index out of range [3] with length 3", "panic"],
    ["src/index.ts(3,20): error TS2307: Cannot find module './x' or its corresponding type declarations.", "TS2307"],
    ["error[E0382]: borrow of moved value: `v`", "E0382"],
    ["Error: connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED"],
    ["Error: Cannot find module 'express'", "Error"],
    ["Error in render: TypeError: x is undefined", "TypeError"],
    [
      "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='x', port=443)",
      "requests.exceptions.ConnectionError",
    ],
    ["Segmentation fault (core dumped)", "SIGSEGV"],
    ["something went wrong", null],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text.slice(0, 50))} → ${String(expected)}`, () => {
      expect(extractErrorType(text)).toBe(expected);
    });
  }

  it("uses the last exception of a chained Python traceback", () => {
    const chained = [
      "Traceback (most recent call last):",
      '  File "/app/db.py", line 3, in get',
      "    raise KeyError(key)",
      "KeyError: 'id'",
      "",
      "During handling of the above exception, another exception occurred:",
      "",
      "Traceback (most recent call last):",
      '  File "/app/api.py", line 9, in view',
      "    raise NotFound()",
      "app.errors.NotFound: resource missing",
    ].join("\n");
    expect(extractErrorType(chained)).toBe("app.errors.NotFound");
  });
});

describe("parseStackFrames", () => {
  it("returns Python frames innermost first", () => {
    expect(parseStackFrames(pythonTraceback("/app", 1, 2))).toEqual([
      { functionName: "compute", file: "calc", library: false },
      { functionName: "handler", file: "main", library: false },
    ]);
  });

  it("parses V8 frames and skips frames without a file", () => {
    const stack = [
      "TypeError: x",
      "    at renderList (/home/alice/proj/src/components/List.tsx:42:17)",
      "    at Object.<anonymous> (C:\\Users\\bob\\proj\\src\\index.js:10:5)",
      "    at async Promise.all (index 0)",
      "    at node:internal/process/task_queues:95:5",
    ].join("\n");
    expect(parseStackFrames(stack)).toEqual([
      { functionName: "renderlist", file: "list", library: false },
      { functionName: "anonymous", file: "index", library: false },
      { functionName: "", file: "task_queues", library: true },
    ]);
  });

  it("marks the runtime's, harnesses' and dependencies' frames as library frames", () => {
    const frames = parseStackFrames(
      [
        "\tat java.util.ArrayList.get(ArrayList.java:433)",
        "\tat junit.framework.Assert.fail(Assert.java:57)",
        "\tat org.jsoup.nodes.Element.child(Element.java:254)",
        "    at handler (/srv/app/node_modules/express/lib/router.js:10:5)",
        "    at save (/srv/app/src/save.ts:3:1)",
      ].join("\n"),
    );
    expect(frames.map((frame) => frame.library)).toEqual([true, true, false, true, false]);
    const python = parseStackFrames(
      'Traceback (most recent call last):\n  File "/app/main.py", line 3, in run\n  File "/usr/lib/python3.11/json/decoder.py", line 9, in decode\nValueError: x',
    );
    expect(python.map((frame) => [frame.functionName, frame.library])).toEqual([
      ["decode", true],
      ["run", false],
    ]);
  });

  it("parses JVM, Ruby, Go and Rust frames", () => {
    expect(parseStackFrames("\tat com.example.Foo.bar(Foo.java:42)")).toEqual([
      { functionName: "com.example.foo.bar", file: "foo", library: false },
    ]);
    expect(parseStackFrames("/app/models/user.rb:42:in `save'")).toEqual([
      { functionName: "save", file: "user", library: false },
    ]);
    expect(parseStackFrames("main.divide(...)\n\t/home/u/app/main.go:12 +0x1d")).toEqual([
      { functionName: "main.divide", file: "main", library: false },
    ]);
    expect(parseStackFrames("   3: app::run\n             at ./src/lib.rs:10:5")).toEqual([
      { functionName: "app::run", file: "lib", library: false },
    ]);
  });
});

describe("errorFingerprint", () => {
  const message = "TypeError: unsupported operand type(s) for +: 'int' and 'str'";

  it("is the canonical type, message and top frames", () => {
    expect(
      errorFingerprint({ errorType: "TypeError", message, stackTrace: pythonTraceback("/usr/src/app", 42, 7) }),
    ).toBe(
      "type:typeerror\nmessage:unsupported operand type(s) for +: <str> and <str>\nframes:compute@calc | handler@main",
    );
  });

  it("is identical for the same error on another machine with moved lines and other values", () => {
    const first = errorFingerprint({
      errorType: "TypeError",
      message,
      stackTrace: pythonTraceback("/usr/src/app", 42, 7),
    });
    const second = errorFingerprint({
      errorType: "TypeError",
      message: "TypeError: unsupported operand type(s) for +: 'float' and 'NoneType'",
      stackTrace: pythonTraceback("C:\\Users\\dev\\checkout-2", 57, 19),
    });
    expect(second).toBe(first);
  });

  it("differs for a different error", () => {
    const typeError = errorFingerprint({ errorType: "TypeError", message, stackTrace: pythonTraceback("/app", 1, 2) });
    const keyError = errorFingerprint({
      errorType: "KeyError",
      message: "KeyError: 'user_id'",
      stackTrace: pythonTraceback("/app", 1, 2).replace(/TypeError.*$/, "KeyError: 'user_id'"),
    });
    const otherPlace = errorFingerprint({
      errorType: "TypeError",
      message,
      stackTrace: pythonTraceback("/app", 1, 2).replace("in compute", "in add"),
    });
    expect(keyError).not.toBe(typeError);
    expect(otherPlace).not.toBe(typeError);
  });

  it("reads frames from the message when there is no stack trace", () => {
    expect(errorFingerprint({ errorType: "TypeError", message: pythonTraceback("/a", 1, 2), stackTrace: null })).toBe(
      errorFingerprint({ errorType: "TypeError", message: pythonTraceback("/b", 3, 4) }),
    );
  });

  it("ignores a stack trace pasted into the message", () => {
    const jsStack = "TypeError: x is undefined\n    at render (/srv/app/view.js:10:3)";
    expect(errorFingerprint({ errorType: "TypeError", message: jsStack, stackTrace: jsStack })).toBe(
      errorFingerprint({ errorType: "TypeError", message: "TypeError: x is undefined", stackTrace: jsStack }),
    );
    const traceback = pythonTraceback("/app", 1, 2);
    expect(errorFingerprint({ errorType: "TypeError", message: traceback, stackTrace: traceback })).toBe(
      errorFingerprint({ errorType: "TypeError", message, stackTrace: traceback }),
    );
  });

  describe("merges only what is the same error", () => {
    const fp = (message: string, stackTrace: string | null = null, errorType = "Error") =>
      errorFingerprint({ errorType, message, stackTrace });

    it("keeps issue keys, CVE ids and versions", () => {
      expect(fp("Regression from JIRA-1234 in checkout")).not.toBe(fp("Regression from JIRA-987 in checkout"));
      expect(fp("Vulnerable dependency: CVE-2021-44228")).not.toBe(fp("Vulnerable dependency: CVE-2022-22965"));
      expect(fp("Unsupported engine: requires node v18.2.0")).not.toBe(fp("Unsupported engine: requires node v20.1.0"));
      expect(fp("lodash@4.17.20 has a prototype pollution")).not.toBe(fp("lodash@4.17.21 has a prototype pollution"));
      expect(fp("Crash again, see #4521")).not.toBe(fp("Crash again, see #4522"));
      // Ordinary values still abstract away: the same error with another id or count is one record.
      expect(fp("User 1234 not found after 3 retries")).toBe(fp("User 98 not found after 5 retries"));
    });

    it("keeps an assertion's expected and actual values", () => {
      const at = "\tat org.jsoup.nodes.FormElementTest.createsFormData(FormElementTest.java:38)";
      const type = "junit.framework.AssertionFailedError";
      expect(fp(`${type}: expected:<6> but was:<7>`, at, type)).not.toBe(
        fp(`${type}: expected:<6> but was:<5>`, at, type),
      );
      expect(fp("AssertionError: expected 'a' to equal 'b'")).not.toBe(fp("AssertionError: expected 'a' to equal 'c'"));
      // The same failure moved to another line, or run on another machine, is still one error.
      expect(fp(`${type}: expected:<6> but was:<7>`, at.replace(":38", ":41"), type)).toBe(
        fp(`${type}: expected:<6> but was:<7>`, at, type),
      );
    });

    it("does not merge failures that share only the runtime's or the harness's frames", () => {
      const type = "java.lang.IndexOutOfBoundsException";
      const library =
        "\tat java.util.ArrayList.rangeCheck(ArrayList.java:657)\n\tat java.util.ArrayList.get(ArrayList.java:433)";
      const one = fp(
        `${type}: Index: 0, Size: 0`,
        `${library}\n\tat org.jsoup.nodes.Element.child(Element.java:254)`,
        type,
      );
      const two = fp(`${type}: Index: 0, Size: 0`, `${library}\n\tat org.jsoup.parser.Tag.valueOf(Tag.java:12)`, type);
      expect(one).not.toBe(two);
      // The throw site is kept: it says which runtime call failed.
      expect(one).toContain("frames:java.util.arraylist.rangecheck@arraylist | org.jsoup.nodes.element.child@element");
    });
  });

  it("uses at most three frames", () => {
    const stack = ["a", "b", "c", "d"].map((name) => `    at ${name} (/app/${name}.js:1:1)`).join("\n");
    expect(errorFingerprint({ errorType: "Error", message: "boom", stackTrace: stack })).toBe(
      "type:error\nmessage:boom\nframes:a@a | b@b | c@c",
    );
  });
});
