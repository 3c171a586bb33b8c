/**
 * JUnit XML reports, the preferred CI input: the one structured format nearly every test runner can write (pytest
 * --junitxml, jest-junit, Vitest's junit reporter, Maven Surefire, go-junit-report, cargo2junit). Each failed or
 * errored `<testcase>` becomes the same CiFailure the console recognisers produce, so deduplication and known fixes
 * work the same whichever input a job sent.
 *
 * The report is untrusted input of up to the webhook's 5 MiB: it must be well-formed (a truncated report is not
 * guessed at; the caller falls back to the console recognisers), a DOCTYPE before the root is refused outright, and
 * the parser expands no entities at all, so one declared anywhere else is never applied either. Only the five
 * predefined entities and character references are decoded, here, each to at most one character, so no input can
 * grow in the decoding.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { failureKey, type CiFailure, type ParseCiLogOptions } from "./log";
import { testcaseFailure, type JUnitProblem, type JUnitTestcase } from "./junit-testcase";

/** Above the generic webhook's 5 MiB body: a bigger document is not read as a report (its tree would not pay). */
const MAX_REPORT_CHARS = 6_000_000;
/** How far into the text the root element is looked for, past the XML declaration and comments. */
const MAX_PROLOG_CHARS = 4_096;
/** Reports nest testsuites/testsuite/testcase/failure, some tools suites in suites; far deeper is not a report. */
const MAX_NESTED_TAGS = 32;
const DEFAULT_MAX_FAILURES = 50;

type XmlNode = { readonly [key: string]: unknown };

/**
 * The failures of a JUnit XML report, in document order and at most `maxFailures`; null when the text is not a
 * report this parser reads (another document, a DOCTYPE, malformed or oversized XML), so the caller can treat it as
 * console output instead. A well-formed report without failures is `[]`.
 */
export function parseJUnitXml(text: string, options?: ParseCiLogOptions): CiFailure[] | null {
  if (typeof text !== "string" || text.length > MAX_REPORT_CHARS || !looksLikeJUnitXml(text)) return null;
  const maxFailures = options?.maxFailures ?? DEFAULT_MAX_FAILURES;
  try {
    if (XMLValidator.validate(text) !== true) return null;
    return reportFailures(newParser().parse(text) as XmlNode, maxFailures);
  } catch {
    // The validator accepted it but the parser did not (nesting limit, an unforeseen shape): not a report for us.
    return null;
  }
}

/** The root element is `<testsuites>` or `<testsuite>`, after an optional BOM, XML declaration and comments. */
function looksLikeJUnitXml(text: string): boolean {
  const head = text.slice(0, MAX_PROLOG_CHARS);
  let index = head.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    while (index < head.length && /\s/.test(head[index] ?? "")) index++;
    if (head.startsWith("<?", index)) {
      const end = head.indexOf("?>", index);
      if (end < 0) return false;
      index = end + 2;
    } else if (head.startsWith("<!--", index)) {
      const end = head.indexOf("-->", index);
      if (end < 0) return false;
      index = end + 3;
    } else {
      // A DOCTYPE (an internal subset is where entity bombs live) is not something a test runner writes.
      return /^<testsuites?[\s/>]/.test(head.slice(index, index + 12));
    }
  }
}

/**
 * Entities are not expanded (a DOCTYPE's own are never applied) and text stays text (no number parsing). Captured
 * output is kept as its raw markup, one string, rather than parsed: most of a big report is passing tests' output.
 * No jPath strings are built: nothing here matches on paths, and building them doubles the parse time.
 */
function newParser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributesGroupName: "@",
    attributeNamePrefix: "",
    processEntities: false,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    cdataPropName: "#cdata",
    alwaysCreateTextNode: true,
    commentPropName: false,
    maxNestedTags: MAX_NESTED_TAGS,
    jPath: false,
    stopNodes: ["*.system-out", "*.system-err"],
    isArray: (name) => name === "testsuite" || name === "testcase" || name === "failure" || name === "error",
  });
}

