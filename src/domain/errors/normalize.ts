/**
 * Error-aware text normalisation.
 *
 * Two occurrences of "the same" error rarely have the same text: paths differ
 * between machines, line numbers move with every edit, and messages embed
 * ids, addresses, timestamps and values. Search and fingerprinting both need
 * the stable part only, so these functions abstract the volatile parts away.
 *
 * Normalised text conventions (the integrator may rely on these):
 * - A file path (unix, windows, relative with a known source extension, or
 *   `name.ext:line[:col]`) becomes its basename without the last extension:
 *   `/usr/src/app/src/auth.py:42:7` → `auth`. Directories and line/column
 *   suffixes are dropped because they change between checkouts and edits.
 * - A URL becomes its host: `https://api.example.com/v1/x?id=1` → `api.example.com`.
 * - Placeholders: `<str>` quoted literal, `<ts>` timestamp/date/time,
 *   `<uuid>`, `<hex>` (0x… addresses and hex hashes of 7+ chars), `<n>` number
 *   (a unit suffix is kept: `5000ms` → `<n>ms`).
 * - Numbers directly after `status`, `code`, `errno`, `http`, `sqlstate` or
 *   `signal` are kept (`status code 404`, `[Errno 2]`): they identify the error.
 * - Angle brackets in the source text are removed first (`<module>` → `module`,
 *   `Promise<T>` → `promise t`), so `<…>` in the output is always a placeholder.
 * - Lowercased, whitespace collapsed to single spaces, trimmed.
 */

export const NORMALIZED_PLACEHOLDERS = ["<str>", "<ts>", "<uuid>", "<hex>", "<n>"] as const;
export type NormalizedPlaceholder = (typeof NORMALIZED_PLACEHOLDERS)[number];

export interface ErrorFingerprintInput {
  errorType: string;
  message: string;
  stackTrace?: string | null;
}

export interface StackFrame {
  /** Function/method name, lowercased unless asked otherwise; empty when the frame has none. */
  functionName: string;
  /** File basename without extension, lowercased; empty when unknown. */
  file: string;
  /**
   * The frame is the runtime's, a test harness's or an installed dependency's (JDK, JUnit, node_modules,
   * site-packages, Go's runtime, Rust's std): code that unrelated failures share, so it says little about which
   * bug this is.
   */
  library: boolean;
}

export const MAX_SEARCH_TERMS = 64;

const SOURCE_EXTENSIONS =
  "py|pyi|pyx|js|jsx|mjs|cjs|ts|tsx|mts|cts|go|rs|java|kt|kts|scala|groovy|rb|php|cs|fs|vb|cpp|cc|cxx|hpp|hh|c|h|m|mm|swift|dart|ex|exs|erl|hrl|clj|cljs|lua|pl|pm|r|jl|zig|nim|hs|ml|elm|vue|svelte|astro|sql|json|jsonc|yaml|yml|toml|ini|cfg|conf|env|xml|html|htm|css|scss|sass|less|md|mdx|txt|csv|log|lock|sh|bash|zsh|ps1|bat|tf|proto|graphql|gql|prisma|wasm|ipynb|gradle|properties";

const SOURCE_EXTENSION_AT_END = new RegExp(`\\.(?:${SOURCE_EXTENSIONS})$`, "i");

/** Basename of a unix or windows path, without its last extension (a leading-dot name is kept whole). */
export function pathBasename(path: string): string {
  const segments = path.split(/[\\/]+/).filter((segment) => segment.length > 0);
  const last = segments[segments.length - 1] ?? "";
  const dot = last.lastIndexOf(".");
  return dot > 0 ? last.slice(0, dot) : last;
}

function looksLikePath(value: string): boolean {
  if (/\s/.test(value) && !/^[A-Za-z]:\\/.test(value)) return false;
  if (/^(?:[A-Za-z]:\\|\\\\|~\/|\.{1,2}[\\/]|\/[^/\s])/.test(value)) return true;
  const hasSeparator = /[\\/]/.test(value);
  const hasSourceExtension = SOURCE_EXTENSION_AT_END.test(value);
  // A bare `config.json` inside quotes is a file name; `a/b` without an extension is not (could be prose).
  return hasSourceExtension && (hasSeparator || /^[\w.@+-]+$/.test(value));
}

