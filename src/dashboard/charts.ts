import { html } from "hono/html";
import type { Html } from "./html";

export interface Bar {
  label: string;
  value: number;
}

/**
 * A horizontal bar chart as SVG, drawn on the server: nothing to download or run, it prints and scales to a
 * phone's width, and it is one image with a title and a description for a screen reader (the figures are in a
 * table beside it too). Bars are scaled to the largest value.
 */
export function barChart(bars: Bar[], options: { title: string; format: (value: number) => string }): Html {
  if (!bars.length) return html`<p class="muted">Nothing recorded yet.</p>`;
  const rowHeight = 26;
  const labelWidth = 170;
  const width = 640;
  const barSpace = width - labelWidth - 90;
  const max = Math.max(...bars.map((bar) => bar.value), 0) || 1;
  const height = bars.length * rowHeight + 8;
  const id = `chart-${options.title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return html`<svg
    class="chart"
    role="img"
    aria-labelledby="${id}-t ${id}-d"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
  >
    <title id="${id}-t">${options.title}</title>
    <desc id="${id}-d">${bars.map((bar) => `${bar.label}: ${options.format(bar.value)}`).join("; ")}</desc>
    ${bars.map((bar, index) => {
      const y = index * rowHeight + 4;
      const length = Math.max(1, Math.round((bar.value / max) * barSpace));
      return html`<g>
        <text x="${labelWidth - 6}" y="${y + 16}" text-anchor="end">${clip(bar.label, 26)}</text>
        <rect x="${labelWidth}" y="${y + 3}" width="${length}" height="${rowHeight - 8}" rx="3" fill="#0969da"></rect>
        <text x="${labelWidth + length + 6}" y="${y + 16}">${options.format(bar.value)}</text>
      </g>`;
    })}
  </svg>`;
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
