import dagre from "@dagrejs/dagre";
import { html } from "hono/html";
import type { Html } from "./html";

export interface Neighbourhood {
  focus: string;
  nodes: string[];
  edges: Array<{ from: string; to: string; cycle: boolean; typeOnly: boolean }>;
  /** Files left out to keep the drawing readable. */
  omitted: number;
}

/** The import graph as REST answers it (the parts the drawing reads). */
export interface ImportGraph {
  files: string[];
  edges: Array<{ from: string; to: string; kinds: string[] }>;
  cycle_groups: Array<{ files: string[]; type_only: boolean }>;
}

/**
 * A file's imports and importers up to `depth` steps, at most `limit` files (nearest first). An edge whose two
 * files are in one cycle group is marked, so the drawing can show the cycle.
 */
export function neighbourhood(graph: ImportGraph, focus: string, depth: number, limit = 60): Neighbourhood {
  const out = new Map<string, string[]>();
  const into = new Map<string, string[]>();
  for (const edge of graph.edges) {
    out.set(edge.from, [...(out.get(edge.from) ?? []), edge.to]);
    into.set(edge.to, [...(into.get(edge.to) ?? []), edge.from]);
  }
  const seen = new Set([focus]);
  let frontier = [focus];
  let omitted = 0;
  for (let step = 0; step < depth; step++) {
    const next: string[] = [];
    for (const file of frontier) {
      for (const neighbour of [...(out.get(file) ?? []), ...(into.get(file) ?? [])]) {
        if (seen.has(neighbour)) continue;
        if (seen.size >= limit) {
          omitted++;
          continue;
        }
        seen.add(neighbour);
        next.push(neighbour);
      }
    }
    frontier = next;
  }
  const groupOf = new Map<string, number>();
  graph.cycle_groups.forEach((group, index) => group.files.forEach((file) => groupOf.set(file, index)));
  const edges = graph.edges
    .filter((edge) => seen.has(edge.from) && seen.has(edge.to))
    .map((edge) => ({
      from: edge.from,
      to: edge.to,
      cycle: groupOf.has(edge.from) && groupOf.get(edge.from) === groupOf.get(edge.to),
      typeOnly: edge.kinds.length > 0 && edge.kinds.every((kind) => kind === "type"),
    }));
  return { focus, nodes: [...seen], edges, omitted };
}

const NODE_HEIGHT = 34;
const CHAR_WIDTH = 7.2;

/**
 * Lays the neighbourhood out with dagre (layered, left to right: importers, the file, what it imports) and draws
 * it as SVG on the server. Every file is a link that refocuses the drawing on it; a cycle's edges are red.
 */
export function drawGraph(graph: Neighbourhood, hrefOf: (file: string) => string): Html {
  const layout = new dagre.graphlib.Graph();
  layout.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 60, marginx: 10, marginy: 10 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const file of graph.nodes) {
    layout.setNode(file, { width: Math.min(280, label(file).length * CHAR_WIDTH + 20), height: NODE_HEIGHT });
  }
  for (const edge of graph.edges) layout.setEdge(edge.from, edge.to);
  dagre.layout(layout);
  const size = layout.graph();
  const width = Math.ceil(size.width ?? 100);
  const height = Math.ceil(size.height ?? 60);
  const byKey = new Map(graph.edges.map((edge) => [`${edge.from}\n${edge.to}`, edge]));
  return html`<svg
    class="chart graph"
    role="group"
    aria-labelledby="graph-t"
    viewBox="0 0 ${width} ${height}"
    width="${width}"
    height="${height}"
  >
    <title id="graph-t">
      Imports around ${graph.focus}: ${graph.nodes.length} files, ${graph.edges.length} imports
    </title>
    <defs>${arrowHead("arrow", "#57606a")} ${arrowHead("arrow-cycle", "#cf222e")}</defs>
    ${layout.edges().map((key) => {
      const edge = byKey.get(`${key.v}\n${key.w}`);
      const points = layout.edge(key).points ?? [];
      const d = points
        .map((p: { x: number; y: number }, i: number) => `${i ? "L" : "M"}${p.x.toFixed(1)},${p.y.toFixed(1)}`)
        .join(" ");
      return html`<path
        d="${d}"
        fill="none"
        stroke="${edge?.cycle ? "#cf222e" : "#8c959f"}"
        stroke-width="${edge?.cycle ? 2 : 1.2}"
        ${edge?.typeOnly ? html`stroke-dasharray="4 3"` : ""}
        marker-end="url(#${edge?.cycle ? "arrow-cycle" : "arrow"})"
      ></path>`;
    })}
    ${graph.nodes.map((file) => {
      const node = layout.node(file);
      const x = node.x - node.width / 2;
      const y = node.y - node.height / 2;
      const focus = file === graph.focus;
      return html`<a href="${hrefOf(file)}" aria-label="${file}">
        <title>${file}</title>
        <rect
          x="${x.toFixed(1)}"
          y="${y.toFixed(1)}"
          width="${node.width.toFixed(1)}"
          height="${node.height}"
          rx="5"
          fill="${focus ? "#ddf4ff" : "#ffffff"}"
          stroke="${focus ? "#0969da" : "#8c959f"}"
          stroke-width="${focus ? 2 : 1}"
        ></rect>
        <text x="${node.x.toFixed(1)}" y="${(node.y + 4).toFixed(1)}" text-anchor="middle" fill="#1b1f24"
          >${label(file)}</text
        >
      </a>`;
    })}
  </svg>`;
}

function arrowHead(id: string, colour: string): Html {
  return html`<marker
    id="${id}"
    viewBox="0 0 10 10"
    refX="10"
    refY="5"
    markerWidth="7"
    markerHeight="7"
    orient="auto-start-reverse"
  >
    <path d="M0,0 L10,5 L0,10 z" fill="${colour}"></path>
  </marker>`;
}

/** The file's name with its folder, cut from the left when long (the name is what tells files apart). */
function label(file: string): string {
  const parts = file.split("/");
  const short = parts.slice(-2).join("/");
  return short.length > 36 ? `…${short.slice(-35)}` : short;
}
