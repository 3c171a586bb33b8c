/** Which language a diagram is written in, read from its header, a Markdown fence or, failing both, its body. */

import type { DiagramFormat } from "./model";
import { splitLines } from "./text";

export interface PreparedSource {
  lines: string[];
  /** Index of the first meaningful line (after fences, front matter and leading comments). */
  start: number;
  /** The language named on a Markdown code fence, when the diagram was pasted in one. */
  fenceFormat: DiagramFormat | null;
}

const FENCE_FORMATS: Readonly<Record<string, DiagramFormat>> = {
  mermaid: "mermaid",
  plantuml: "plantuml",
  puml: "plantuml",
  uml: "plantuml",
  dot: "dot",
  graphviz: "dot",
  gv: "dot",
  d2: "d2",
};

export const MERMAID_HEADER =
  /^(?:flowchart(?:-elk)?|graph|sequenceDiagram|classDiagram(?:-v2)?|stateDiagram(?:-v2)?|erDiagram|journey|gantt|pie|mindmap|timeline|gitGraph|C4Context|C4Container|C4Component|C4Dynamic|C4Deployment|architecture(?:-beta)?|block(?:-beta)?|quadrantChart|requirementDiagram|sankey(?:-beta)?|xychart(?:-beta)?|packet(?:-beta)?|kanban|zenuml)\b/;

function isSkippableLeadingLine(line: string): boolean {
  const trimmed = line.trim();
  return trimmed === "" || trimmed.startsWith("%%") || trimmed.startsWith("//") || /^#(?![{])/.test(trimmed);
}

export function prepare(source: string, capLines = true): PreparedSource {
  let lines = splitLines(source, capLines);
  let start = 0;
  let fenceFormat: DiagramFormat | null = null;
  while (start < lines.length && (lines[start] ?? "").trim() === "") start++;
  const fence = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[start] ?? "");
  if (fence) {
    fenceFormat = FENCE_FORMATS[(fence[2] ?? "").toLowerCase()] ?? null;
    const marker = fence[1] ?? "```";
    let end = start + 1;
    while (end < lines.length && !(lines[end] ?? "").trim().startsWith(marker)) end++;
    lines = lines.slice(start + 1, end);
    start = 0;
  }
  while (start < lines.length && isSkippableLeadingLine(lines[start] ?? "")) start++;
  // Mermaid front matter (title, config) sits between two "---" lines before the diagram type.
  if ((lines[start] ?? "").trim() === "---") {
    let end = start + 1;
    while (end < lines.length && (lines[end] ?? "").trim() !== "---") end++;
    if (end < lines.length) {
      start = end + 1;
      while (start < lines.length && isSkippableLeadingLine(lines[start] ?? "")) start++;
    }
  }
  return { lines, start, fenceFormat };
}

function isDotGraphHeader(lines: readonly string[], start: number): boolean {
  const first = (lines[start] ?? "").trim();
  if (/^graph\b[^{;]*\{/i.test(first)) return true;
  if (!/^graph(?:\s+(?:"[^"]*"|[\w.]+))?\s*$/i.test(first)) return false;
  for (let index = start + 1; index < lines.length; index++) {
    const next = (lines[index] ?? "").trim();
    if (next) return next.startsWith("{");
  }
  return false;
}

/** Lines that only Mermaid flowchart syntax produces: "-->", "-.->", "==>", shaped nodes. */
const MERMAID_BODY_LINE =
  /^[\p{L}\p{N}_][\w.-]*(?:\[[^\]]*\]|\([^)]*\)+|\{[^}]*\})?\s*(?:-->|---|-\.+-|==>|===|--[ox]\s)/u;
const D2_EDGE_LINE = /^\s*(?:"[^"]+"\s*|[\p{L}\p{N}_][\p{L}\p{N}_. -]*?)(?:<->|->|<-|--)\s*(?:"[^"]+"|[\p{L}\p{N}_])/u;
const D2_STRONG_LINE =
  /^\s*(?:[^:{}]+:\s*[^{}]*\{\s*$|\}\s*$|[\w."' -]*\bshape\s*:\s*[\w-]+|direction\s*:\s*(?:up|down|left|right)\s*$|[\w"' -]+\.(?:shape|style|label|icon)\b)/;

function meaningfulLines(lines: readonly string[], start: number): string[] {
  const result: string[] = [];
  for (let index = start; index < lines.length && result.length < 2_000; index++) {
    const line = (lines[index] ?? "").trim();
    if (line && !line.startsWith("#") && !line.startsWith("%%")) result.push(line);
  }
  return result;
}

/**
 * Which text format a diagram is written in. Anything that is not recognisably Mermaid, PlantUML, DOT or D2 is
 * "labels": free text such as the OCR output of a diagram image.
 */
export function detectDiagramFormat(source: string): DiagramFormat {
  try {
    return detect(prepare(typeof source === "string" ? source : ""));
  } catch {
    return "labels";
  }
}

export function detect({ lines, start, fenceFormat }: PreparedSource): DiagramFormat {
  const first = (lines[start] ?? "").trim();
  if (/^@start\w*/i.test(first)) return "plantuml";
  if (/^(?:strict\s+)?digraph\b/i.test(first) || /^strict\s+graph\b/i.test(first)) return "dot";
  if (/^graph\b/i.test(first)) return isDotGraphHeader(lines, start) ? "dot" : "mermaid";
  if (MERMAID_HEADER.test(first)) return "mermaid";
  if (fenceFormat) return fenceFormat;
  for (let index = start; index < Math.min(lines.length, start + 20); index++) {
    if (/^\s*@startuml\b/i.test(lines[index] ?? "")) return "plantuml";
  }
  const body = meaningfulLines(lines, start);
  if (body.length === 0) return "labels";
  const mermaidLines = body.filter((line) => MERMAID_BODY_LINE.test(line)).length;
  if (mermaidLines > 0 && mermaidLines * 2 >= body.length) return "mermaid";
  const strongD2 = body.some((line) => D2_STRONG_LINE.test(line));
  const d2Edges = body.filter((line) => D2_EDGE_LINE.test(line)).length;
  if (strongD2 || (d2Edges > 0 && d2Edges * 2 >= body.length)) return "d2";
  return "labels";
}
