/**
 * Failed job logs of a GitHub Actions run, through the REST API with a configured token (GITHUB_API_TOKEN).
 * `fetch` is injected: tests answer api.github.com with recorded-shape responses.
 */
import { AppError } from "../domain/core/app-error";
import type { CiJobLog } from "../domain/ci/ci-failures";
import type { CiLogSource } from "../domain/ci/ports";

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** A job log can be huge; the failures are at its end, and the parser needs no more than this. */
const MAX_LOG_CHARS = 2_000_000;
const MAX_JOBS = 10;

export class GitHubActionsLogs implements CiLogSource {
  constructor(
    private readonly token: string,
    private readonly fetch: Fetch,
    private readonly apiBase = "https://api.github.com",
  ) {}

  private async get(path: string): Promise<Response> {
    const response = await this.fetch(`${this.apiBase}${path}`, {
      headers: {
        Authorization: `Bearer ${this.token}`,
        Accept: "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "coding-memory",
      },
    });
    if (!response.ok) {
      throw new AppError("unavailable", `GitHub API ${path} answered ${response.status}.`, {
        details: { status: response.status },
      });
    }
    return response;
  }

  /** The logs of the run's failed jobs (latest attempt). */
  async failedJobs(repository: string, runId: number): Promise<CiJobLog[]> {
    const listing = (await (
      await this.get(`/repos/${repository}/actions/runs/${runId}/jobs?filter=latest&per_page=100`)
    ).json()) as {
      jobs?: Array<{ id: number; name: string; conclusion: string | null }>;
    };
    const failed = (listing.jobs ?? []).filter((job) => job.conclusion === "failure" || job.conclusion === "timed_out");
    const logs: CiJobLog[] = [];
    for (const job of failed.slice(0, MAX_JOBS))
      logs.push({ job: job.name, log: await this.jobLog(repository, job.id) });
    return logs;
  }

  /** One job's log text (the API redirects to a short-lived download URL, which fetch follows). */
  async jobLog(repository: string, jobId: number): Promise<string> {
    const text = await (await this.get(`/repos/${repository}/actions/jobs/${jobId}/logs`)).text();
    return text.length > MAX_LOG_CHARS ? text.slice(-MAX_LOG_CHARS) : text;
  }
}
