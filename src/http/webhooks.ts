import { Hono, type Context } from "hono";
import { z } from "zod";
import { buildServices, type Services } from "../composition/services";
import { timingSafeEqual } from "../auth/passwords";
import type { AfterCommitWarning } from "../domain/core/after-commit";
import { AppError } from "../domain/core/app-error";
import { sha256Hex, toHex } from "../domain/core/encoding";
import type { CiJobLog, CiReport, RecordedCiError } from "../domain/ci/ci-failures";
import type { Identity, Project } from "../domain/core/records";
import type { Env } from "../composition/env";
import type { WebhookConfig } from "../domain/ci/ports";
import { invalidInput } from "../mcp/run-tool";

/** CI logs are big; GitHub's payloads are not (logs are fetched separately). */
const MAX_BODY_BYTES = 5 * 1_048_576;

type WebhookEnv = { Bindings: Env };

async function hmacSha256Hex(secret: string, body: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return toHex(new Uint8Array(await crypto.subtle.sign("HMAC", key, body)));
}

/** `sha256=<hex>` of the raw body with the project's secret, compared in constant time. */
async function signatureValid(secret: string, body: Uint8Array, header: string | undefined): Promise<boolean> {
  if (!header) return false;
  const expected = new TextEncoder().encode(`sha256=${await hmacSha256Hex(secret, body)}`);
  return timingSafeEqual(expected, new TextEncoder().encode(header.trim()));
}

/** How far a generic delivery's signed timestamp may be from the server's clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The generic endpoint's signed timestamp (`X-Signature-Timestamp`, Unix seconds). The signature covers
 * `<timestamp>.<body>`, so a captured delivery cannot be re-sent with a fresh timestamp, and one older than the
 * tolerance is refused outright. Checked before the project is looked up: it says nothing about the project.
 */
function signedTimestamp(header: string | undefined, nowMs: number): string {
  const value = header?.trim() ?? "";
  if (!/^\d{1,12}$/.test(value)) {
    throw new AppError(
      "unauthorized",
      "X-Signature-Timestamp missing or not Unix seconds: sign `<timestamp>.<body>` and send the timestamp.",
      { details: { field: "X-Signature-Timestamp" } },
    );
  }
  if (Math.abs(nowMs / 1000 - Number(value)) > SIGNATURE_TOLERANCE_SECONDS) {
    throw new AppError(
      "unauthorized",
      `X-Signature-Timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS} s from the server's clock: a stale or ` +
        "replayed delivery is refused.",
      { details: { field: "X-Signature-Timestamp" } },
    );
  }
  return value;
}

function concat(prefix: string, body: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(prefix);
  const joined = new Uint8Array(head.length + body.length);
  joined.set(head);
  joined.set(body, head.length);
  return joined;
}

async function readBody(c: Context<WebhookEnv>): Promise<Uint8Array> {
  if (Number(c.req.header("Content-Length") ?? "0") > MAX_BODY_BYTES) {
    throw new AppError("payload_too_large", `body: over ${MAX_BODY_BYTES} bytes.`, { details: { field: "body" } });
  }
  const body = new Uint8Array(await c.req.arrayBuffer());
  if (body.length > MAX_BODY_BYTES) {
    throw new AppError("payload_too_large", `body: over ${MAX_BODY_BYTES} bytes.`, { details: { field: "body" } });
  }
  return body;
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch (cause) {
    throw new AppError("invalid_input", "body: malformed JSON.", { details: { field: "body" }, cause });
  }
}

/**
 * The webhook among the candidates whose secret signed the body. A plain project name can be several teams'
 * projects; only the right secret verifies, so a delivery can never land in a project whose secret it lacks.
 */
async function signedBy(
  candidates: WebhookConfig[],
  body: Uint8Array,
  header: string | undefined,
): Promise<WebhookConfig | null> {
  for (const config of candidates) if (await signatureValid(config.secret, body, header)) return config;
  return null;
}

/** The same refusal for an unknown project, no webhook, and a bad signature: nothing about the project leaks. */
function refused(): AppError {
  return new AppError("unauthorized", "Signature missing or invalid for this project's webhook secret.");
}

async function limited(env: Env, key: string): Promise<void> {
  if (env.RATE_LIMITS !== "off" && env.WEBHOOK_LIMITER && !(await env.WEBHOOK_LIMITER.limit({ key })).success) {
    throw new AppError("rate_limited", "Too many webhook deliveries for this project; retry in a minute.");
  }
}

