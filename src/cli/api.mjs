// The command-line client's HTTP calls: bearer token, JSON, and the server's {error:{code,message}} turned into
// an Error whose message is the server's own (it names the field or the fix).

export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {number} status
   * @param {string} [code]
   * @param {unknown} [cause]
   */
  constructor(message, status, code, cause) {
    super(message, cause === undefined ? undefined : { cause });
    this.status = status;
    this.code = code;
  }
}

export class ApiClient {
  /**
   * @param {{ url: string, token: string, fetch?: typeof fetch }} options
   */
  constructor(options) {
    this.base = options.url.replace(/\/+$/, "");
    this.token = options.token;
    this.fetch = options.fetch ?? fetch;
  }

  /**
   * @param {"GET" | "POST" | "DELETE"} method
   * @param {string} path below /api/v1
   * @param {unknown} [body]
   * @param {{ signal?: AbortSignal, text?: boolean, idempotencyKey?: string }} [options] a hook's deadline;
   *   text: the tool's readable text (Accept: text/plain) instead of its JSON; idempotencyKey: the same key again
   *   gets the first answer, not a second write
   * @returns {Promise<any>}
   */
  async request(method, path, body, options = {}) {
    const url = `${this.base}/api/v1${path}`;
    const send = () =>
      this.fetch(url, {
        method,
        headers: {
          Authorization: `Bearer ${this.token}`,
          ...(options.text ? { Accept: "text/plain" } : {}),
          ...(options.idempotencyKey ? { "Idempotency-Key": options.idempotencyKey } : {}),
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    let response;
    try {
      try {
        response = await send();
      } catch (first) {
        // A kept-alive connection the server closed while idle fails the next request before it is read; a GET
        // changes nothing, so it is sent once more on a fresh connection.
        if (method !== "GET" || !isClosedConnection(first)) throw first;
        response = await send();
      }
    } catch (cause) {
      throw new ApiError(
        `Cannot reach ${this.base}: ${cause instanceof Error ? cause.message : cause}`,
        0,
        undefined,
        cause,
      );
    }
    const text = await response.text();
    if (options.text && response.ok) return text;
    /** @type {any} */
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON (a proxy's error page): the status line and the text's start are reported instead.
    }
    if (!response.ok) {
      const message = parsed?.error?.message ?? `${response.status} ${response.statusText}: ${text.slice(0, 200)}`;
      const hint = response.status === 401 ? " (check the token: --token, CODING_MEMORY_TOKEN or the config file)" : "";
      throw new ApiError(`${message}${hint}`, response.status, parsed?.error?.code);
    }
    return parsed;
  }
}

/** @param {unknown} error */
function isClosedConnection(error) {
  const cause = /** @type {{ cause?: { code?: string } }} */ (error)?.cause;
  return ["UND_ERR_SOCKET", "ECONNRESET", "EPIPE"].includes(cause?.code ?? "");
}
