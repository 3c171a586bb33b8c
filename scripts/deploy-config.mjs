// What `npm run deploy` reads from and writes to wrangler.toml: the resources an environment binds, and the ids of
// the D1 database and KV namespace recorded in place. The file is parsed with smol-toml (a TOML 1.0 parser) to
// read it and to check every edit; the edit itself changes one value's text inside its table, so the file's
// comments, order and layout stay as the user wrote them.
import { parse } from "smol-toml";

/** Ids wrangler.toml ships with: a resource whose id is one of these has not been created yet. */
export const PLACEHOLDER_IDS = new Set(["00000000-0000-0000-0000-000000000000", "00000000000000000000000000000000"]);

/**
 * Properties of error vectors that queries filter on (src/domain/errors/indexing.ts errorVectorMetadata). Vectorize
 * filters only see vectors inserted after a property's metadata index exists, so they are created with the index.
 */
export const VECTOR_METADATA_INDEXES = [
  { property: "resolved", type: "boolean" },
  { property: "error_type", type: "string" },
];

/**
 * @typedef {{
 *   workerName: string,
 *   d1: Array<{ binding: string, name: string, id: string | null }>,
 *   kv: Array<{ binding: string, id: string | null, title: string }>,
 *   r2: string[],
 *   queues: string[],
 *   vectorize: Array<{ binding: string, name: string, dimensions: number }>,
 * }} Resources
 */

/**
 * The resources the environment binds.
 * @param {string} text wrangler.toml
 * @param {string} envName
 * @returns {Resources}
 */
export function resourcesOf(text, envName) {
  /** @type {any} */
  const config = parse(text);
  const env = config.env?.[envName];
  if (!env) throw new Error(`wrangler.toml has no [env.${envName}] environment.`);
  const workerName = String(env.name ?? config.name);
  const id = (/** @type {unknown} */ value) =>
    typeof value === "string" && value !== "" && !PLACEHOLDER_IDS.has(value) ? value : null;
  const list = (/** @type {unknown} */ value) => /** @type {any[]} */ (Array.isArray(value) ? value : []);
  const queues = new Set();
  for (const producer of list(env.queues?.producers)) queues.add(String(producer.queue));
  for (const consumer of list(env.queues?.consumers)) {
    queues.add(String(consumer.queue));
    if (consumer.dead_letter_queue) queues.add(String(consumer.dead_letter_queue));
  }
  const dimensions = Number(env.vars?.EMBEDDING_DIMENSIONS ?? 768);
  return {
    workerName,
    d1: list(env.d1_databases).map((db) => ({
      binding: String(db.binding),
      name: String(db.database_name),
      id: id(db.database_id),
    })),
    // A namespace's title is what finds it again on the next run: "<worker>-<binding>", as wrangler names the
    // resources it provisions itself.
    kv: list(env.kv_namespaces).map((kv) => ({
      binding: String(kv.binding),
      id: id(kv.id),
      title: `${workerName}-${String(kv.binding).toLowerCase().replaceAll("_", "-")}`,
    })),
    r2: list(env.r2_buckets).map((bucket) => String(bucket.bucket_name)),
    queues: [...queues],
    vectorize: list(env.vectorize).map((index) => ({
      binding: String(index.binding),
      name: String(index.index_name),
      dimensions,
    })),
  };
}

/**
 * wrangler.toml with `key = "value"` set in the `[[env.<envName>.<table>]]` entry whose binding is `binding`.
 * Only that line changes (or one line is added after `binding = …`); the result is parsed again and must hold
 * the value where it belongs, or nothing is returned changed.
 * @param {string} text
 * @param {{ envName: string, table: string, binding: string, key: string, value: string }} edit
 */
export function setBindingValue(text, { envName, table, binding, key, value }) {
  const header = `[[env.${envName}.${table}]]`;
  const lines = text.split("\n");
  const keyLine = new RegExp(`^(\\s*${key}\\s*=\\s*)("[^"]*"|'[^']*')(.*)$`);
  const bindingLine = new RegExp(`^\\s*binding\\s*=\\s*["']${escapeRegExp(binding)}["']\\s*(#.*)?$`);
  let changed = false;
  for (let start = 0; start < lines.length && !changed; start += 1) {
    if ((lines[start] ?? "").trim() !== header) continue;
    let end = start + 1;
    while (end < lines.length && !/^\s*\[/.test(lines[end] ?? "")) end += 1;
    const block = lines.slice(start + 1, end);
    const bindingAt = block.findIndex((line) => bindingLine.test(line));
    if (bindingAt < 0) continue;
    const keyAt = block.findIndex((line) => keyLine.test(line));
    if (keyAt >= 0) {
      lines[start + 1 + keyAt] = (lines[start + 1 + keyAt] ?? "").replace(keyLine, `$1${JSON.stringify(value)}$3`);
    } else {
      lines.splice(start + 2 + bindingAt, 0, `${key} = ${JSON.stringify(value)}`);
    }
    changed = true;
  }
  if (!changed) throw new Error(`wrangler.toml: no ${header} entry with binding = "${binding}".`);
  const result = lines.join("\n");
  /** @type {any} */
  const reparsed = parse(result);
  const entry = /** @type {any[]} */ (reparsed.env?.[envName]?.[table] ?? []).find((item) => item.binding === binding);
  if (entry?.[key] !== value) throw new Error(`wrangler.toml: could not record ${key} of ${binding} (${header}).`);
  return result;
}

/** @param {string} text */
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