function replaceUrls(text: string): string {
  // file:// and bundler URLs wrap local paths; unwrap them so the path rule applies.
  const unwrapped = text.replace(/\b(?:file|webpack|webpack-internal):\/\/\/?(?:\.\/)?/gi, "/");
  return unwrapped.replace(
    /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,30}:\/\/(?:[^\s/?#@]*@)?([^\s/?#:"'`)\]]+)(?::\d+)?[^\s"'`)\]]*/gi,
    (_match, host: string) => host,
  );
}

function replaceQuotedLiterals(text: string): string {
  // An apostrophe preceded by a letter (`can't`, `users'`) does not open a quote. Literals are capped at
  // 500 characters so that a long line of unterminated quotes is not rescanned from every quote (quadratic).
  return text.replace(
    /"((?:[^"\\\r\n]|\\.){0,500})"|(?<![A-Za-z0-9])'((?:[^'\\\r\n]|\\.){0,500})'|`((?:[^`\\\r\n]|\\.){0,500})`/g,
    (_match, doubleQuoted?: string, singleQuoted?: string, backQuoted?: string) => {
      const content = doubleQuoted ?? singleQuoted ?? backQuoted ?? "";
      if (looksLikePath(content)) return pathBasename(content.replace(/(?::\d+){1,2}$/, ""));
      return "<str>";
    },
  );
}

function replacePaths(text: string): string {
  const lineSuffix = "(?::\\d+){0,2}";
  const windowsPath = `\\b[A-Za-z]:\\\\(?:[^\\\\\\s"'<>|:*?()]+\\\\)*[^\\\\\\s"'<>|:*?()]+${lineSuffix}`;
  const uncPath = `(?<![\\w\\\\.:/$@-])\\\\\\\\[^\\s"'<>|:*?()]+${lineSuffix}`;
  // Each lookbehind covers every character the path body can contain, so a match can only start at the
  // beginning of a path-like run; otherwise every position inside a long run would rescan it (quadratic time).
  const absoluteUnixPath = `(?<![\\w.:/\\\\@+$%~-])(?:~|\\.{1,2})?\\/(?:[\\w.@+$%-]+\\/)*[\\w.@+$%-]+${lineSuffix}`;
  const relativePath = `(?<![\\w.:/\\\\@$-])(?:[\\w@.$-]+[\\\\/])+[\\w@.$-]*\\.(?:${SOURCE_EXTENSIONS})\\b${lineSuffix}`;
  const fileWithLine = `(?<![\\w.:/\\\\@$-])[\\w@$-][\\w@.$-]*\\.(?:${SOURCE_EXTENSIONS}):\\d+(?::\\d+)?`;
  const pattern = new RegExp([windowsPath, uncPath, absoluteUnixPath, relativePath, fileWithLine].join("|"), "gi");
  return text.replace(pattern, (match) => pathBasename(match.replace(/(?::\d+){1,2}$/, "")));
}

const KEEP_NUMBER_AFTER = /\b(?:status|code|errno|http|sqlstate|signal)[\s:=#]*$/i;

function replaceVolatileValues(text: string): string {
  return (
    text
      .replace(
        /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\w:])/gi,
        "<ts>",
      )
      .replace(/\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g, "<ts>")
      .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, "<uuid>")
      .replace(/\b0x[0-9a-f]+\b/gi, "<hex>")
      // Hex hashes need a digit and a letter so that words like "deadbeef" or "facade" survive.
      .replace(/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\b/gi, "<hex>")
      .replace(
        /(?<![\w.])\d+(?:\.\d+)*(ms|us|ns|s|m|h|d|kb|mb|gb|b|px|x|%)?(?![\w])/gi,
        (match: string, unit: string | undefined, offset: number, input: string) => {
          if (KEEP_NUMBER_AFTER.test(input.slice(Math.max(0, offset - 24), offset))) return match;
          return `<n>${unit ?? ""}`;
        },
      )
  );
}

