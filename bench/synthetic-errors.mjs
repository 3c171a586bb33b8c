// Synthetic errors for benches: many runtimes, exception types, messages, modules, paths and values, generated
// deterministically from an index. They stand in for "the rest of a project's history" around the eval sets, so
// they never copy an eval text: packages, modules and test classes are invented (com.acme…, acme/…).

const pick = (/** @type {readonly string[]} */ list, /** @type {number} */ n) => list[n % list.length] ?? "";

const domains = [
  "billing",
  "orders",
  "auth",
  "search",
  "inventory",
  "shipping",
  "reports",
  "profile",
  "webhooks",
  "cart",
];
const nouns = ["invoice", "order", "token", "session", "item", "parcel", "report", "user", "event", "coupon", "price"];
const verbs = ["parse", "validate", "serialize", "load", "save", "render", "compare", "fetch", "decode", "schedule"];
const pyProblems = [
  ["TypeError", "unsupported operand type(s) for +: 'int' and 'NoneType'"],
  ["TypeError", "object of type 'NoneType' has no len()"],
  ["ValueError", "invalid literal for int() with base 10: '{v}'"],
  ["IndexError", "list index out of range"],
  ["AttributeError", "'dict' object has no attribute '{n}_id'"],
  ["TypeError", "can't compare offset-naive and offset-aware datetimes"],
  ["RecursionError", "maximum recursion depth exceeded while calling a Python object"],
  ["json.decoder.JSONDecodeError", "Expecting value: line 1 column {v} (char {v})"],
  ["ModuleNotFoundError", "No module named '{d}_{n}'"],
  ["KeyError", "'{n}'"],
  ["sqlalchemy.exc.IntegrityError", "UNIQUE constraint failed: {n}s.{n}_id"],
  ["ZeroDivisionError", "division by zero"],
];
const jsProblems = [
  ["TypeError", "Cannot read properties of undefined (reading '{n}Id')"],
  ["TypeError", "{n}.{v2}is not a function"],
  ["ReferenceError", "{n} is not defined"],
  ["RangeError", "Maximum call stack size exceeded"],
  ["SyntaxError", "Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON"],
  ["Error", "connect ECONNREFUSED 127.0.0.1:{v}"],
  ["TypeError", "fetch failed"],
  ["Error", "ENOENT: no such file or directory, open '/srv/{d}/{n}.json'"],
];
const javaProblems = [
  ["java.lang.NullPointerException", ""],
  ["java.lang.IllegalArgumentException", "{N} must not be null"],
  ["java.lang.IllegalStateException", "{N} already closed"],
  ["java.lang.IndexOutOfBoundsException", "Index: {v}, Size: {v}"],
  ["java.lang.ClassCastException", "com.acme.{d}.{N} cannot be cast to java.lang.String"],
  ["junit.framework.AssertionFailedError", "expected:<{v}> but was:<{w}>"],
  ["org.opentest4j.AssertionFailedError", "expected: <{n}> but was: <null>"],
  ["java.util.ConcurrentModificationException", ""],
  ["java.lang.NumberFormatException", 'For input string: "{n}{v}"'],
];
const goProblems = [
  ["panic", "runtime error: invalid memory address or nil pointer dereference"],
  ["panic", "runtime error: index out of range [{v}] with length {w}"],
  ["panic", "assignment to entry in nil map"],
];

const cap = (/** @type {string} */ s) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * A letters-only name unique to `i` (base 26, "aaaa" to "zzzz" covers 456,976 errors). Fingerprints abstract
 * numbers, so a number alone would make many synthetic errors recurrences of each other; a function named
 * after `i` makes each one a distinct error, as in a large real codebase.
 * @param {number} i
 */
function unitName(i) {
  let name = "";
  for (let rest = i, digit = 0; digit < 4; digit += 1, rest = Math.floor(rest / 26)) {
    name = String.fromCharCode(97 + (rest % 26)) + name;
  }
  return name;
}

/** @param {string} template @param {number} i */
function fill(template, i) {
  const n = pick(nouns, i * 7 + 3);
  return template
    .replaceAll("{n}", n)
    .replaceAll("{N}", cap(n))
    .replaceAll("{d}", pick(domains, i * 3 + 1))
    .replaceAll("{v2}", `${pick(verbs, i)}${cap(pick(nouns, i + 5))} `)
    .replaceAll("{v}", String((i * 37) % 997))
    .replaceAll("{w}", String((i * 53) % 991));
}

