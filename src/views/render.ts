/** Readable renderings shared by tools: long lists are cut with a count, the full list stays in the data. */
export function bulletList(items: readonly string[], max = 30, indent = ""): string {
  if (!items.length) return `${indent}- (none)`;
  const shown = items.slice(0, max).map((item) => `${indent}- ${item}`);
  if (items.length > max) shown.push(`${indent}- … and ${items.length - max} more`);
  return shown.join("\n");
}

/** Dollars as results show them: to the micro-dollar, so sums of small calls stay visible without float noise. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

export { plural } from "../domain/core/plural";