function ciIdentity(config: WebhookConfig): { identity: Identity; project: Project } {
  return {
    identity: { userId: config.createdBy, scopes: ["memory:write"], teamId: null, projectId: config.projectId },
    project: { id: config.projectId, slug: config.projectSlug },
  };
}

/** The answer to a delivery: what was recorded, with its fixes. */
function recordedView(deliveryId: string, recorded: RecordedCiError[], warnings: AfterCommitWarning[] = []) {
  return {
    delivery_id: deliveryId,
    recorded: recorded.length,
    ...(warnings.length ? { warnings } : {}),
    errors: recorded.map((error) => ({
      error_id: error.errorId,
      error_type: error.errorType,
      message: error.message,
      file_path: error.filePath,
      line_number: error.lineNumber,
      job: error.job,
      recurring: error.recurring,
      occurrences: error.occurrences,
      known_solution: error.knownSolution,
      suggested_solutions: error.suggestedSolutions.map((s) => ({
        solution: s.solution,
        confidence: s.confidence,
        error_id: s.errorId,
      })),
    })),
  };
}

/**
 * Records a report once: a delivery id seen before (a redelivery, or a hook's spool sending an event again) is
 * answered 200 `duplicate` with nothing written.
 */
export async function recordOnce(
  c: Context,
  services: Services,
  { identity, project }: { identity: Identity; project: Project },
  report: CiReport,
) {
  try {
    const { recorded, warnings } = await services.ci.failures.record(identity, project, report);
    return c.json(recordedView(report.deliveryId, recorded, warnings), 201);
  } catch (error) {
    if (error instanceof AppError && error.code === "conflict" && error.details?.duplicate_delivery) {
      return c.json({ delivery_id: report.deliveryId, duplicate: true, recorded: 0 }, 200);
    }
    throw error;
  }
}

interface GitHubRun {
  id?: number;
  name?: string;
  head_sha?: string;
  conclusion?: string | null;
  html_url?: string;
  app?: { slug?: string };
  output?: { title?: string | null; summary?: string | null; text?: string | null };
}

interface GitHubPayload {
  action?: string;
  repository?: { full_name?: string };
  workflow_run?: GitHubRun;
  check_run?: GitHubRun;
}

/** The failed jobs a workflow_run or check_run delivery reports, or why the delivery is ignored. */
async function githubFailure(
  services: Services,
  event: string,
  payload: GitHubPayload,
  repository: string | null,
): Promise<{ jobs: CiJobLog[]; commit: string | null; url: string | null } | { ignored: string }> {
  const failed = (run: GitHubRun) => run.conclusion === "failure" || run.conclusion === "timed_out";
  if (event === "workflow_run" && payload.action === "completed" && payload.workflow_run) {
    const run = payload.workflow_run;
    if (!failed(run)) return { ignored: `workflow_run ${run.conclusion}` };
    const jobs =
      services.ci.githubLogs && repository
        ? await services.ci.githubLogs.failedJobs(repository, Number(run.id))
        : [{ job: String(run.name ?? "workflow"), log: "" }];
    return { jobs, commit: run.head_sha ?? null, url: run.html_url ?? null };
  }
  if (event === "check_run" && payload.action === "completed" && payload.check_run) {
    const check = payload.check_run;
    if (!failed(check)) return { ignored: `check_run ${check.conclusion}` };
    const output = [check.output?.title, check.output?.summary, check.output?.text].filter(Boolean).join("\n");
    const log =
      services.ci.githubLogs && repository && check.app?.slug === "github-actions"
        ? await services.ci.githubLogs.jobLog(repository, Number(check.id))
        : output;
    return {
      jobs: [{ job: String(check.name ?? "check"), log }],
      commit: check.head_sha ?? null,
      url: check.html_url ?? null,
    };
  }
  return { ignored: `${event}${payload.action ? ` ${payload.action}` : ""}` };
}

/** A job's reports arrive one per file (Surefire writes one per test class); more than this is not one job. */
const MAX_JUNIT_REPORTS = 200;

/**
 * `log` is the job's console output; `junit` its JUnit XML report(s), preferred when they hold failures. A `log`
 * that is itself a JUnit XML document is read as a report, so a CI that can only send one field still can.
 */
