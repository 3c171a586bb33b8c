/**
 * Throttling of password attempts on the sign-in page (src/auth/authorize-routes.ts) with the Workers rate limiting
 * bindings. PBKDF2 is deliberately slow, so every attempt that reaches it costs the server real CPU: the limits
 * decide before any hashing, which keeps the hashing cost from being a lever against other users.
 */

/**
 * Whether a password attempt may run. Two limits, both before any hashing: per client address whatever the
 * user name (so spraying names from one address, and sign-ups, stop after a few dozen PBKDF2 runs a minute),
 * and per user and address (so one account is not guessed at). An IPv6 client is keyed by its /64, which one
 * subscriber holds in full.
 */
export async function passwordAttemptAllowed(
  limits: { perAddress: RateLimit | null; perUser: RateLimit | null },
  user: string,
  address: string | undefined,
): Promise<boolean> {
  const client = addressKey(address ?? "local");
  if (limits.perAddress && !(await limits.perAddress.limit({ key: `address|${client}` })).success) return false;
  return !limits.perUser || (await limits.perUser.limit({ key: `${user}|${client}` })).success;
}

/** An IPv4 address as is (also when written IPv4-mapped, `::ffff:a.b.c.d`); an IPv6 address by its first 64 bits. */
export function addressKey(address: string): string {
  if (address.includes(".")) return address.slice(address.lastIndexOf(":") + 1);
  if (!address.includes(":")) return address;
  const [head = "", tail = ""] = address.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = address.includes("::") && tail ? tail.split(":") : [];
  const groups = address.includes("::")
    ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