/** Normalisation without lowercasing, so identifiers can still be split on camelCase. */
function normalizePreservingCase(text: string): string {
  // `Object.<anonymous>` keeps its dot-joined form; any other angle bracket becomes a separator.
  let normalized = text.replace(/\.<([A-Za-z_]\w*)>/g, ".$1").replace(/[<>]/g, " ");
  normalized = replaceUrls(normalized);
  normalized = replaceQuotedLiterals(normalized);
  normalized = replacePaths(normalized);
  normalized = replaceVolatileValues(normalized);
  return normalized.replace(/\s+/g, " ").trim();
}

export function normalizeErrorText(text: string): string {
  return normalizePreservingCase(text).toLowerCase();
}

const STOPWORDS = new Set(
  (
    "a an the and or but if then else of to in on at by for from with as is are was were be been " +
    "being it its this that these those there which who what when where how not no can could cannot " +
    "did do does has have had will would should may might must into than too very so such we you your " +
    "our they he she i me my line file most recent call last traceback during handling above another " +
    "occurred"
  ).split(" "),
);

/** Splits `NullPointerException` → Null, Pointer, Exception and `HTTPServer` → HTTP, Server. */
function splitCamelCase(word: string): string[] {
  return word.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? [];
}

function identifierTerms(identifier: string): string[] {
  const terms: string[] = [];
  for (const dotted of identifier.split(".")) {
    if (dotted.length === 0) continue;
    terms.push(dotted);
    const snakeParts = dotted.split("_").filter((part) => part.length > 0);
    const parts = snakeParts.flatMap((part) => {
      const camelParts = splitCamelCase(part);
      return camelParts.length > 1 ? [part, ...camelParts] : [part];
    });
    // Digit runs split out of an identifier (`TS2307` → `2307`) carry no meaning on their own.
    for (const part of parts) if (!/^\d+$/.test(part)) terms.push(part);
  }
  return terms.map((term) => term.toLowerCase());
}

/**
 * Full-text search terms for an error text. Every term matches `^[a-z0-9_]+$`
 * (safe to put into an FTS5 MATCH expression unquoted), stopwords, placeholders
 * and one-character terms are dropped, order of first appearance is kept,
 * at most `MAX_SEARCH_TERMS` terms.
 */
