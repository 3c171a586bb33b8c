import { redactFields } from "./redact-fields";
import { redactSecrets } from "./redaction";

/** One field of a caller's input that had secrets removed: reported back so the caller knows what was stored. */
export interface Redaction {
  field: string;
  kind: string;
  count: number;
}

/**
 * Secrets are removed before anything is stored; the caller is told which fields were touched. One per call:
 * it collects the redactions of every field the use case cleans.
 */
export class Redactor {
  readonly redactions: Redaction[] = [];
  clean(field: string, text: string): string;
  clean(field: string, text: string | null | undefined): string | null;
  clean(field: string, text: string | null | undefined): string | null {
    if (text === null || text === undefined) return null;
    const result = redactSecrets(text);
    for (const r of result.redactions) this.redactions.push({ field, kind: r.kind, count: r.count });
    return result.text;
  }
  cleanList(field: string, items: string[]): string[] {
    return items.map((item) => this.clean(field, item));
  }
  /** Every text field of a tool's input (tags, paths, types… as well as the prose), so none is forgotten. */
  record<T extends object>(input: T): T {
    return redactFields(input, (field, r) =>
      this.redactions.push({
        field: field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
        kind: r.kind,
        count: r.count,
      }),
    );
  }
}
