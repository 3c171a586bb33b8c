/**
 * Mermaid: flowcharts (and a bare flowchart body), C4 diagrams, architecture-beta and sequence diagrams. Other
 * Mermaid diagram types (class, ER, Gantt, …) describe no deployable components and read as empty.
 *
 * Hand-written because no maintained Mermaid parser runs in a Worker: `mermaid` itself bundles its flowchart and
 * sequence grammars with the renderer, which needs a DOM (d3, DOMPurify, cytoscape), and `@mermaid-js/parser`
 * (Langium) covers only the newer diagram types (info, packet, pie, architecture, gitGraph, radar, treemap), not
 * flowchart, sequence or C4 (checked with `npm view`, December 2026). Only the syntax that names components and
 * connections is read, and anything else is skipped rather than rejected.
 */

import { GroupStack, type DiagramBuilder, type Direction, type GroupRef } from "./builder";
import { parseC4Block } from "./c4";
import type { EdgeStyle } from "./classify";
import { MERMAID_HEADER } from "./detect";
import { cleanText } from "./text";

export function parseMermaid(lines: readonly string[], start: number, builder: DiagramBuilder): void {
  const first = (lines[start] ?? "").trim();
  if (/^(?:flowchart(?:-elk)?|graph)\b/i.test(first)) {
    const header = /^(?:flowchart(?:-elk)?|graph)(?:\s+(?:TB|TD|BT|RL|LR))?\s*;?/i.exec(first)?.[0] ?? "";
    parseFlowchart(lines, start, first.slice(header.length), builder);
  } else if (/^C4\w+/.test(first)) {
    parseC4Block(lines, start + 1, builder);
  } else if (/^architecture(?:-beta)?\b/.test(first)) {
    parseArchitecture(lines, start + 1, builder);
  } else if (/^sequenceDiagram\b/.test(first)) {
    parseSequence(lines, start + 1, builder);
  } else if (!MERMAID_HEADER.test(first)) {
    // No header: a flowchart body pasted on its own.
    parseFlowchart(lines, start, first, builder);
  }
  // Other diagram types (class, ER, Gantt, …) describe no deployable components.
}

/** Statements on one line are separated by ";" outside quotes and brackets. */
function splitStatements(line: string): string[] {
  if (!line.includes(";")) return [line];
  const statements: string[] = [];
  let depth = 0;
  let quoted = false;
  let begin = 0;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (char === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (char === "[" || char === "(" || char === "{") depth++;
    else if ((char === "]" || char === ")" || char === "}") && depth > 0) depth--;
    else if (char === ";" && depth === 0) {
      statements.push(line.slice(begin, index));
      begin = index + 1;
    }
  }
  statements.push(line.slice(begin));
  return statements;
}

const FLOWCHART_IGNORED =
  /^(?:classDef|class|style|linkStyle|click|direction|accTitle|accDescr|title|callback|link|%%)(?:\b|$)/;

