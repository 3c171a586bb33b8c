import { AppError, type AppErrorCode, httpStatusOf } from "../domain/core/app-error";

/** Reaches the API app in-process with the signed-in session's credential (wired in src/index.ts). */
export type CallApi = (request: Request) => Promise<Response>;

const CODES = new Set(Object.keys(httpStatusOf));

/**
 * The dashboard's only way to the memory: the REST API itself, called in-process as the signed-in user. Every
 * page and every curation therefore passes the same authorization point, validation and error wording as a
 * token holder's curl, and the dashboard holds no query or rule of its own to drift from the API's.
 */
export class DashboardApi {
  constructor(
    private readonly call: CallApi,
    private readonly origin: string,
  ) {}

  get<T>(path: string, query: Record<string, string | number | boolean | null | undefined> = {}): Promise<T> {
    const url = new URL(`/api/v1${path}`, this.origin);
    for (const [key, value] of Object.entries(query)) {
      if (value !== null && value !== undefined && value !== "") url.searchParams.set(key, String(value));
    }
    return this.json<T>(new Request(url));
  }

  send<T>(method: "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
    return this.json<T>(
      new Request(new URL(`/api/v1${path}`, this.origin), {
        method,
        headers: { "Content-Type": "application/json" },
        body: body === undefined ? null : JSON.stringify(body),
      }),
    );
  }

  /** The API's response as it is (an attachment's bytes), errors still thrown as AppError. */
  async raw(path: string): Promise<Response> {
    const response = await this.call(new Request(new URL(`/api/v1${path}`, this.origin)));
    if (!response.ok) throw await failure(response);
    return response;
  }

  private async json<T>(request: Request): Promise<T> {
    const response = await this.call(request);
    if (!response.ok) throw await failure(response);
    return (await response.json()) as T;
  }
}

/** The API's error body back as the AppError it was made from, so pages answer the same status and words. */
async function failure(response: Response): Promise<AppError> {
  const body = (await response.json().catch(() => null)) as {
    error?: { code?: string; message?: string; details?: Record<string, unknown> };
  } | null;
  const code = body?.error?.code;
  return new AppError(
    code && CODES.has(code) ? (code as AppErrorCode) : "internal",
    body?.error?.message ?? `The API answered ${response.status}.`,
    { details: body?.error?.details ?? {} },
  );
}

/** Path segment of a project: team and name, as `/teams/:team/projects/:project` spells it. */
export function projectPath(team: string, project: string): string {
  return `/teams/${encodeURIComponent(team)}/projects/${encodeURIComponent(project)}`;
}
