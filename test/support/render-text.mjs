/**
 * Text rendered to a PNG the way a terminal or editor shows it (Node only: sharp renders SVG with the system's
 * DejaVu Sans Mono). Shared by the OCR bench, the smoke test and the test setup, so all three read the same
 * kind of image.
 */
import sharp from "sharp";

const DARK_TERMINAL = { name: "dark terminal 18px", size: 18, background: "#1e1e1e", color: "#d4d4d4" };

/** @type {Array<{ name: string, size: number, background: string, color: string }>} */
export const TEXT_STYLES = [
  DARK_TERMINAL,
  { name: "light editor 16px", size: 16, background: "#ffffff", color: "#1f2328" },
  { name: "dark small 14px", size: 14, background: "#0d1117", color: "#c9d1d9" },
];

/** @param {string} text */
export const escapeXml = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * @param {string} text
 * @param {{ size: number, background: string, color: string }} [style]
 * @returns {Promise<Uint8Array>}
 */
export async function renderTextPng(text, style = DARK_TERMINAL) {
  const lines = text.split("\n");
  const lineHeight = Math.round(style.size * 1.5);
  const width = Math.round(Math.max(...lines.map((line) => line.length), 20) * style.size * 0.62) + 40;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${lines.length * lineHeight + 30}">` +
    `<rect width="100%" height="100%" fill="${style.background}"/>` +
    lines
      .map(
        (line, index) =>
          `<text x="16" y="${20 + (index + 1) * lineHeight - Math.round(style.size * 0.4)}" font-family="DejaVu Sans Mono, monospace" ` +
          `font-size="${style.size}" fill="${style.color}" xml:space="preserve">${escapeXml(line)}</text>`,
      )
      .join("") +
    "</svg>";
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}

/**
 * Boxes joined by arrows, as an architecture diagram: each box a label at a position, each arrow from one box to
 * another with an optional label.
 * @param {Array<{ id: string, label: string, x: number, y: number }>} boxes
 * @param {Array<{ from: string, to: string, label?: string }>} arrows
 * @returns {Promise<Uint8Array>}
 */
export async function renderDiagramPng(boxes, arrows) {
  const byId = new Map(boxes.map((box) => [box.id, box]));
  const width = Math.max(...boxes.map((box) => box.x)) + 260;
  const height = Math.max(...boxes.map((box) => box.y)) + 120;
  const arrowSvg = arrows.map((arrow) => {
    const from = byId.get(arrow.from);
    const to = byId.get(arrow.to);
    if (!from || !to) throw new Error(`arrow between unknown boxes ${arrow.from} → ${arrow.to}`);
    const [x1, y1, x2, y2] = [from.x + 90, from.y + 60, to.x + 90, to.y];
    const label = arrow.label
      ? `<text x="${(x1 + x2) / 2 + 6}" y="${(y1 + y2) / 2}" font-family="DejaVu Sans" font-size="13">${escapeXml(arrow.label)}</text>`
      : "";
    return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#333" stroke-width="2" marker-end="url(#head)"/>${label}`;
  });
  const boxSvg = boxes.map(
    (box) =>
      `<rect x="${box.x}" y="${box.y}" width="180" height="60" rx="8" fill="#e8f0fe" stroke="#1a73e8" stroke-width="2"/>` +
      `<text x="${box.x + 90}" y="${box.y + 36}" text-anchor="middle" font-family="DejaVu Sans" font-size="16">${escapeXml(box.label)}</text>`,
  );
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<defs><marker id="head" markerWidth="10" markerHeight="8" refX="10" refY="4" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#333"/></marker></defs>` +
    `<rect width="100%" height="100%" fill="#ffffff"/>${arrowSvg.join("")}${boxSvg.join("")}</svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer());
}
