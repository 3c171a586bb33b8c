/**
 * gitleaks' default rule set, run over free text.
 *
 * The rules are data (secret-rules/gitleaks.json, converted from gitleaks' config/gitleaks.toml by
 * scripts/gitleaks-rules.py; MIT licence in secret-rules/LICENSE.gitleaks) so that the hundreds of vendor token
 * formats are maintained upstream rather than by hand here. Semantics follow gitleaks: a rule runs only when one of
 * its keywords occurs in the text, the secret is the rule's `secretGroup` (else the first group that matched, else
 * the whole match), a secret below the rule's Shannon entropy is ignored, and a secret an allowlist (regex on the
 * secret, match or line; stopwords) or the global allowlist accepts is not one.
 */
import data from "./secret-rules/gitleaks.json";

export interface SecretSpan {
  start: number;
  end: number;
  kind: string;
}

interface JsPattern {
  source: string;
  flags: string;
}

interface RuleData extends JsPattern {
  id: string;
  keywords: string[];
  entropy?: number;
  secretGroup?: number;
  allowlists?: Array<{ target: string; regexes: JsPattern[]; stopwords?: string[] }>;
}

interface CompiledRule {
  id: string;
  keywords: string[];
  entropy: number;
  secretGroup: number | null;
  pattern: RegExp;
  allowlists: Array<{ target: string; regexes: RegExp[]; stopwords: string[] }>;
}

/** Where the rules came from, for docs and the bench. */
export const GITLEAKS_SOURCE: string = data.source;

// Compiled once: 221 patterns are too many to build per call. The global patterns are only used through
// `exec` loops that set `lastIndex` first and run synchronously, so sharing them carries no state between calls.
const RULES: readonly CompiledRule[] = (data.rules as RuleData[]).map((rule) => ({
  id: rule.id,
  keywords: rule.keywords,
  entropy: rule.entropy ?? 0,
  secretGroup: rule.secretGroup ?? null,
  pattern: new RegExp(rule.source, `${rule.flags}gd`),
  allowlists: (rule.allowlists ?? []).map((list) => ({
    target: list.target,
    regexes: list.regexes.map((r) => new RegExp(r.source, r.flags)),
    stopwords: list.stopwords ?? [],
  })),
}));
const GLOBAL_ALLOW: readonly RegExp[] = data.global.regexes.map((r: JsPattern) => new RegExp(r.source, r.flags));
const GLOBAL_STOPWORDS: readonly string[] = data.global.stopwords;

export const GITLEAKS_RULE_COUNT = RULES.length;

/** Shannon entropy in bits per character, as gitleaks computes it. */
export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

function lineAround(text: string, start: number, end: number): string {
  const from = text.lastIndexOf("\n", start - 1) + 1;
  const to = text.indexOf("\n", end);
  return text.slice(from, to === -1 ? text.length : to);
}

function allowed(rule: CompiledRule, secret: string, match: string, line: string): boolean {
  const lower = secret.toLowerCase();
  if (GLOBAL_ALLOW.some((re) => re.test(secret))) return true;
  if (GLOBAL_STOPWORDS.some((word) => lower.includes(word))) return true;
  for (const list of rule.allowlists) {
    const target = list.target === "match" ? match : list.target === "line" ? line : secret;
    if (list.regexes.some((re) => re.test(target))) return true;
    if (list.stopwords.some((word) => lower.includes(word))) return true;
  }
  return false;
}

/** The secrets gitleaks' rules find in `text`, as spans of `text` (possibly overlapping). */
export function gitleaksSpans(text: string): SecretSpan[] {
  const lower = text.toLowerCase();
  const spans: SecretSpan[] = [];
  for (const rule of RULES) {
    if (rule.keywords.length > 0 && !rule.keywords.some((k) => lower.includes(k))) continue;
    const re = rule.pattern;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex += 1;
        continue;
      }
      const group = secretGroupOf(rule, m);
      const [start, end] = group === 0 ? [m.index, m.index + m[0].length] : (m.indices?.[group] ?? [m.index, 0]);
      if (end <= start) continue;
      const secret = text.slice(start, end);
      if (secret.startsWith("[REDACTED:")) continue;
      if (rule.entropy > 0 && shannonEntropy(secret) < rule.entropy) continue;
      if (allowed(rule, secret, m[0], lineAround(text, m.index, m.index + m[0].length))) continue;
      spans.push({ start, end, kind: rule.id });
    }
  }
  return spans;
}

function secretGroupOf(rule: CompiledRule, m: RegExpExecArray): number {
  if (rule.secretGroup !== null && m[rule.secretGroup] !== undefined) return rule.secretGroup;
  for (let g = 1; g < m.length; g++) if (m[g]) return g;
  return 0;
}
