/**
 * Secret redaction for text that is about to be stored as project memory.
 *
 * Everything an agent records (error messages, stack traces, decisions, notes)
 * may contain credentials pasted from a terminal or a config file. Memory is
 * long-lived and searchable, so secrets are replaced before storage with
 * `[REDACTED:<kind>]`, keeping enough context (key names, URL hosts) for the
 * text to stay useful.
 */

export type SecretKind =
  | "private_key"
  | "aws_access_key"
  | "github_token"
  | "anthropic_key"
  | "openai_key"
  | "stripe_key"
  | "slack_token"
  | "google_api_key"
  | "jwt"
  | "url_password"
  | "bearer_token"
  | "basic_auth"
  | "aws_secret"
  | "generic_secret";

export interface RedactionCount {
  kind: SecretKind;
  count: number;
}

export interface RedactionResult {
  text: string;
  redactions: RedactionCount[];
}

/**
 * The order in which rules run. Unambiguous token formats run first so that a
 * value is reported under its most specific kind; contextual rules (URL
 * passwords, Authorization headers, `key = value` assignments) run afterwards
 * and skip values that are already placeholders.
 */
export const SECRET_KINDS: readonly SecretKind[] = [
  "private_key",
  "aws_access_key",
  "github_token",
  "anthropic_key",
  "openai_key",
  "stripe_key",
  "slack_token",
  "google_api_key",
  "jwt",
  "url_password",
  "bearer_token",
  "basic_auth",
  "aws_secret",
  "generic_secret",
];

export function redactionPlaceholder(kind: SecretKind): string {
  return `[REDACTED:${kind}]`;
}

const PLACEHOLDER_PREFIX = "[REDACTED:";

interface RedactionRule {
  kind: SecretKind;
  /** Built per call: global RegExp objects carry `lastIndex`, so sharing them would be shared mutable state. */
  pattern: () => RegExp;
  /**
   * Returns the replacement, or `null` to keep the match unchanged (a false positive).
   * `following` is the character right after the match, to tell `token = getToken()` from a literal.
   */
  replace: (match: string, groups: Array<string | undefined>, following: string) => string | null;
}

function wholeMatch(kind: SecretKind): RedactionRule["replace"] {
  return () => redactionPlaceholder(kind);
}

/** Key names whose values are credentials. The name must END with one of these, so `password_hash` or `tokenizer` do not qualify. */
const SECRET_KEY_WORDS =
  "password|passwd|passphrase|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|signing[_-]?key|encryption[_-]?key";

