/** Byte encodings used across the server (Web APIs only, so domain code and adapters share them). */

export function toHex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Standard base64; chunked so large buffers (graph snapshots, images) do not overflow the argument list. */
export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let start = 0; start < bytes.length; start += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(start, start + 0x8000));
  }
  return btoa(binary);
}

/** URL-safe base64 without padding (tokens, PKCE challenges). */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes standard or URL-safe base64 (whitespace ignored); throws on anything else. */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text.replace(/\s+/g, "").replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

export async function sha256Hex(input: string | Uint8Array): Promise<string> {
  const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

/** `bytes` random bytes as URL-safe base64 (cookie secrets, CSRF tokens, OAuth state and PKCE verifiers). */
export function randomBase64Url(bytes: number): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export const DAY_MS = 86_400_000;

/** The UTC day number (days since 1970-01-01) of a time in epoch milliseconds. */
export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** A UTC day number as YYYY-MM-DD. */
export function utcDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
