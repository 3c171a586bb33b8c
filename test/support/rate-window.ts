/**
 * The rate-limiting binding counts in fixed windows aligned to the wall clock (miniflare's simulation, like
 * Cloudflare's, keys a bucket by floor(now / period)), so a run of attempts that straddles a window boundary sees
 * its count reset half-way and cannot show the limit. On a loaded machine a run may take long enough to cross one.
 * Such a run is not judged: it is repeated from scratch (the caller makes fresh addresses and accounts each time).
 * A run inside one window is judged by the caller's assertions, so the test still fails when the limit is wrong.
 */
export async function inOneRateWindow<T>(run: () => Promise<T>, periodSeconds = 60, tries = 3): Promise<T> {
  const windowOf = () => Math.floor(Date.now() / (periodSeconds * 1000));
  for (let attempt = 1; attempt <= tries; attempt += 1) {
    const start = windowOf();
    const result = await run();
    if (windowOf() === start) return result;
  }
  throw new Error(`each of ${tries} runs straddled a ${periodSeconds} s rate-limit window; none could be judged`);
}
