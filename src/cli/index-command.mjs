// `coding-memory index [dir]`: uploads the repository's changed files to the project's code index. The server's
// manifest (path → content hash) says what it already has, so only new and changed files are sent, and files
// gone from the repository are deleted from the index. Batches are bounded by count and bytes.
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** The server's limits (README "Code index"): 500 files and 8 MiB per request, 1 MiB characters per file. */
export const MAX_FILE_CHARS = 1_048_576;
const DEFAULT_BATCH_FILES = 200;
const BATCH_BYTES = 4 * 1_048_576;

/**
 * @param {{
 *   api: import("./api.mjs").ApiClient,
 *   project: string,
 *   root: string,
 *   files: string[],
 *   scope: string,
 *   batchFiles?: number,
 *   concurrency?: number,
 *   dryRun?: boolean,
 *   progress?: (done: number, total: number) => void,
 * }} options
 */
export async function indexRepository(options) {
  const started = performance.now();
  const project = encodeURIComponent(options.project);
  /** @type {{ files: Array<{ path: string, hash: string }> } | null} */
  let manifest;
  try {
    manifest = await options.api.request("GET", `/projects/${project}/files`);
  } catch (error) {
    // A project nobody wrote to yet does not exist; the first upload creates it.
    if (/** @type {{ status?: number }} */ (error).status !== 404) throw error;
    manifest = { files: [] };
  }
  const known = new Map((manifest?.files ?? []).map((file) => [file.path, file.hash]));

  /** @type {Array<{ path: string, content: string, bytes: number }>} */
  const changed = [];
  /** @type {Array<{ path: string, reason: string }>} */
  const skipped = [];
  let unchanged = 0;
  for (const path of options.files) {
    const full = join(options.root, path);
    if (statSync(full).size > MAX_FILE_CHARS * 4) {
      skipped.push({ path, reason: "larger than the 1 MiB per-file limit (generated or bundled code?)" });
      continue;
    }
    const content = readFileSync(full, "utf8");
    if (content.length > MAX_FILE_CHARS) {
      skipped.push({ path, reason: "larger than the 1 MiB per-file limit (generated or bundled code?)" });
      continue;
    }
    // The server hashes the UTF-8 of the text it receives; hashing the same text here makes them agree.
    const hash = createHash("sha256").update(content, "utf8").digest("hex");
    if (known.get(path) === hash) unchanged += 1;
    else changed.push({ path, content, bytes: Buffer.byteLength(content, "utf8") + path.length + 32 });
  }
  const local = new Set(options.files);
  const inScope = (/** @type {string} */ path) => !options.scope || path.startsWith(`${options.scope}/`);
  const deleted = [...known.keys()].filter((path) => inScope(path) && !local.has(path));

  /** @type {Array<typeof changed>} */
  const batches = [];
  let current = /** @type {typeof changed} */ ([]);
  let bytes = 0;
  const batchFiles = Math.min(options.batchFiles ?? DEFAULT_BATCH_FILES, 500);
  for (const file of changed) {
    if (current.length && (current.length >= batchFiles || bytes + file.bytes > BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += file.bytes;
  }
  if (current.length) batches.push(current);

  const summary = {
    project: options.project,
    files_seen: options.files.length,
    uploaded: changed.length,
    unchanged,
    deleted: deleted.length,
    skipped,
    parse_errors: /** @type {Array<{ path: string, reason: string }>} */ ([]),
    batches: batches.length,
    graph: /** @type {Record<string, number> | null} */ (null),
    files_total: known.size,
    seconds: 0,
    files_per_second: 0,
  };
  if (options.dryRun || (!changed.length && !deleted.length)) {
    summary.seconds = (performance.now() - started) / 1000;
    return { ...summary, changed: changed.map((file) => file.path), deleted_paths: deleted };
  }

  /** @param {typeof changed} batch @param {string[]} deletions @param {boolean} last */
  const send = async (batch, deletions, last) => {
    const report = await options.api.request("POST", `/projects/${project}/files`, {
      files: batch.map(({ path, content }) => ({ path, content })),
      deleted: deletions,
      defer_graph: !last,
    });
    summary.parse_errors.push(...report.parse_errors);
    summary.files_total = report.files_total;
    if (report.graph) summary.graph = report.graph;
    return report;
  };

  // All batches but the last defer the graph rebuild; the last one (holding the deletions) builds it once.
  const lastBatch = batches.pop() ?? [];
  let done = 0;
  let next = 0;
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const worker = async () => {
    while (next < batches.length) {
      const batch = /** @type {typeof changed} */ (batches[next++]);
      await send(batch, [], false);
      done += batch.length;
      options.progress?.(done, changed.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  for (let start = 0; start < Math.max(deleted.length, 1); start += 5000) {
    const finalChunk = start + 5000 >= deleted.length;
    await send(start === 0 ? lastBatch : [], deleted.slice(start, start + 5000), finalChunk);
  }
  done += lastBatch.length;
  options.progress?.(done, changed.length);
  summary.seconds = (performance.now() - started) / 1000;
  summary.files_per_second = Math.round(changed.length / summary.seconds);
  return summary;
}
