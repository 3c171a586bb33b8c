/** Components and arrows from free text, such as the OCR output of a diagram image. */

import type { DiagramBuilder } from "./builder";
import { MAX_LABEL_CHARS, MAX_LABEL_WORDS } from "./model";
import { cleanText } from "./text";

/** Bounded repetitions: a long run of dashes or spaces in OCR noise must not make splitting quadratic. */
const LABEL_ARROW = /\s{0,8}(<-{1,8}>|<={1,8}>|↔|⇄|⟷|<-{1,8}|<={1,8}|←|⇐|⟵|-{1,8}>|={1,8}>|→|⇒|⟶|➔|➜|➡|⮕)\s{0,8}/u;
const LABEL_CELL_SEPARATOR = /\s{2,}|\t|\||[-=_*+]{3,}/;
const BOX_DRAWING = /[\u2500-\u259F]+/g;
const LABEL_CHARACTER = /[\p{L}\p{N}\s\-_./&()'’:,+#@]/u;

function cleanLabel(raw: string): string | null {
  let text = cleanText(raw)
    .replace(/^(?:[-*•·▪◦‣]|\d+[.)])\s+/u, "")
    .replace(/[:;,.]+$/, "")
    .trim();
  if (/^\[.*\]$|^\(.*\)$|^<.*>$/.test(text)) text = text.slice(1, -1).trim();
  if (!text || text.length > MAX_LABEL_CHARS) return null;
  if (text.split(/\s+/).length > MAX_LABEL_WORDS) return null;
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  if (letters < 2) return null;
  let labelLike = 0;
  for (const char of text) if (LABEL_CHARACTER.test(char)) labelLike++;
  // OCR noise and binary garbage are mostly symbols; real labels are mostly letters and spaces.
  return labelLike >= text.length * 0.8 ? text : null;
}

/** A component id from its name: lower-case letters and digits joined by "-" (empty for a name without any). */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80);
}

export function parseLabels(lines: readonly string[], builder: DiagramBuilder): void {
  const add = (cell: string): string | null => {
    const name = cleanLabel(cell);
    if (!name) return null;
    const id = slug(name);
    return id ? builder.node(id, { name, weak: true }) : null;
  };
  const cells = (piece: string): string[] =>
    piece
      .split(LABEL_CELL_SEPARATOR)
      .map((cell) => cell.trim())
      .filter(Boolean);
  for (const rawLine of lines) {
    const line = rawLine.replace(BOX_DRAWING, "  ").trim();
    if (!line) continue;
    const parts = line.split(LABEL_ARROW);
    if (parts.length === 1) {
      for (const cell of cells(line)) add(cell);
      continue;
    }
    // parts alternate text, arrow, text, …; the cells touching an arrow are its ends, any others stand alone.
    const pieces: string[][] = [];
    for (let index = 0; index < parts.length; index += 2) pieces.push(cells(parts[index] ?? ""));
    pieces.forEach((piece, pieceIndex) => {
      piece.forEach((cell, cellIndex) => {
        const isLeftEnd = cellIndex === piece.length - 1 && pieceIndex < pieces.length - 1;
        const isRightEnd = cellIndex === 0 && pieceIndex > 0;
        if (!isLeftEnd && !isRightEnd) add(cell);
      });
    });
    for (let index = 0; index + 1 < pieces.length; index++) {
      const left = pieces[index];
      const right = pieces[index + 1];
      const arrow = parts[index * 2 + 1] ?? "";
      const from = left && left.length > 0 ? add(left[left.length - 1] ?? "") : null;
      const to = right?.[0] !== undefined ? add(right[0]) : null;
      if (from === null || to === null) continue;
      const both = /^<.*>$|[↔⇄⟷]|^<=+>$/u.test(arrow.trim());
      const back = !both && /^(<|←|⇐|⟵)/u.test(arrow.trim());
      builder.edge(from, to, { direction: both ? "both" : back ? "back" : "forward" });
    }
  }
}
