/**
 * RFC 8707 resource indicators. The protected resource is the whole origin (one token serves /mcp and /api/),
 * but MCP clients that skip the RFC 9728 document, or read the MCP spec literally, send the MCP endpoint URL
 * itself (`https://host/mcp`) as `resource`. The origin covers that URL: the resource server already accepts the
 * origin's tokens there, and RFC 8707 §2.2 lets the authorization server map a requested resource to a more
 * general one it serves. So the MCP URL is rewritten to the origin before the OAuth library sees it; the
 * token's audience stays the origin, so the token is no broader than the one the bare origin gets. Any other
 * value is left alone for the library to accept or refuse (`invalid_target`).
 */

/** Paths of the origin a client may name as the resource: the MCP endpoint. */
const ALIAS_PATHS = new Set(["/mcp", "/mcp/"]);

function canonicalResource(value: string, origin: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.username || url.password || url.search || url.hash || value.includes("#")) return null;
  return url.origin === origin && ALIAS_PATHS.has(url.pathname) ? origin : null;
}

function rewriteParams(params: URLSearchParams, origin: string): boolean {
  const values = params.getAll("resource");
  const mapped = values.map((value) => canonicalResource(value, origin) ?? value);
  if (mapped.every((value, index) => value === values[index])) return false;
  params.delete("resource");
  for (const value of mapped) params.append("resource", value);
  return true;
}

/**
 * The request with an MCP-URL resource indicator replaced by the origin, on the two endpoints that take one:
 * the authorization request (`GET /authorize`, query) and the token request (`POST /oauth/token`, form body).
 */
export async function withCanonicalResource(request: Request, origin: string): Promise<Request> {
  const url = new URL(request.url);
  if (url.pathname === "/authorize" && request.method === "GET") {
    if (!rewriteParams(url.searchParams, origin)) return request;
    return new Request(url, request);
  }
  if (url.pathname === "/oauth/token" && request.method === "POST") {
    const type = request.headers.get("Content-Type") ?? "";
    if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) return request;
    const body = await request.clone().text();
    const params = new URLSearchParams(body);
    if (!rewriteParams(params, origin)) return request;
    const headers = new Headers(request.headers);
    headers.delete("Content-Length");
    return new Request(request.url, { method: "POST", headers, body: params.toString() });
  }
  return request;
}
