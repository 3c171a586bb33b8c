/**
 * Redaction of whole records, so that no text field can be forgotten.
 *
 * `redactFields` walks a value (plain objects and arrays, any depth) and redacts every string in it, except fields
 * that by name are identifiers, hashes or timestamps (which must stay exact and never hold pasted text).
 * `redactingPort` wraps a port (a store, a queue, an embedder) so that every argument of every method goes through
 * `redactFields` before the adapter sees it: the composition root wraps every port that persists, indexes, embeds
 * or queues project text, and a field added to a record later is covered without anyone remembering it.
 */
import { redactSecrets, type RedactionCount } from "./redaction";

/** Field names whose values are not free text: ids, content hashes, timestamps, paging cursors. */
const NON_TEXT_FIELD = /^(?:id|ids|fingerprint|hash|sha256|cursor)$|(?:Id|Ids|Hash|At)$/;

export type RedactionListener = (field: string, redaction: RedactionCount) => void;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of `value` with every string redacted (binary data, class instances and non-text fields are passed through
 * as they are). `onRedact` hears each redaction with the dotted path of its field.
 */
export function redactFields<T>(value: T, onRedact?: RedactionListener, path = ""): T {
  if (typeof value === "string") {
    const result = redactSecrets(value);
    if (onRedact) for (const r of result.redactions) onRedact(path, r);
    return result.text as T;
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown) => redactFields(item, onRedact, path)) as T;
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(value)) {
      out[key] = NON_TEXT_FIELD.test(key) ? field : redactFields(field, onRedact, path ? `${path}.${key}` : key);
    }
    return out as T;
  }
  return value;
}

/**
 * `port` with every method's arguments redacted first. Positional string arguments are redacted too: an id or slug
 * has no secret shape and comes through unchanged, while a summary or a search query is cleaned.
 */
export function redactingPort<T extends object>(port: T): T {
  return new Proxy(port, {
    get(target, property, receiver) {
      const member = Reflect.get(target, property, receiver) as unknown;
      if (typeof member !== "function") return member;
      return (...args: unknown[]) =>
        (member as (...a: unknown[]) => unknown).apply(
          target,
          args.map((arg) => redactFields(arg)),
        );
    },
  });
}