/**
 * The i-th synthetic error as a `coding_record_error` payload.
 * @param {number} i
 */
export function syntheticError(i) {
  const domain = pick(domains, i);
  const noun = pick(nouns, Math.floor(i / 10));
  const verb = pick(verbs, Math.floor(i / 110));
  const line = 10 + ((i * 13) % 600);
  const runtime = i % 4;
  const tags = [domain, verb];
  const unit = unitName(i);
  const solution =
    i % 3 === 0
      ? `Check the ${noun} before calling ${verb}; handle the empty case in ${domain} explicitly.`
      : undefined;
  if (runtime === 0) {
    const [type = "Error", template = ""] = pyProblems[Math.floor(i / 4) % pyProblems.length] ?? [];
    const message = fill(template, i);
    const module = `${noun}_${verb}_${i % 89}`;
    return {
      error_type: type,
      message: `${type}: ${message}`,
      stack_trace:
        `Traceback (most recent call last):\n  File "/srv/app/${domain}/${module}.py", line ${line}, in ${verb}_${noun}_${unit}\n` +
        `    result = helpers.${verb}(payload)\n  File "/srv/app/${domain}/helpers_${i % 53}.py", line ${line % 300}, in ${verb}\n` +
        `    return backend_${i % 31}.${verb}_${noun}(value)\n${type}: ${message}`,
      file_path: `src/${domain}/${module}.py`,
      line_number: line,
      tags,
      ...(solution ? { solution } : {}),
    };
  }
  if (runtime === 1) {
    const [type = "Error", template = ""] = jsProblems[Math.floor(i / 4) % jsProblems.length] ?? [];
    const message = fill(template, i);
    const file = `${noun}${cap(verb)}${i % 71}`;
    return {
      error_type: type,
      message: `${type}: ${message}`,
      stack_trace:
        `${type}: ${message}\n    at ${verb}${cap(noun)}${cap(unit)} (/srv/web/src/${domain}/${file}.ts:${line}:${i % 40})\n` +
        `    at ${cap(domain)}Service.handle (/srv/web/src/${domain}/service.ts:${line % 200}:7)\n` +
        `    at async Router.dispatch (/srv/web/node_modules/hono/dist/router.js:${i % 90}:15)`,
      file_path: `src/${domain}/${file}.ts`,
      line_number: line,
      tags,
      ...(solution ? { solution } : {}),
    };
  }
  if (runtime === 2) {
    const [type = "Error", template = ""] = javaProblems[Math.floor(i / 4) % javaProblems.length] ?? [];
    const message = fill(template, i);
    const cls = `${cap(noun)}${cap(verb)}er`;
    const first = message ? `${type}: ${message}` : type;
    return {
      error_type: type,
      message: first,
      stack_trace:
        `${first}\n\tat com.acme.${domain}.${cls}.${verb}${cap(noun)}${cap(unit)}(${cls}.java:${line})\n` +
        `\tat com.acme.${domain}.${cap(domain)}Service.handle(${cap(domain)}Service.java:${line % 250})\n` +
        `\tat com.acme.${domain}.${cls}Test.test${cap(verb)}${i % 13}(${cls}Test.java:${(line * 3) % 400})`,
      file_path: `src/main/java/com/acme/${domain}/${cls}.java`,
      line_number: line,
      tags,
      ...(solution ? { solution } : {}),
    };
  }
  const [type = "panic", template = ""] = goProblems[Math.floor(i / 4) % goProblems.length] ?? [];
  const message = fill(template, i);
  return {
    error_type: type,
    message: `panic: ${message}`,
    stack_trace:
      `panic: ${message}\n\ngoroutine ${i % 500} [running]:\nacme.dev/${domain}.(*${cap(noun)}Store).${cap(verb)}${cap(unit)}(...)\n` +
      `\t/src/${domain}/${noun}_store.go:${line} +0x${(i * 97).toString(16)}\nacme.dev/${domain}.Handle${cap(verb)}(...)\n` +
      `\t/src/${domain}/handler.go:${line % 120} +0x1d`,
    file_path: `${domain}/${noun}_store.go`,
    line_number: line,
    tags,
    ...(solution ? { solution } : {}),
  };
}