function parseFlowchart(lines: readonly string[], start: number, firstRest: string, builder: DiagramBuilder): void {
  const groups = new GroupStack();
  const subgraphs = new Map<string, GroupRef>();
  let subgraphCount = 0;
  for (let index = start; index < lines.length; index++) {
    const line = index === start ? firstRest : (lines[index] ?? "");
    if (line.trim().startsWith("%%")) continue;
    for (const statement of splitStatements(line)) {
      const text = statement.trim();
      if (!text || FLOWCHART_IGNORED.test(text)) continue;
      const subgraph = /^subgraph\b\s*(.*)$/i.exec(text);
      if (subgraph) {
        const parent = groups.current();
        const rest = (subgraph[1] ?? "").trim();
        const titled = /^([^\s[\]"]+)\s*\[(.*)\]\s*$/.exec(rest);
        const id = titled?.[1] ?? (cleanText(rest) || `subgraph-${++subgraphCount}`);
        const title = (titled ? cleanText(titled[2] ?? "") : "") || id;
        const group = groups.push(title);
        if (group && group !== parent) subgraphs.set(id, group);
        continue;
      }
      if (/^end$/i.test(text)) {
        groups.pop();
        continue;
      }
      parseFlowStatement(text, builder, groups.current());
    }
  }
  // Edges may target a subgraph by id; such a node is shown as the subgraph's box, so it takes the subgraph's title.
  for (const [id, group] of subgraphs) {
    if (builder.has(id)) builder.node(id, { name: group.name, group: group.parent, weak: true });
  }
}

const MERMAID_ID = /[\p{L}\p{N}_$](?:[\p{L}\p{N}_$]|[-.](?=[\p{L}\p{N}_]))*/uy;
const MERMAID_CLASS_SUFFIX = /:::[\w-]+/y;
const MERMAID_AMPERSAND = /\s*&\s*/y;
/** "-- text -->", "== text ==>", "-. text .->". */
const MERMAID_TEXT_LINK =
  /\s*(<)?(--|==|-\.)(?![->.=|]|[ox]\s)\s*([^|]+?)\s*(-{2,}[>ox]?|={2,}[>ox]?|\.-+[>ox]?)(?=\s|[\p{L}\p{N}_"]|$)\s*/uy;
const MERMAID_LINK =
  /\s*(<|o(?=[-=])|x(?=[-=]))?(-{2,}>|-{2,}[ox](?![\p{L}\p{N}_])|-{3,}|={2,}>|={2,}[ox](?![\p{L}\p{N}_])|={3,}|-\.+->|-\.+-|~{3,})\s*(?:\|([^|]*)\|)?\s*/uy;

interface FlowLink {
  end: number;
  label: string | null;
  style: EdgeStyle;
  direction: Direction;
  invisible: boolean;
}

function readFlowLink(text: string, position: number): FlowLink | null {
  MERMAID_TEXT_LINK.lastIndex = position;
  const withText = MERMAID_TEXT_LINK.exec(text);
  if (withText) {
    const opening = withText[2] ?? "";
    const closing = withText[4] ?? "";
    const head = /[>ox]$/.test(closing);
    return {
      end: MERMAID_TEXT_LINK.lastIndex,
      label: withText[3] ?? null,
      style: opening === "-." ? "dotted" : head || withText[1] ? "solid" : "undirected",
      direction: withText[1] ? (head ? "both" : "back") : head ? "forward" : "none",
      invisible: false,
    };
  }
  MERMAID_LINK.lastIndex = position;
  const link = MERMAID_LINK.exec(text);
  if (!link) return null;
  const body = link[2] ?? "";
  const head = /[>ox]$/.test(body);
  const tail = Boolean(link[1]);
  return {
    end: MERMAID_LINK.lastIndex,
    label: link[3] ?? null,
    style: body.includes(".") ? "dotted" : head || tail ? "solid" : "undirected",
    direction: tail ? (head ? "both" : "back") : head ? "forward" : "none",
    invisible: body.startsWith("~"),
  };
}

const MERMAID_SHAPES: readonly (readonly [open: string, closers: readonly string[], hint: string | null])[] = [
  ["(((", [")))"], null],
  ["([", ["])"], null],
  ["[(", [")]"], "cylinder"],
  ["[[", ["]]"], null],
  ["[/", ["/]", "\\]"], null],
  ["[\\", ["\\]", "/]"], null],
  ["((", ["))"], null],
  ["{{", ["}}"], null],
  ["[", ["]"], null],
  ["(", [")"], null],
  ["{", ["}"], null],
  [">", ["]"], null],
];

function readMermaidShape(text: string, position: number): { label: string; hint: string | null; end: number } | null {
  if (text.startsWith("@{", position)) {
    const close = text.indexOf("}", position + 2);
    const end = close < 0 ? text.length : close;
    const body = text.slice(position + 2, end);
    const label = /\blabel\s*:\s*"([^"]*)"/.exec(body)?.[1] ?? /\blabel\s*:\s*([^,}]+)/.exec(body)?.[1] ?? "";
    const shape = /\bshape\s*:\s*([\w-]+)/.exec(body)?.[1] ?? null;
    return { label: cleanText(label), hint: shape, end: close < 0 ? text.length : close + 1 };
  }
  for (const [open, closers, hint] of MERMAID_SHAPES) {
    if (!text.startsWith(open, position)) continue;
    const labelStart = position + open.length;
    let searchFrom = labelStart;
    // A quoted label may contain the closing bracket, so the closer is looked for after the closing quote.
    const quote = /^\s*"/.exec(text.slice(labelStart, labelStart + 20));
    if (quote) {
      const closingQuote = text.indexOf('"', labelStart + quote[0].length);
      if (closingQuote >= 0) searchFrom = closingQuote + 1;
    }
    let best = -1;
    let bestLength = 0;
    for (const closer of closers) {
      const at = text.indexOf(closer, searchFrom);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
        bestLength = closer.length;
      }
    }
    if (best < 0) return { label: cleanText(text.slice(labelStart)), hint, end: text.length };
    return { label: cleanText(text.slice(labelStart, best)), hint, end: best + bestLength };
  }
  return null;
}

function readFlowNodes(
  text: string,
  position: number,
  builder: DiagramBuilder,
  group: GroupRef | null,
): { ids: string[]; end: number } | null {
  const ids: string[] = [];
  let cursor = position;
  for (;;) {
    while (text[cursor] === " " || text[cursor] === "\t") cursor++;
    MERMAID_ID.lastIndex = cursor;
    const idMatch = MERMAID_ID.exec(text);
    if (!idMatch) break;
    cursor = MERMAID_ID.lastIndex;
    const shape = readMermaidShape(text, cursor);
    if (shape) cursor = shape.end;
    MERMAID_CLASS_SUFFIX.lastIndex = cursor;
    if (MERMAID_CLASS_SUFFIX.exec(text)) cursor = MERMAID_CLASS_SUFFIX.lastIndex;
    const id = builder.node(idMatch[0], shape ? { name: shape.label, hint: shape.hint, group } : { group, weak: true });
    if (id !== null) ids.push(id);
    MERMAID_AMPERSAND.lastIndex = cursor;
    if (!MERMAID_AMPERSAND.exec(text)) break;
    cursor = MERMAID_AMPERSAND.lastIndex;
  }
  return cursor === position ? null : { ids, end: cursor };
}

function parseFlowStatement(text: string, builder: DiagramBuilder, group: GroupRef | null): void {
  let nodes = readFlowNodes(text, 0, builder, group);
  while (nodes) {
    const link = readFlowLink(text, nodes.end);
    if (!link) return;
    const next = readFlowNodes(text, link.end, builder, group);
    if (!next) return;
    if (!link.invisible) {
      for (const from of nodes.ids) {
        for (const to of next.ids) {
          builder.edge(from, to, { label: link.label, style: link.style, direction: link.direction, group });
        }
      }
    }
    nodes = next;
  }
}

// architecture-beta

const ARCHITECTURE_DECLARATION =
  /^(group|service|junction)\s+([\w-]+)\s*(?:\(([^)]*)\))?\s*(?:\[([^\]]*)\])?\s*(?:in\s+([\w-]+))?\s*$/i;
