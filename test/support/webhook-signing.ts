/**
 * Signatures as a CI system computes them, written here independently of src/http/webhooks.ts on purpose: a
 * test that signed with the code under test would pass whatever that code computed.
 */

/** `sha256=<hex HMAC-SHA256>` of `body` with `secret` (GitHub's X-Hub-Signature-256 format). */
export async function hmac(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
  return `sha256=${[...signature].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** The generic endpoint's signature headers: the HMAC covers `<timestamp>.<body>`. */
export async function ciSignature(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)) {
  return {
    "X-Signature-Timestamp": String(timestamp),
    "X-Signature-256": await hmac(secret, `${timestamp}.${body}`),
  };
}
