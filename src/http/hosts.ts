/**
 * Which `Host` names this server answers for. A request for another name is refused before anything else runs:
 * a browser page on evil.example.com whose DNS was rebound to 127.0.0.1 sends `Host: evil.example.com`, and the
 * OAuth metadata, sign-in page and MCP endpoint must never answer it as if it were this server.
 *
 * - `PUBLIC_URL` set (production): its host and the `ALLOWED_HOSTS` names only. A request on an allowed alias is
 *   served as `PUBLIC_URL` (its URL is rewritten to that origin), so tokens, metadata and links name one origin.
 * - `PUBLIC_URL` unset (local development, or a deployment on workers.dev): loopback names on any port, an https
 *   `*.workers.dev` name (Cloudflare routes only this Worker's own name there), and `ALLOWED_HOSTS`.
 */
import { AppError } from "../domain/core/app-error";

export interface HostEnv {
  PUBLIC_URL?: string;
  /** Comma- or space-separated host names (`memory.example.com`) or host:port pairs also served. */
  ALLOWED_HOSTS?: string;
}

export interface HostPolicy {
  /** The request to serve (its URL on the canonical origin), or an AppError to answer with. */
  admit(request: Request): Request | AppError;
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

/**
 * For the MCP handler's own DNS-rebinding checks (agents' createMcpHandler), on a request already admitted: the
 * Host names it accepts (the one this request came in on), and the browser Origins it accepts (loopback pages,
 * this server's own names).
 */
export function mcpHostOptions(request: Request): { allowedHostnames: string[]; allowedOriginHostnames: string[] } {
  const url = new URL(request.url);
  const header = request.headers.get("Host");
  let arrived = url.hostname;
  try {
    if (header) arrived = new URL(`http://${header}`).hostname;
  } catch {
    // A malformed Host header: the MCP handler refuses it, as it does any name not listed.
  }
  const own = [...new Set([arrived, url.hostname])];
  return { allowedHostnames: own, allowedOriginHostnames: [...new Set([...LOOPBACK_NAMES, ...own])] };
}

export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127(?:\.\d{1,3}){3}$/.test(host);
}

function parseList(value: string | undefined): string[] {
  return (value ?? "")
    .split(/[\s,]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
}

/** `PUBLIC_URL` as an origin, or null when unset; a value that is not an http(s) URL is a configuration error. */
export function publicUrlOrigin(env: HostEnv): string | null {
  const raw = env.PUBLIC_URL?.trim();
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError("unavailable", "PUBLIC_URL is not a URL; set it to the server's https origin.");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHostname(url.hostname))) {
    throw new AppError("unavailable", "PUBLIC_URL must be an https URL (http only on a loopback address).");
  }
  return url.origin;
}

export function hostPolicy(env: HostEnv): HostPolicy {
  const publicOrigin = publicUrlOrigin(env);
  const extra = parseList(env.ALLOWED_HOSTS);
  const publicHost = publicOrigin ? new URL(publicOrigin) : null;
  const named = (url: URL) =>
    extra.includes(url.host.toLowerCase()) ||
    extra.includes(url.hostname.toLowerCase()) ||
    (publicHost !== null && url.host.toLowerCase() === publicHost.host);
  return {
    admit(request) {
      const url = new URL(request.url);
      // Workers derive the URL from the Host header; a runtime that does not (a proxy, a test harness) has both
      // checked, so neither can smuggle a foreign name past the other.
      const header = request.headers.get("Host");
      let claimed = url;
      if (header) {
        const parsed = /[/@?#\\\s]/.test(header) ? null : parseUrl(`${url.protocol}//${header}`);
        if (!parsed) return misdirected(header, "the Host header is not a host name");
        claimed = parsed;
      }
      for (const name of claimed.host === url.host ? [url] : [url, claimed]) {
        const refusal = refuse(name);
        if (refusal) return refusal;
      }
      if (!publicOrigin || url.origin === publicOrigin) return request;
      return new Request(new URL(url.pathname + url.search, publicOrigin), request);
    },
  };

  function refuse(url: URL): AppError | null {
    if (publicOrigin) return named(url) ? null : misdirected(url.host, `this server answers for ${publicHost?.host}`);
    if (isLoopbackHostname(url.hostname)) return null;
    const workersDev = url.protocol === "https:" && url.hostname.toLowerCase().endsWith(".workers.dev");
    if (!workersDev && !named(url))
      return misdirected(url.host, "set PUBLIC_URL (or ALLOWED_HOSTS) to serve this name");
    // The OAuth library (rightly) refuses cleartext OAuth to a remote host, so such a name cannot be served.
    if (url.protocol !== "https:") {
      return misdirected(url.host, "OAuth needs https off loopback: put the server behind https and set PUBLIC_URL");
    }
    return null;
  }
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

function misdirected(host: string, hint: string): AppError {
  return new AppError("misdirected", `This server does not answer for host ${host}: ${hint}.`, {
    details: { host },
  });
}
