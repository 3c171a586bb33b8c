/**
 * Password hashing with PBKDF2-SHA256 through WebCrypto (the slow KDF workerd offers; it caps iterations at
 * 100,000). The stored string names its parameters, so they can be raised later without breaking old hashes.
 */
import { fromBase64, toBase64 } from "../domain/core/encoding";

const ITERATIONS = 100_000;
const FORMAT = "pbkdf2-sha256";

async function derive(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return `${FORMAT}$${ITERATIONS}$${toBase64(salt)}$${toBase64(await derive(password, salt, ITERATIONS))}`;
}

/** Constant-time comparison of the derived key, so timing says nothing about how much of it matched. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [format, iterations, salt, hash] = stored.split("$");
  if (format !== FORMAT || !iterations || !salt || !hash) return false;
  const expected = fromBase64(hash);
  const actual = await derive(password, fromBase64(salt), Number(iterations));
  return timingSafeEqual(actual, expected);
}

export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index += 1) difference |= (a[index] ?? 0) ^ (b[index] ?? 0);
  return difference === 0;
}
