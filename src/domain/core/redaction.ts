/**
 * Secret redaction for text that is about to be stored as project memory.
 *
 * Everything an agent records (error messages, stack traces, decisions, notes)
 * may contain credentials pasted from a terminal or a config file. Memory is
 * long-lived and searchable, so secrets are replaced before storage with
 * `[REDACTED:<kind>]`, keeping enough context (key names, URL hosts) for the
 * text to stay useful.
 */

import { gitleaksSpans, shannonEntropy } from "./secret-rules";
import { redactCookieHeader, redactGenericAssignment, redactionPlaceholder } from "./secret-values";

export { redactionPlaceholder };

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
  | "telegram_bot_token"
  | "vendor_token"
  | "webhook_url"
  | "url_token"
  | "authorization"
  | "cookie"
  | "netrc_password"
  | "generic_secret";

export interface RedactionCount {
  /** One of SECRET_KINDS, or the id of the gitleaks rule that found it (e.g. `sendgrid-api-token`). */
  kind: string;
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
  "telegram_bot_token",
  "vendor_token",
  "webhook_url",
  "url_password",
  "url_token",
  "bearer_token",
  "basic_auth",
  "authorization",
  "cookie",
  "netrc_password",
  "aws_secret",
  "generic_secret",
];

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

/**
 * Key names whose values are credentials. The name must END with one of these, so `password_hash` or `tokenizer` do
 * not qualify. Azure's `AccountKey`/`SharedAccessKey`, signed-URL `sig`/`signature`, session cookies and DSNs are
 * credentials by another name.
 */
const SECRET_KEY_WORDS =
  "password|passwd|passphrase|pwd|pass|secret|token|api[_-]?key|apikey|access[_-]?key|secret[_-]?key|private[_-]?key|" +
  "signing[_-]?key|encryption[_-]?key|account[_-]?key|shared[_-]?access[_-]?key|master[_-]?key|auth|credentials?|" +
  "sig|signature|session[_-]?id|sessionid|session[_-]?key|sid|csrf[_-]?token|xsrf[_-]?token|dsn|" +
  "connection[_-]?string|webhook[_-]?url";

// Token rules start with a lookbehind over the token's own characters rather than `\b`: a match can then
// only begin at the start of a run, which keeps long runs such as `sk-sk-sk-…` linear instead of quadratic.
const TOKEN_RULES: readonly RedactionRule[] = [
  {
    kind: "private_key",
    // PEM and PGP (`… PRIVATE KEY BLOCK-----`). A block cut off by truncation (no END line) is still a key: redact to
    // the end of the text.
    pattern: () =>
      /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|[\s\S]*$)/g,
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
    // Publishable keys (pk_) are meant to be public and are left alone; webhook signing secrets (whsec_) are not.
    pattern: () => /\b(?:(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9+/=]{16,})/g,
    replace: wholeMatch("stripe_key"),
  },
  {
    kind: "slack_token",
    pattern: () => /(?<![A-Za-z0-9_-])(?:xox[abeoprs]|xapp)-[A-Za-z0-9-]{10,}/g,
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
    kind: "telegram_bot_token",
    // gitleaks only finds these next to the word "telegram"; the shape (bot id, `:AA`, 33 more) is distinctive.
    pattern: () => /(?<![A-Za-z0-9_:-])\d{6,12}:AA[A-Za-z0-9_-]{31,40}(?![A-Za-z0-9_-])/g,
    replace: wholeMatch("telegram_bot_token"),
  },
  {
    kind: "vendor_token",
    // Distinctive prefixes gitleaks has no rule for, finds only next to the vendor's name, or (npm_, Azure AD client
    // secrets) only between quotes or spaces, not inside a path.
    pattern: () =>
      /\b(?:sq0csp-[\w-]{40,50}|dckr_pat_[\w-]{20,40}|NRAK-[A-Z0-9]{27}|npm_[A-Za-z0-9]{36})(?![\w-])|(?<![\w~.])[\w~.]{3}\dQ~[\w~.-]{31,34}(?![\w~-])/g,
    replace: wholeMatch("vendor_token"),
  },
  {
    kind: "webhook_url",
    // Whoever has the URL can post: the token in the path is the credential (Slack's is a gitleaks rule).
    pattern: () =>
      /(https?:\/\/(?:(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/|[\w.-]+\.webhook\.office\.com\/webhookb2\/))([\w@/-]{20,})/g,
    replace: (_match, [prefix]) => `${prefix ?? ""}${redactionPlaceholder("webhook_url")}`,
  },
];