const genericBody = z
  .object({
    delivery_id: z.string().min(1).max(200).optional(),
    job: z.string().min(1).max(200),
    status: z.enum(["failure", "failed", "error", "success", "passed", "cancelled", "skipped"]),
    commit: z.string().max(100).nullish(),
    branch: z.string().max(200).nullish(),
    url: z.string().max(2000).nullish(),
    log: z.string().max(MAX_BODY_BYTES).optional(),
    junit: z
      .union([z.string().max(MAX_BODY_BYTES), z.array(z.string().max(MAX_BODY_BYTES)).max(MAX_JUNIT_REPORTS)])
      .optional(),
  })
  .refine((body) => body.log !== undefined || body.junit !== undefined, {
    message: "log or junit is required",
    path: ["log"],
  });

/** Deliveries from CI: GitHub webhooks, and a generic endpoint any CI can call with a job's log. */
export function webhookRoutes(): Hono<WebhookEnv> {
  const hooks = new Hono<WebhookEnv>();

  hooks.post("/webhooks/github", async (c) => {
    const body = await readBody(c);
    const services = buildServices(c.env);
    const payload = parseJson(body) as GitHubPayload;
    const projectParam = c.req.query("project");
    const repository = typeof payload.repository?.full_name === "string" ? payload.repository.full_name : null;
    const candidates = projectParam
      ? await services.ci.webhooks.forProjectRef(projectParam)
      : [repository ? await services.ci.webhooks.forRepository(repository) : null].filter((found) => found !== null);
    // X-Hub-Signature-256 has no timestamp: a replay is caught by delivery id and by body hash instead.
    const config = await signedBy(candidates, body, c.req.header("X-Hub-Signature-256"));
    if (!config) throw refused();
    await limited(c.env, `github:${config.projectId}`);
    const event = c.req.header("X-GitHub-Event") ?? "";
    const deliveryId = c.req.header("X-GitHub-Delivery") ?? "";
    if (!deliveryId) {
      throw new AppError("invalid_input", "X-GitHub-Delivery header missing.", {
        details: { field: "X-GitHub-Delivery" },
      });
    }
    if (event === "ping") return c.json({ pong: true, project: config.projectSlug });
    const failure = await githubFailure(services, event, payload, repository);
    if ("ignored" in failure) return c.json(failure, 202);
    const bodySha256 = await sha256Hex(body);
    return recordOnce(c, services, ciIdentity(config), { deliveryId, bodySha256, source: "github", event, ...failure });
  });

  hooks.post("/webhooks/ci/:project", async (c) => {
    const body = await readBody(c);
    const services = buildServices(c.env);
    const slug = c.req.param("project");
    let config: WebhookConfig | null;
    const authorization = c.req.header("Authorization");
    if (authorization) {
      // An API token with memory:write on the project instead of a signature (simple CI setups).
      const { identity, touch } = await services.accounts.tokens.authenticate(authorization, Date.now());
      if (touch) c.executionCtx.waitUntil(touch);
      const project = await services.projects.resolveProject(identity, slug, "write", { create: false });
      config = {
        projectId: project.id,
        projectSlug: project.slug,
        secret: "",
        repository: null,
        createdBy: identity.userId,
      };
    } else {
      const timestamp = signedTimestamp(c.req.header("X-Signature-Timestamp"), Date.now());
      const signed = concat(`${timestamp}.`, body);
      config = await signedBy(await services.ci.webhooks.forProjectRef(slug), signed, c.req.header("X-Signature-256"));
      if (!config) throw refused();
    }
    await limited(c.env, `ci:${config.projectId}`);
    const input = genericBody.safeParse(parseJson(body));
    if (!input.success) throw invalidInput(input.error);
    const { job, status, log = "", junit } = input.data;
    if (!["failure", "failed", "error"].includes(status)) return c.json({ ignored: `status ${status}` }, 202);
    const bodySha256 = await sha256Hex(body);
    const deliveryId = c.req.header("X-Delivery-Id") ?? input.data.delivery_id ?? `sha256:${bodySha256}`;
    return recordOnce(c, services, ciIdentity(config), {
      deliveryId,
      bodySha256,
      source: "ci",
      event: "job",
      commit: input.data.commit ?? null,
      jobs: [{ job, log, ...(junit === undefined ? {} : { junit: typeof junit === "string" ? [junit] : junit }) }],
      url: input.data.url ?? null,
    });
  });
  return hooks;
}