// Token rules start with a lookbehind over the token's own characters rather than `\b`: a match can then
// only begin at the start of a run, which keeps long runs such as `sk-sk-sk-…` linear instead of quadratic.
const RULES: readonly RedactionRule[] = [
  {
    kind: "private_key",
    // A block cut off by truncation (no END line) is still a key: redact to the end of the text.
    pattern: () =>
      /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|[\s\S]*$)/g,
    replace: wholeMatch("private_key"),
  },
  {
    kind: "aws_access_key",
    pattern: () => /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
    replace: wholeMatch("aws_access_key"),
  },
  {
    kind: "github_token",
    pattern: () => /\b(?:gh[pousr]_[A-Za-z0-9]{20,255}|github_pat_[A-Za-z0-9_]{20,255})\b/g,
    replace: wholeMatch("github_token"),
  },
  {
    kind: "anthropic_key",
    pattern: () => /(?<![A-Za-z0-9_-])sk-ant-[A-Za-z0-9_-]{20,}/g,
    replace: wholeMatch("anthropic_key"),
  },
  {
    kind: "openai_key",
    // Requiring a digit keeps hyphenated words such as `sk-learn-...` out.
    pattern: () => /(?<![A-Za-z0-9_-])sk-(?!ant-)(?:proj-|svcacct-|admin-)?(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}/g,
    replace: wholeMatch("openai_key"),
  },
  {
    kind: "stripe_key",
    // Publishable keys (pk_) are meant to be public and are left alone.
    pattern: () => /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}/g,
    replace: wholeMatch("stripe_key"),
  },
  {
    kind: "slack_token",
    pattern: () => /(?<![A-Za-z0-9_-])xox[baprs]-[A-Za-z0-9-]{10,}/g,
    replace: wholeMatch("slack_token"),
  },
  {
    kind: "google_api_key",
    pattern: () => /(?<![0-9A-Za-z_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g,
    replace: wholeMatch("google_api_key"),
  },
  {
    kind: "jwt",
    // Signature may be empty for unsigned (`alg: none`) tokens.
    pattern: () => /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g,
    replace: wholeMatch("jwt"),
  },
  {
    kind: "url_password",
    // The user part excludes brackets so a token already redacted as the URL user is not re-read as `user:password`.
    pattern: () =>
      /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s:@/?#[\]]*):(?!\[REDACTED:)([^\s/?#]+)@(?=[^\s@/?#]+)/gi,
    replace: (_match, [scheme, user]) => `${scheme ?? ""}${user ?? ""}:${redactionPlaceholder("url_password")}@`,
  },
  {
    kind: "bearer_token",
    // In an Authorization header any credential is secret; a bare "Bearer" needs a long, token-like value
    // so that prose such as "Bearer authentication" survives.
    pattern: () =>
      /(\bauthorization["']?\s*[:=]\s*["']?\s*bearer\s+)(?!\[REDACTED:)([A-Za-z0-9._~+/=-]+)|(\b[Bb]earer\s+)(?!\[REDACTED:)(?=[A-Za-z0-9._~+/=-]*\d)([A-Za-z0-9._~+/=-]{16,})/gi,
    replace: (_match, [headerPrefix, headerToken, barePrefix]) => {
      if (headerToken !== undefined) return `${headerPrefix ?? ""}${redactionPlaceholder("bearer_token")}`;
      return `${barePrefix ?? ""}${redactionPlaceholder("bearer_token")}`;
    },
  },
  {
    kind: "basic_auth",
    pattern: () => /(\bauthorization["']?\s*[:=]\s*["']?\s*basic\s+)(?!\[REDACTED:)([A-Za-z0-9+/=]{4,})/gi,
    replace: (_match, [prefix]) => `${prefix ?? ""}${redactionPlaceholder("basic_auth")}`,
  },
  {
    kind: "aws_secret",
    pattern: () =>
      /(\baws_?secret_?(?:access_?)?key["']?\s*(?::=|=>|=|:)\s*["']?)(?!\[REDACTED:)([A-Za-z0-9/+=]{8,})/gi,
    replace: (_match, [prefix]) => `${prefix ?? ""}${redactionPlaceholder("aws_secret")}`,
  },
  {
    kind: "generic_secret",
    pattern: () =>
      new RegExp(
        // key (any identifier ending in a secret word), separator, then a quoted or bare value
        `(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]*?(?:${SECRET_KEY_WORDS}))(?![A-Za-z0-9_-])` +
          `(["']?[ \\t]*(?::=|=>|=(?!=)|:(?!:))[ \\t]*)` +
          `(?:(["'\`])((?:(?!\\3)[^\\\\\\r\\n]|\\\\.)*)\\3|([^\\s"'\`,;&(){}\\[\\]<>]+))`,
        "gi",
      ),
    replace: (_match, [key, separator, quote, quotedValue, bareValue], following) =>
      redactGenericAssignment(key ?? "", separator ?? "", quote, quotedValue, bareValue, following),
  },
];

const CODE_LITERAL_WORDS = new Set(
  "null none nil undefined true false string number boolean required optional".split(" "),
);

/** `a.b.c` — a property access in code, not a credential. */
const MEMBER_ACCESS = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;
const FILE_PATH = /^(?:~|\.{1,2})?\/[\w.-]+(?:\/[\w.-]+)+$/;
const MASKED_VALUE = /^[*xX•.#-]+$/;

/**
 * Decides whether the value of a `secret-looking-key = value` assignment is a literal
 * credential (redact) or ordinary code/config (keep), e.g. `token = getToken()`.
 */
function redactGenericAssignment(
  key: string,
  separator: string,
  quote: string | undefined,
  quotedValue: string | undefined,
  bareValue: string | undefined,
  following: string,
): string | null {
  const placeholder = redactionPlaceholder("generic_secret");
  if (quote !== undefined && quotedValue !== undefined) {
    return isQuotedSecret(quotedValue) ? `${key}${separator}${quote}${placeholder}${quote}` : null;
  }
  if (bareValue === undefined) return null;
  const envStyle = /^[A-Z0-9_]+$/.test(key) && separator === "=";
  return isBareSecret(bareValue, envStyle, following) ? `${key}${separator}${placeholder}` : null;
}

function isQuotedSecret(value: string): boolean {
  if (value.length < 6) return false;
  if (value.startsWith(PLACEHOLDER_PREFIX)) return false;
  if (MASKED_VALUE.test(value)) return false;
  // Template strings are built from variables, not literal credentials.
  if (/\$\{|\{\{|#\{/.test(value)) return false;
  if (FILE_PATH.test(value)) return false;
  return true;
}

function isBareSecret(value: string, envStyle: boolean, following: string): boolean {
  if (value.length < 8) return false;
  if (following.startsWith("(") || following.startsWith(".")) return false;
  if (/^[$%@&*]/.test(value)) return false;
  if (CODE_LITERAL_WORDS.has(value.toLowerCase())) return false;
  if (/^\d+(?:\.\d+)?$/.test(value)) return false;
  if (MEMBER_ACCESS.test(value)) return false;
  if (FILE_PATH.test(value)) return false;
  if (MASKED_VALUE.test(value)) return false;
  // A plain identifier (`TokenType`, `someVariable`) is code unless it is an env-file line.
  const looksLikeIdentifier = /^[A-Za-z_]+$/.test(value);
  return envStyle || !looksLikeIdentifier;
}

function applyRule(text: string, rule: RedactionRule): { text: string; count: number } {
  let count = 0;
  const replaced = text.replace(rule.pattern(), (match: string, ...rest: unknown[]) => {
    // String.replace passes (match, ...groups, offset, input); none of the rules use named groups.
    const offset = rest[rest.length - 2] as number;
    const input = rest[rest.length - 1] as string;
    const groups = rest.slice(0, -2) as Array<string | undefined>;
    const following = input.charAt(offset + match.length);
    const replacement = rule.replace(match, groups, following);
    if (replacement === null) return match;
    count += 1;
    return replacement;
  });
  return { text: replaced, count };
}

export function redactSecrets(text: string): RedactionResult {
  let current = text;
  const redactions: RedactionCount[] = [];
  for (const rule of RULES) {
    const result = applyRule(current, rule);
    current = result.text;
    if (result.count > 0) redactions.push({ kind: rule.kind, count: result.count });
  }
  return { text: current, redactions };
}
