/**
 * What Graphviz DOT statements mean for the diagram, whichever parser read them (the @ts-graphviz/ast mapping in
 * dot.ts or the lenient reader in dot-lenient.ts): scopes carry node and edge defaults, cluster subgraphs become
 * groups, and edge chains connect every node of one operand to every node of the next.
 */

import type { DiagramBuilder, Direction, GroupRef } from "./builder";
import type { EdgeStyle } from "./classify";
import { MAX_NESTING } from "./model";
import { cleanText } from "./text";

/** Attribute names lower-cased; a later value for the same name replaces an earlier one. */
export type DotAttributes = ReadonlyMap<string, string>;

interface DotScope {
  group: GroupRef | null;
  nodeShape: string | null;
  edgeStyle: EdgeStyle | null;
  /** Set for cluster subgraphs, whose `label` attribute titles the group. */
  cluster: GroupRef | null;
  members: string[];
}

function dotLabel(value: string, shape: string | null): string {
  // Record labels ("<f0> left|<f1> right", "{a|b}") use fields, ports and braces as layout syntax.
  const text = shape && /record/i.test(shape) ? value.replace(/<[^>]*>/g, " ").replace(/[{}|]/g, " ") : value;
  return cleanText(text);
}

/** null for "invis", which hides an edge that only steers the layout. */
function edgeStyleOf(style: string | undefined): EdgeStyle | null {
  if (!style) return "solid";
  if (/invis/i.test(style)) return null;
  return /dashed|dotted/i.test(style) ? "dotted" : "solid";
}

export class DotGraph {
  private readonly root: DotScope = { group: null, nodeShape: null, edgeStyle: null, cluster: null, members: [] };
  private readonly scopes: DotScope[] = [this.root];
  /** `digraph` or `graph`: decides the direction of edges without a `dir` attribute. */
  directed = true;

  constructor(private readonly builder: DiagramBuilder) {}

  private scope(): DotScope {
    return this.scopes[this.scopes.length - 1] ?? this.root;
  }

  /** A subgraph or anonymous `{ … }` block; only subgraphs named "cluster…" are drawn as boxes, so only they group. */
  open(name: string | null): void {
    const parent = this.scope();
    const isCluster = name !== null && /^cluster/i.test(name) && this.scopes.length < MAX_NESTING;
    const cluster = isCluster ? { name: name.replace(/^cluster[_-]?/i, "") || name, parent: parent.group } : null;
    this.scopes.push({
      group: cluster ?? parent.group,
      nodeShape: parent.nodeShape,
      edgeStyle: parent.edgeStyle,
      cluster,
      members: [],
    });
  }

  /** Closes the innermost block and returns the nodes it named (a block can be an edge operand); null at the root. */
  close(): readonly string[] | null {
    return this.scopes.length > 1 ? (this.scopes.pop()?.members ?? null) : null;
  }

  /** `graph [...]`, `node [...]`, `edge [...]`: defaults for the rest of the block. */
  defaults(kind: string, attributes: DotAttributes): void {
    const scope = this.scope();
    if (kind === "node" && attributes.has("shape")) scope.nodeShape = attributes.get("shape") ?? null;
    if (kind === "edge" && attributes.has("style")) scope.edgeStyle = edgeStyleOf(attributes.get("style"));
    const label = attributes.get("label");
    if (kind === "graph" && label) this.attribute("label", label);
  }

  /** `key = value` as a statement: a graph attribute of the block. */
  attribute(key: string, value: string): void {
    const scope = this.scope();
    if (key === "label" && scope.cluster && cleanText(value)) scope.cluster.name = cleanText(value);
  }

  node(rawId: string, attributes: DotAttributes): void {
    const scope = this.scope();
    const shape = attributes.get("shape") ?? scope.nodeShape;
    const label = attributes.get("label");
    const id = this.builder.node(rawId, {
      name: label !== undefined && label !== "\\N" ? dotLabel(label, shape) : null,
      hint: shape,
      group: scope.group,
    });
    if (id !== null) scope.members.push(id);
  }

  /** One edge statement: `a -> b -> { c d } [attributes]`, each operand the node ids it names. */
  edges(operands: readonly (readonly string[])[], attributes: DotAttributes): void {
    const scope = this.scope();
    const style = attributes.has("style") ? edgeStyleOf(attributes.get("style")) : scope.edgeStyle;
    if (style === null && /invis/i.test(attributes.get("style") ?? "")) return;
    const dir = (attributes.get("dir") ?? (this.directed ? "forward" : "none")).toLowerCase();
    const direction: Direction =
      dir === "back" ? "back" : dir === "both" ? "both" : dir === "none" ? "none" : "forward";
    const label = attributes.get("label") ?? attributes.get("xlabel") ?? null;
    for (const ids of operands) {
      for (const id of ids) {
        const added = this.builder.node(id, { hint: scope.nodeShape, group: scope.group, weak: true });
        if (added !== null) scope.members.push(added);
      }
    }
    for (let index = 0; index + 1 < operands.length; index++) {
      for (const from of operands[index] ?? []) {
        for (const to of operands[index + 1] ?? []) {
          this.builder.edge(from, to, {
            label: label === null ? null : dotLabel(label, null),
            style: style ?? (direction === "none" ? "undirected" : "solid"),
            direction,
            group: scope.group,
          });
        }
      }
    }
  }
}
