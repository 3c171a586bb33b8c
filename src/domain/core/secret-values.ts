/**
 * The judgement calls of redaction: whether the value after a credential-looking key is a literal secret or code,
 * and which parts of a cookie header are values. Kept apart from the rule table in redaction.ts.
 */
import { shannonEntropy } from "./secret-rules";

export function redactionPlaceholder(kind: string): string {
  return `[REDACTED:${kind}]`;
}

const PLACEHOLDER_PREFIX = "[REDACTED:";

/** Keys that name a password: any literal value is one, however short or plain (`password=hunter`). */
const PASSWORD_KEY = /(?:^|[^a-z])(?:pass|pwd)|password|passwd|passphrase|^pass$/i;

export function redactCookieHeader(prefix: string, set: boolean, value: string): string | null {
  let changed = false;
  let first = true;
  const rewritten = value.replace(
    /(^|;\s*)([^=;\s]+)=([^;]*)/g,
    (pair: string, sep: string, name: string, v: string) => {
      const isValue = set ? first : true;
      first = false;
      if (!isValue || v.trim() === "" || v.startsWith(PLACEHOLDER_PREFIX)) return pair;
      changed = true;
      return `${sep}${name}=${redactionPlaceholder("cookie")}`;
    },
  );
  return changed ? `${prefix}${rewritten}` : null;
}

const CODE_LITERAL_WORDS = new Set(
  "null none nil undefined true false string number boolean required optional".split(" "),
);

/** Words that follow `password:` in messages about a password rather than in front of one. */
const PASSWORD_PROSE_WORDS = new Set(
  (
    "incorrect invalid wrong missing empty expired required too must is was should cannot can not does did mismatch " +
    "changed reset for authentication failed denied rejected field prompt the a an of and or to none null true false " +
    "string undefined str bytes optional set unset hidden redacted masked"
  ).split(" "),
);

/** `a.b.c` — a property access in code, not a credential. */
const MEMBER_ACCESS = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/;
const FILE_PATH = /^(?:~|\.{1,2})?\/[\w.-]+(?:\/[\w.-]+)+$/;
const MASKED_VALUE = /^[*xX•.#-]+$/;
/** camelCase, PascalCase, snake_case or SCREAMING_CASE words: an identifier in code. */
const WORDY_IDENTIFIER = /^(?:[A-Za-z][a-z]+(?:[A-Z][a-z]+)*|[a-z]+(?:_[a-z]+)*|[A-Z]+(?:_[A-Z]+)*)$/;

/**
 * Decides whether the value of a `secret-looking-key = value` assignment is a literal
 * credential (redact) or ordinary code/config (keep), e.g. `token = getToken()`.
 */
export function redactGenericAssignment(
  key: string,
  separator: string,
  quote: string | undefined,
  quotedValue: string | undefined,
  bareValue: string | undefined,
  following: string,
): string | null {
  const placeholder = redactionPlaceholder("generic_secret");
  const password = PASSWORD_KEY.test(key);
  if (quote !== undefined && quotedValue !== undefined) {
    return isQuotedSecret(quotedValue, password) ? `${key}${separator}${quote}${placeholder}${quote}` : null;
  }
  if (bareValue === undefined) return null;
  const envStyle = /^[A-Z0-9_]+$/.test(key) && separator === "=";
  return isBareSecret(bareValue, envStyle, password, following) ? `${key}${separator}${placeholder}` : null;
}

function isQuotedSecret(value: string, password: boolean): boolean {
  if (value.length < (password ? 1 : 6)) return false;
  if (value.startsWith(PLACEHOLDER_PREFIX)) return false;
  if (MASKED_VALUE.test(value)) return false;
  // Template strings are built from variables, not literal credentials.
  if (/\$\{|\{\{|#\{|^<[^>]*>$/.test(value)) return false;
  if (FILE_PATH.test(value)) return false;
  return true;
}

function isBareSecret(value: string, envStyle: boolean, password: boolean, following: string): boolean {
  if (value.length < (password ? 3 : 8)) return false;
  if (following.startsWith("(") || following.startsWith(".")) return false;
  if (/^[$%@&*]/.test(value)) return false;
  if (CODE_LITERAL_WORDS.has(value.toLowerCase())) return false;
  if (/^\d+(?:\.\d+)?$/.test(value) && !password) return false;
  if (MEMBER_ACCESS.test(value)) return false;
  if (FILE_PATH.test(value)) return false;
  if (MASKED_VALUE.test(value)) return false;
  if (/^<[^>]*>$/.test(value)) return false;
  // A password is whatever follows `password=`, unless the text is talking about the password.
  if (password) return !PASSWORD_PROSE_WORDS.has(value.toLowerCase().replace(/[.,:!]+$/, ""));
  if (envStyle) return true;
  // Letters only: a credential when it is long and random (high entropy, no word shape), code otherwise.
  if (/^[A-Za-z_]+$/.test(value))
    return value.length >= 16 && !WORDY_IDENTIFIER.test(value) && shannonEntropy(value) >= 3.5;
  return true;
}