const ARCHITECTURE_EDGE =
  /^([\w-]+)(?:\{group\})?\s*:\s*[LRTB]\s*(<)?-(?:-|\[([^\]]*)\]-)(>)?\s*[LRTB]\s*:\s*([\w-]+)(?:\{group\})?\s*$/i;

function parseArchitecture(lines: readonly string[], start: number, builder: DiagramBuilder): void {
  const groups = new Map<string, GroupRef>();
  const groupFor = (id: string | undefined): GroupRef | null => {
    if (!id) return null;
    let group = groups.get(id);
    if (!group) {
      group = { name: id, parent: null };
      groups.set(id, group);
    }
    return group;
  };
  for (let index = start; index < lines.length; index++) {
    const line = (lines[index] ?? "").trim();
    if (!line || line.startsWith("%%")) continue;
    const declaration = ARCHITECTURE_DECLARATION.exec(line);
    if (declaration) {
      const [, keyword = "", id = "", icon, label, parent] = declaration;
      if (keyword.toLowerCase() === "group") {
        if (!groups.has(id)) {
          groups.set(id, { name: cleanText(label ?? "") || id, parent: groupFor(parent) });
        }
      } else {
        builder.node(id, { name: label ?? null, hint: icon ?? null, group: groupFor(parent) });
      }
      continue;
    }
    const edge = ARCHITECTURE_EDGE.exec(line);
    if (edge) {
      const [, from = "", tail, label, head, to = ""] = edge;
      const direction: Direction = tail ? (head ? "both" : "back") : head ? "forward" : "none";
      builder.edge(from, to, { label: label ?? null, direction });
    }
  }
}

// sequenceDiagram

const SEQUENCE_PARTICIPANT = /^(?:create\s+)?(participant|actor)\s+(.+?)(?:\s+as\s+(.+))?$/i;
const SEQUENCE_MESSAGE = /^([^\s:<>+-][^:<>]*?)\s*(<<)?(--?)(>>|>|x|\))\s*[+-]?\s*([^\s:+-][^:]*?)\s*(?::\s*(.*))?$/;
const SEQUENCE_BLOCK = /^(?:loop|alt|opt|par|critical|break|rect)\b/i;
const BOX_COLOUR =
  /^(?:rgba?\([^)]*\)|transparent|aqua|purple|green|blue|red|yellow|orange|grey|gray|pink|white|black|lightblue|lightgreen|lightyellow|lightgrey|lightgray)\b\s*/i;

function parseSequence(lines: readonly string[], start: number, builder: DiagramBuilder): void {
  const groups = new GroupStack();
  for (let index = start; index < lines.length; index++) {
    const line = (lines[index] ?? "").trim();
    if (!line || line.startsWith("%%") || /^note\b/i.test(line)) continue;
    const box = /^box\b\s*(.*)$/i.exec(line);
    if (box) {
      groups.push(cleanText((box[1] ?? "").replace(BOX_COLOUR, "")) || "box");
      continue;
    }
    if (SEQUENCE_BLOCK.test(line)) {
      groups.push(null);
      continue;
    }
    if (/^end$/i.test(line)) {
      groups.pop();
      continue;
    }
    const participant = SEQUENCE_PARTICIPANT.exec(line);
    if (participant) {
      const keyword = (participant[1] ?? "").toLowerCase();
      builder.node(cleanText(participant[2] ?? ""), {
        name: participant[3] ?? null,
        hint: keyword === "actor" ? "actor" : null,
        group: groups.current(),
      });
      continue;
    }
    const message = SEQUENCE_MESSAGE.exec(line);
    if (!message) continue;
    const from = cleanText(message[1] ?? "");
    const to = cleanText(message[5] ?? "");
    // Dashed arrows are replies to an earlier call; counting them would add a reverse dependency that is not there.
    if (message[3] === "--" && message[4] !== ")") {
      builder.node(from, { group: groups.current(), weak: true });
      builder.node(to, { group: groups.current(), weak: true });
      continue;
    }
    builder.edge(from, to, {
      label: message[6] ?? null,
      style: message[4] === ")" ? "dotted" : "solid",
      direction: message[2] ? "both" : "forward",
      group: groups.current(),
    });
  }
}
