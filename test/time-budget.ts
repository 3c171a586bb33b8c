/**
 * A test's time limit from the number of calls it makes. Integration tests go through the real Worker, D1 and
 * Durable Objects, and on a loaded 2-core machine one call can take a second: a fixed 5 s limit made a
 * 72-call test fail there. The budget only catches a hang; speed targets live in bench/.
 */
export function budget(calls: number): number {
  return 15_000 + calls * 1_000;
}
