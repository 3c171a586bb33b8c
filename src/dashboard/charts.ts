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

/** Counts per day as columns over consecutive days (an error's sightings), first and last day named below. */
export function dayColumns(points: Bar[], options: { title: string }): Html {
  const width = 640;
  const height = 100;
  const max = Math.max(...points.map((point) => point.value), 0) || 1;
  const step = width / Math.max(points.length, 1);
  const seen = points.filter((point) => point.value > 0);
  return html`<svg
    class="chart"
    role="img"
    aria-label="${options.title}: ${seen.map((point) => `${point.label} ${point.value}`).join(", ") || "none"}"
    viewBox="0 0 ${width} ${height + 18}"
    width="${width}"
    height="${height + 18}"
  >
    <line x1="0" y1="${height}" x2="${width}" y2="${height}" stroke="#d0d7de"></line>
    ${points.map((point, index) => {
      const h = point.value ? Math.max(3, Math.round((point.value / max) * (height - 10))) : 0;
      return h
        ? html`<rect
            x="${(index * step + 1).toFixed(1)}"
            y="${height - h}"
            width="${Math.max(1, step - 2).toFixed(1)}"
            height="${h}"
            fill="#cf222e"
          ></rect>`
        : "";
    })}
    <text x="0" y="${height + 14}">${points[0]?.label ?? ""}</text>
    <text x="${width}" y="${height + 14}" text-anchor="end">${points[points.length - 1]?.label ?? ""}</text>
  </svg>`;
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