export function errorSearchTerms(text: string): string[] {
  const withoutPlaceholders = normalizePreservingCase(text).replace(/<[a-z]+>[a-z%]*/g, " ");
  const identifiers = withoutPlaceholders.match(/[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*/g) ?? [];
  const seen = new Set<string>();
  const terms: string[] = [];
  for (const identifier of identifiers) {
    for (const term of identifierTerms(identifier)) {
      if (term.length < 2 || STOPWORDS.has(term) || seen.has(term)) continue;
      if (!/^[a-z0-9_]+$/.test(term)) continue;
      seen.add(term);
      terms.push(term);
      if (terms.length >= MAX_SEARCH_TERMS) return terms;
    }
  }
  return terms;
}

export const MAX_LEXICAL_TERMS = 256;

/**
 * Terms for the full-text index and for lexical queries. Unlike `errorSearchTerms`, values are NOT abstracted:
 * BM25 already gives a line number or an id that occurs once almost no weight, while a module name in quotes, a
 * file name or an error code that two reports share is the strongest evidence they describe the same problem
 * (abstracting them cost a third of hit@1 on the duplicate-issue development set). Each identifier is kept
 * whole and split at camelCase / snake_case / dots (`NullPointerException` → also null, pointer, exception).
 * Every term matches `^[a-z0-9_]+$`, at least 2 characters, no stopwords, no duplicates, first appearance
 * order, at most `MAX_LEXICAL_TERMS`.
 */
export function lexicalTerms(text: string): string[] {
  const seen = new Set<string>();
  const terms: string[] = [];
  const add = (term: string) => {
    if (term.length < 2 || STOPWORDS.has(term) || seen.has(term)) return;
    seen.add(term);
    terms.push(term);
  };
  for (const identifier of text.slice(0, 64_000).match(/[A-Za-z0-9_]+/g) ?? []) {
    add(identifier.toLowerCase());
    const parts = identifier.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? [];
    if (parts.length > 1) for (const part of parts) add(part.toLowerCase());
    if (terms.length >= MAX_LEXICAL_TERMS) return terms.slice(0, MAX_LEXICAL_TERMS);
  }
  return terms;
}

/** A qualified or suffixed exception class (`ValueError`, `java.io.IOException`, `SystemExit`). */
const SPECIFIC_EXCEPTION =
  /(?<![\w$.])((?:[A-Za-z_][\w$]*\.)*(?:[A-Z][A-Za-z0-9]*(?:Error|Exception|Warning|Interrupt|Exit)|StopIteration)|(?:[A-Za-z_][\w$]*\.)+(?:Error|Exception))\b(?!\.\w)/;
const BARE_EXCEPTION = /\b(Error|Exception)\b(?!\.\w)/;
/** Python's final traceback line is the only unindented `Name: message` line. */
const PYTHON_FINAL_LINE = /^((?:[A-Za-z_]\w*\.)*[A-Z]\w*)(?::\s|:?\s*$)/;
const JVM_UNCAUGHT = /\bException in thread "[^"]*" ([\w$.]+)/;
const NODE_SYSTEM_ERROR_CODE =
  /\b(E(?:CONN[A-Z]+|NOENT|ADDRINUSE|ADDRNOTAVAIL|ACCES|PERM|TIMEDOUT|NOTFOUND|PIPE|EXIST|ISDIR|NOTDIR|NOTEMPTY|MFILE|NOSPC|AI_AGAIN|HOSTUNREACH|NETUNREACH)|ERR_[A-Z0-9_]+)\b/;

/**
 * Best-effort exception class name, as written in the text (qualified names
 * kept: `java.lang.NullPointerException`). Returns `null` when nothing
 * recognisable is found. Special results: `TS2307` (tsc), `E0382` (rustc),
 * `panic` (Rust/Go panics), `SIGSEGV` (segmentation faults), and for a plain
 * `Error` carrying a Node.js system error code, that code (`ECONNREFUSED`).
 */
export function extractErrorType(text: string): string | null {
  const typescript = /\berror (TS\d{3,5})\b/.exec(text) ?? /\b(TS\d{4,5}):/.exec(text);
  if (typescript?.[1]) return typescript[1];

  const rustc = /\berror\[(E\d{4})\]/.exec(text);
  if (rustc?.[1]) return rustc[1];

  if (/\bpanicked at\b/.test(text) || /^panic: /m.test(text)) return "panic";
  if (/\bsegmentation fault\b|\bSIGSEGV\b/i.test(text)) return "SIGSEGV";

  // Python prints the raised exception last (after any chained ones); other runtimes print it first.
  if (/Traceback \(most recent call last\)/.test(text)) {
    const lines = text.split(/\r?\n/);
    for (let index = lines.length - 1; index >= 0; index -= 1) {
      const found = PYTHON_FINAL_LINE.exec(lines[index] ?? "");
      if (found?.[1]) return found[1];
    }
  }

  const jvmUncaught = JVM_UNCAUGHT.exec(text);
  if (jvmUncaught?.[1]) return jvmUncaught[1];

  // "Error in render: TypeError: ..." — a specific class beats a generic `Error` prefix.
  const specific = SPECIFIC_EXCEPTION.exec(text);
  if (specific?.[1]) return specific[1];

  const systemCode = NODE_SYSTEM_ERROR_CODE.exec(text);
  const bare = BARE_EXCEPTION.exec(text);
  if (bare?.[1]) return bare[1] === "Error" && systemCode?.[1] ? systemCode[1] : bare[1];
  return systemCode?.[1] ?? null;
}

