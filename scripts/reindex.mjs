// Rebuilds a project's error vectors (after changing EMBEDDING_* or losing the vector index) and waits until
// the queue consumer has built them, printing progress.
// Usage: npm run reindex -- --project api-service [--only-pending] [--url http://127.0.0.1:8787] [--token …]
//        (the token defaults to $CODING_MEMORY_TOKEN; --no-wait returns once the jobs are queued)
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";

const { values } = parseArgs({
  options: {
    project: { type: "string" },
    url: { type: "string", default: process.env.CODING_MEMORY_URL ?? "http://127.0.0.1:8787" },
    token: { type: "string", default: process.env.CODING_MEMORY_TOKEN },
    "only-pending": { type: "boolean", default: false },
    "no-wait": { type: "boolean", default: false },
  },
});
if (!values.project || !values.token) {
  console.error("usage: npm run reindex -- --project <id> [--only-pending] [--url <server>] [--token <token>]");
  console.error("       the token may also come from CODING_MEMORY_TOKEN (see `npm run token -- create`)");
  process.exit(2);
}
const base = `${values.url.replace(/\/$/, "")}/api/v1/projects/${encodeURIComponent(values.project)}/errors`;
const headers = { Authorization: `Bearer ${values.token}`, "Content-Type": "application/json" };

/** @param {Response} res */
async function body(res) {
  const json = await res.json().catch(() => ({}));
  if (!res.ok) {
    console.error(`${res.status}: ${json?.error?.message ?? JSON.stringify(json)}`);
    process.exit(1);
  }
  return json;
}

const queued = await body(
  await fetch(`${base}/reindex`, {
    method: "POST",
    headers,
    body: JSON.stringify({ only_pending: values["only-pending"] }),
  }),
);
console.log(`queued ${queued.queued} errors in ${queued.jobs} jobs for model ${queued.model}`);
if (values["no-wait"]) process.exit(0);
for (;;) {
  const status = await body(await fetch(`${base}/index-status`, { headers }));
  console.log(`indexed ${status.indexed}/${status.total}, pending ${status.pending}, failed ${status.failed}`);
  if (status.pending === 0) {
    if (status.failed > 0) {
      console.error(`${status.failed} errors failed after their retries; see the Worker logs, then run again.`);
      process.exit(1);
    }
    break;
  }
  await sleep(2000);
}