// Contextual rules run after the token formats and skip values that are already placeholders.
const CONTEXT_RULES: readonly RedactionRule[] = [
  {
    kind: "url_password",
    // The user part excludes brackets so a token already redacted as the URL user is not re-read as `user:password`.
    pattern: () =>
      /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s:@/?#[\]]*):(?!\[REDACTED:)([^\s/?#]+)@(?=[^\s@/?#]+)/gi,
    replace: (_match, [scheme, user]) => `${scheme ?? ""}${user ?? ""}:${redactionPlaceholder("url_password")}@`,
  },
  {
    kind: "url_token",
    // A URL whose user part is a key (Sentry DSNs, `https://<token>@host`); a plain login name stays.
    pattern: () =>
      /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,30}:\/\/)(?!\[REDACTED:)([A-Za-z0-9_.~%-]{16,})@(?=[^\s@/?#]+)/gi,
    replace: (_match, [scheme, user]) =>
      user !== undefined && /\d/.test(user) && /[A-Za-z]/.test(user) && shannonEntropy(user) >= 3
        ? `${scheme ?? ""}${redactionPlaceholder("url_token")}@`
        : null,
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
    kind: "authorization",
    // Another known scheme (`Token`, `Digest`, `SSWS`, `AWS4-HMAC-SHA256`, …) or none (a long value with a digit): the
    // header's value is a credential. Unknown words stay, so `Authorization: denied for bob` survives.
    pattern: () =>
      /(\b(?:proxy-)?authorization["']?\s*[:=]\s*["']?\s*)(?:((?:token|digest|ssws|negotiate|ntlm|hoba|mutual|vapid|dpop|gnap|hmac|hawk|mac|oauth|jwt|otp|apikey|api-key|key|sso-key|splunk|bot|aws4-hmac-sha256)\s+)(?!\[REDACTED:)([^\s"'`,;]{3,})|(?!\[REDACTED:)(?=[^\s"'`,;]*\d)([^\s"'`,;]{16,}))/gi,
    replace: (_match, [prefix, scheme, credential]) =>
      `${prefix ?? ""}${credential !== undefined ? (scheme ?? "") : ""}${redactionPlaceholder("authorization")}`,
  },
  {
    kind: "cookie",
    // A cookie header carries session credentials: every value of `Cookie:`, the value set by `Set-Cookie:`.
    pattern: () => /(\b(set-)?cookie["']?\s*:\s*)([^\r\n]+)/gi,
    replace: (_match, [prefix, set, value]) => redactCookieHeader(prefix ?? "", set !== undefined, value ?? ""),
  },
  {
    kind: "netrc_password",
    // .netrc / _netrc: `machine host login name password value`, on one line or several.
    pattern: () => /(\b(?:machine\s+\S+|default)(?:\s+(?:login|account)\s+\S+)*\s+password\s+)(?!\[REDACTED:)(\S+)/g,
    replace: (_match, [prefix]) => `${prefix ?? ""}${redactionPlaceholder("netrc_password")}`,
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

/** Replaces gitleaks' findings (merged where they overlap), each under its rule id. */
function applyGitleaks(text: string, redactions: RedactionCount[]): string {
  const spans = gitleaksSpans(text).sort((a, b) => a.start - b.start || b.end - a.end);
  if (spans.length === 0) return text;
  let out = "";
  let at = 0;
  const counts = new Map<string, number>();
  for (const span of spans) {
    if (span.start < at) {
      at = Math.max(at, span.end);
      continue;
    }
    out += text.slice(at, span.start) + redactionPlaceholder(span.kind);
    at = span.end;
    counts.set(span.kind, (counts.get(span.kind) ?? 0) + 1);
  }
  for (const [kind, count] of counts) redactions.push({ kind, count });
  return out + text.slice(at);
}

export function redactSecrets(text: string): RedactionResult {
  let current = text;
  const redactions: RedactionCount[] = [];
  const run = (rules: readonly RedactionRule[]) => {
    for (const rule of rules) {
      const result = applyRule(current, rule);
      current = result.text;
      if (result.count > 0) redactions.push({ kind: rule.kind, count: result.count });
    }
  };
  run(TOKEN_RULES);
  run(CONTEXT_RULES);
  // gitleaks last: its vendor formats fill the gaps, and its generic assignment rule backs up ours.
  current = applyGitleaks(current, redactions);
  return { text: current, redactions: canonicalOrder(redactions) };
}

/** Hand-kept kinds in SECRET_KINDS order, then gitleaks' rule ids alphabetically; one entry per kind. */
function canonicalOrder(redactions: RedactionCount[]): RedactionCount[] {
  const merged = new Map<string, number>();
  for (const r of redactions) merged.set(r.kind, (merged.get(r.kind) ?? 0) + r.count);
  const rank = (kind: string) => {
    const i = (SECRET_KINDS as readonly string[]).indexOf(kind);
    return i === -1 ? SECRET_KINDS.length : i;
  };
  return [...merged]
    .map(([kind, count]) => ({ kind, count }))
    .sort((a, b) => rank(a.kind) - rank(b.kind) || a.kind.localeCompare(b.kind));
}