function normalizeFunctionName(raw: string, preserveCase: boolean): string {
  const name = raw
    .trim()
    .replace(/^(?:async|new)\s+/, "")
    .replace(/^Object\./, "")
    .replace(/[<>]/g, "")
    .replace(/\s+/g, " ");
  return preserveCase ? name : name.toLowerCase();
}

/**
 * The method and its owner of a parsed frame: JVM/.NET/Python qualified names end in `Class.method`; elsewhere
 * the file stands for the class.
 */
export function frameOwnerAndMethod(frame: Pick<StackFrame, "functionName" | "file">): {
  owner: string;
  method: string;
} {
  const segments = frame.functionName.split(/[.:#/\\]+/).filter((segment) => segment.length > 0);
  const method = segments[segments.length - 1] ?? "";
  const owner = segments.length > 1 ? (segments[segments.length - 2] ?? "") : frame.file;
  return { owner, method };
}

/** Qualified names of the JVM's, .NET's and test harnesses' own code. */
const LIBRARY_FUNCTION =
  /^(?:java|javax|jdk|sun|com\.sun|kotlin|kotlinx|scala|junit|org\.junit|org\.hamcrest|org\.assertj|org\.testng|org\.opentest4j|org\.apache\.maven|org\.gradle|org\.apache\.tools\.ant|org\.spockframework|System|Microsoft|NUnit|Xunit)\./;
/**
 * Paths of installed dependencies and runtimes: node_modules, Node's internals (older Node prints its core
 * modules as a bare `module.js` or `internal/…js`, never with a directory of the machine's), Python's stdlib,
 * Go, Rust std.
 */
const LIBRARY_PATH =
  /^(?:internal[\\/][\w/.-]+|[\w-]+)\.js$|node_modules|^node:|^internal[\\/]|site-packages|dist-packages|[\\/]lib[\\/]python\d|^<frozen |[\\/]rustc[\\/]|[\\/]\.cargo[\\/]registry|[\\/]go[\\/]src[\\/]|[\\/]pkg[\\/]mod[\\/]|[\\/]gems[\\/]|[\\/]vendor[\\/]/;

export function isLibraryFrame(functionName: string, filePath: string): boolean {
  return LIBRARY_FUNCTION.test(functionName.trim()) || LIBRARY_PATH.test(filePath.trim());
}

function makeFrame(functionName: string, filePath: string, preserveCase: boolean): StackFrame {
  const file = pathBasename(filePath.trim().replace(/(?::\d+){1,2}$/, "")).replace(/[<>]/g, "");
  return {
    functionName: normalizeFunctionName(functionName, preserveCase),
    file: preserveCase ? file : file.toLowerCase(),
    library: isLibraryFrame(functionName, filePath),
  };
}

/**
 * Parses stack frames, innermost (closest to the throw site) first. Understands
 * Python, V8 (Node/Chrome/Workers), Firefox/Safari, JVM/.NET, Ruby, PHP, Go and
 * Rust backtraces; unknown lines are ignored.
 */
export function parseStackFrames(stackTrace: string, options: { preserveCase?: boolean } = {}): StackFrame[] {
  const preserveCase = options.preserveCase ?? false;
  const frame = (functionName: string, filePath: string) => makeFrame(functionName, filePath, preserveCase);
  const lines = stackTrace.split(/\r?\n/);
  const python: StackFrame[] = [];
  const others: StackFrame[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? "";
    const next = lines[index + 1] ?? "";

    const py = /^\s*File "([^"]+)", line \d+(?:, in (.+))?/.exec(line);
    if (py) {
      python.push(frame(py[2] ?? "", py[1] ?? ""));
      continue;
    }
    const v8WithName = /^\s*at (.+?) \((.+?)(?::\d+){0,2}\)\s*$/.exec(line);
    // `at async Promise.all (index 0)` names no file; it is skipped rather than recorded as file "index 0".
    if (v8WithName && !/[\\/:.]|^<\w+>$/.test(v8WithName[2] ?? "")) continue;
    if (v8WithName) {
      others.push(frame(v8WithName[1] ?? "", v8WithName[2] ?? ""));
      continue;
    }
    const dotnet = /^\s*at (.+?)\(.*\) in (.+?):line \d+/.exec(line);
    if (dotnet) {
      others.push(frame(dotnet[1] ?? "", dotnet[2] ?? ""));
      continue;
    }
    const v8Anonymous = /^\s*at (?:async )?((?:[A-Za-z]:\\|\/|\.{1,2}\/|node:|file:)\S+?)(?::\d+){0,2}\s*$/.exec(line);
    if (v8Anonymous) {
      others.push(frame("", v8Anonymous[1] ?? ""));
      continue;
    }
    const ruby = /^\s*(?:from\s+)?(\S+\.rb):\d+:in [`'](.+?)'/.exec(line);
    if (ruby) {
      others.push(frame(ruby[2] ?? "", ruby[1] ?? ""));
      continue;
    }
    const php = /^#\d+ (\S+?)\(\d+\): (.+?)\(/.exec(line);
    if (php) {
      others.push(frame(php[2] ?? "", php[1] ?? ""));
      continue;
    }
    const firefox = /^\s*([^@\s]*)@(.+?)(?::\d+){1,2}\s*$/.exec(line);
    if (firefox) {
      others.push(frame(firefox[1] ?? "", firefox[2] ?? ""));
      continue;
    }
    // The function-line pattern backtracks on long lines of parentheses, so it only runs below a `.go` location.
    const goFile = /^\s+(\S+\.go):\d+/.exec(next);
    const goFunction = goFile ? /^([\w./*()-]+?)\((?:[^()]|\([^()]*\))*\)$/.exec(line.trim()) : null;
    if (goFunction && goFile) {
      others.push(frame(goFunction[1] ?? "", goFile[1] ?? ""));
      index += 1;
      continue;
    }
    const rustFile = /^\s+at (\S+\.rs):\d+/.exec(next);
    const rustFunction = rustFile ? /^\s*\d+: (.+?)\s*$/.exec(line) : null;
    if (rustFunction && rustFile) {
      others.push(frame((rustFunction[1] ?? "").replace(/::h[0-9a-f]{16}$/, ""), rustFile[1] ?? ""));
      index += 1;
      continue;
    }
    // JVM frames: `at com.example.Service.method(Service.java:42)`.
    const jvm = /^\s*at ([\w$.<>/]+)\(([^():]*)(?::\d+)?\)/.exec(line);
    if (jvm) {
      others.push(frame(jvm[1] ?? "", jvm[2] ?? ""));
      continue;
    }
  }
  // Python lists the outermost call first.
  return [...python.reverse(), ...others];
}

const FRAME_LINE = /^\s*(?:at\s|File "|from\s\S+:\d+|#\d+\s)/;

/**
 * The message without any stack trace pasted into it, so that the same error
 * recorded with and without its trace fingerprints alike. For a Python
 * traceback that is the final exception line; otherwise the lines before the
 * first stack frame.
 */
export function messageWithoutTrace(message: string): string {
  const lines = message.split(/\r?\n/);
  if (/Traceback \(most recent call last\)/.test(message)) {
    for (let index = lines.length - 1; index >= 0; index -= 1) {
      const line = lines[index] ?? "";
      if (PYTHON_FINAL_LINE.test(line)) return line;
    }
  }
  const firstFrame = lines.findIndex((line) => FRAME_LINE.test(line));
  return firstFrame > 0 ? lines.slice(0, firstFrame).join("\n") : message;
}

function normalizeErrorTypeName(errorType: string): string {
  return errorType.trim().replace(/\s+/g, " ").toLowerCase();
}

/**
 * Identifiers in a message that name a different thing when they differ, so the fingerprint keeps them as
 * written: issue keys (`PROJ-123`, `GH-42`, `#1234`), CVE ids and version numbers (`v2.1`, `1.4.0`, `@1.2.3`).
 * Two reports that differ only in one of these are about different tickets, advisories or releases.
 */
const MEANINGFUL_IDENTIFIER =
  /\bCVE-\d{4}-\d{4,}\b|\b[A-Z][A-Z0-9]{1,9}-\d+\b|(?<![\w&])#\d+\b|(?<![\w.])v\d+(?:\.\d+)+\b|(?<=@)\d+(?:\.\d+){1,3}\b|(?<![\w.])\d+\.\d+\.\d+(?:[-+][\w.]+)?(?![\w.])/g;

/**
 * An assertion failure's message is its expected and actual values: the same assertion failing with other
 * values is another behaviour (in a deterministic test, another bug), so those values stay in its fingerprint.
 */
const ASSERTION_MESSAGE = /\bexpected\b[\s\S]*?\b(?:but (?:was|got|found)|got|actual|received|to (?:be|equal))\b/i;
const ASSERTION_TYPE = /assert|comparisonfailure/i;

/** Placeholder for the n-th kept identifier: survives normalisation untouched, then is put back. */
const keptMarker = (index: number) => `keptidentifier${index}x`;

function fingerprintMessage(type: string, rawMessage: string): string {
  const kept: string[] = [];
  const keep = (value: string) => {
    kept.push(value);
    return ` ${keptMarker(kept.length - 1)} `;
  };
  let message = messageWithoutTrace(rawMessage);
  if (ASSERTION_TYPE.test(type) || ASSERTION_MESSAGE.test(message)) {
    // Quoted literals and numbers stay; paths, URLs, timestamps, ids and addresses are still volatile.
    message = message.replace(
      /"(?:[^"\\\r\n]|\\.){0,200}"|'(?:[^'\\\r\n]|\\.){0,200}'|(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])/g,
      (value) => (looksLikePath(value.slice(1, -1)) ? value : keep(value)),
    );
  }
  message = message.replace(MEANINGFUL_IDENTIFIER, keep);
  let normalized = normalizeErrorText(message);
  normalized = normalized.replace(/keptidentifier(\d+)x/g, (_match, index: string) => kept[Number(index)] ?? "");
  normalized = normalized.replace(/\s+/g, " ").trim();
  if (type.length > 0 && normalized.startsWith(`${type}:`)) normalized = normalized.slice(type.length + 1).trim();
  return normalized;
}

/** Frames shown in a fingerprint: the throw site, then the innermost frames of the code's own. */
export const FINGERPRINT_OWN_FRAMES = 3;

/**
 * Canonical signature of an error: normalised type, normalised message (with a leading `Type:` prefix and any
 * pasted stack trace removed; issue keys, CVE ids, versions and an assertion's values kept as written) and the
 * frames where it happened as `function@file` (no directories, no line numbers): the throw site, then the three
 * innermost frames that are not the runtime's, a harness's or a dependency's. Harness frames (JUnit's
 * `Assert.fail`, pytest's runner) are the same for every failing test, so using them would merge different
 * failures. Returns the string to be hashed by the caller; it is stable across machines and edits that only
 * move lines. When no stack trace is given, frames are read from the message itself.
 */
export function errorFingerprint(input: ErrorFingerprintInput): string {
  const type = normalizeErrorTypeName(input.errorType);
  const message = fingerprintMessage(type, input.message);
  const frameSource = input.stackTrace && input.stackTrace.trim().length > 0 ? input.stackTrace : input.message;
  const parsed = parseStackFrames(frameSource);
  const own = parsed.filter((frame) => !frame.library).slice(0, FINGERPRINT_OWN_FRAMES);
  const throwSite = parsed[0];
  const frames = throwSite && throwSite.library ? [throwSite, ...own] : own.length ? own : parsed.slice(0, 3);
  const signature = frames.map((stackFrame) => `${stackFrame.functionName}@${stackFrame.file}`);
  return [`type:${type}`, `message:${message}`, `frames:${signature.join(" | ")}`].join("\n");
}