function reportFailures(document: XmlNode, maxFailures: number): CiFailure[] {
  const failures: CiFailure[] = [];
  if (maxFailures <= 0) return failures;
  const seen = new Set<string>();
  const roots = [...elements(document, "testsuites"), document];
  // Depth-first in document order; the parser's nesting limit bounds the stack.
  const stack: Array<{ suite: XmlNode; file: string }> = [];
  for (let r = roots.length - 1; r >= 0; r--) {
    const suites = elements(roots[r] ?? {}, "testsuite");
    for (let s = suites.length - 1; s >= 0; s--) stack.push({ suite: suites[s] ?? {}, file: "" });
  }
  while (stack.length > 0) {
    const { suite, file } = stack.pop() ?? { suite: {}, file: "" };
    const suiteFile = attribute(suite, "file") || file;
    for (const testcase of elements(suite, "testcase")) {
      for (const problem of [...elements(testcase, "failure"), ...elements(testcase, "error")]) {
        const failure = testcaseFailure(readTestcase(testcase, suiteFile), readProblem(problem, testcase));
        const key = failureKey(failure);
        if (seen.has(key)) continue;
        seen.add(key);
        failures.push(failure);
        if (failures.length >= maxFailures) return failures;
      }
    }
    const nested = elements(suite, "testsuite");
    for (let s = nested.length - 1; s >= 0; s--) stack.push({ suite: nested[s] ?? {}, file: suiteFile });
  }
  return failures;
}

function readTestcase(testcase: XmlNode, suiteFile: string): JUnitTestcase {
  return {
    name: attribute(testcase, "name"),
    classname: attribute(testcase, "classname"),
    file: attribute(testcase, "file") || suiteFile,
    line: attribute(testcase, "line"),
  };
}

/**
 * cargo2junit and some JVM runners leave `<failure>` empty and put the panic or trace in the testcase's captured
 * output, which is then the text to read.
 */
function readProblem(problem: XmlNode, testcase: XmlNode): JUnitProblem {
  let text = textOf(problem);
  if (text.trim() === "") {
    const captured = [...elements(testcase, "system-err"), ...elements(testcase, "system-out")];
    text = captured.map((output) => rawText(asList(output["#text"]).join(""))).join("\n");
  }
  return { message: attribute(problem, "message"), type: attribute(problem, "type"), text };
}

function isNode(value: unknown): value is XmlNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function elements(node: XmlNode, name: string): XmlNode[] {
  const value = Object.hasOwn(node, name) ? node[name] : undefined;
  return asList(value).map((item) => (isNode(item) ? item : typeof item === "string" ? { "#text": item } : {}));
}

function attribute(node: XmlNode, name: string): string {
  const attributes = node["@"];
  const value = isNode(attributes) && Object.hasOwn(attributes, name) ? attributes[name] : undefined;
  return typeof value === "string" ? decodeXml(value).trim() : "";
}

/** Character data first, then CDATA sections: reports use one or the other, with at most whitespace around. */
function textOf(node: XmlNode): string {
  const parts: string[] = [];
  for (const piece of asList(node["#text"])) if (typeof piece === "string") parts.push(decodeXml(piece));
  for (const section of asList(node["#cdata"])) {
    const raw = isNode(section) ? section["#text"] : section;
    if (typeof raw === "string") parts.push(raw);
  }
  return parts.join("");
}

/** A stop node's content as text: its CDATA sections as they are, the character data between them decoded. */
function rawText(raw: string): string {
  let text = "";
  let index = 0;
  while (index < raw.length) {
    const open = raw.indexOf("<![CDATA[", index);
    if (open < 0) break;
    const close = raw.indexOf("]]>", open + 9);
    if (close < 0) break;
    text += decodeXml(raw.slice(index, open)) + raw.slice(open + 9, close);
    index = close + 3;
  }
  return text + decodeXml(raw.slice(index));
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

const XML_REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#(\d{1,7})|#x([0-9A-Fa-f]{1,6}));/g;
const PREDEFINED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** The predefined entities and character references; anything else (`&name;`) stays as written. */
function decodeXml(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(XML_REFERENCE, (whole, named?: string, decimal?: string, hex?: string) => {
    if (named) return PREDEFINED[named] ?? whole;
    const code = decimal ? Number.parseInt(decimal, 10) : Number.parseInt(hex ?? "", 16);
    const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
    return valid ? String.fromCodePoint(code) : whole;
  });
}
