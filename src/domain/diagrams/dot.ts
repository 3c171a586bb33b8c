/** Graphviz DOT: nodes with labels and shapes, cluster subgraphs (as groups), edge chains and their attributes. */

import type { DiagramBuilder, Direction, GroupRef } from "./builder";
import type { EdgeStyle } from "./classify";
import { MAX_NESTING } from "./model";
import { cleanText } from "./text";

interface DotToken {
  type: "id" | "op";
  value: string;
}

function tokenizeDot(text: string): DotToken[] {
  const tokens: DotToken[] = [];
  let index = 0;
  const length = text.length;
  while (index < length) {
    const char = text[index] ?? "";
    if (/\s/.test(char)) {
      index++;
    } else if (char === "/" && text[index + 1] === "/") {
      const end = text.indexOf("\n", index);
      index = end < 0 ? length : end;
    } else if (char === "/" && text[index + 1] === "*") {
      const end = text.indexOf("*/", index + 2);
      index = end < 0 ? length : end + 2;
    } else if (char === "#" && (index === 0 || text[index - 1] === "\n")) {
      const end = text.indexOf("\n", index);
      index = end < 0 ? length : end;
    } else if (char === '"') {
      let value = "";
      index++;
      while (index < length && text[index] !== '"') {
        if (text[index] === "\\" && text[index + 1] === '"') {
          value += '"';
          index += 2;
        } else if (text[index] === "\\" && text[index + 1] === "\n") {
          index += 2;
        } else {
          value += text[index];
          index++;
        }
      }
      index++;
      tokens.push({ type: "id", value });
    } else if (char === "<") {
      // HTML-like label: balanced angle brackets.
      let depth = 0;
      const begin = index;
      while (index < length) {
        if (text[index] === "<") depth++;
        else if (text[index] === ">" && --depth === 0) break;
        index++;
      }
      tokens.push({ type: "id", value: text.slice(begin + 1, index) });
      index++;
    } else if (char === "-" && (text[index + 1] === ">" || text[index + 1] === "-")) {
      tokens.push({ type: "op", value: text.slice(index, index + 2) });
      index += 2;
    } else if ("{}[]=;,:".includes(char)) {
      tokens.push({ type: "op", value: char });
      index++;
    } else {
      const match = /^(?:[\p{L}_][\p{L}\p{N}_]*|-?(?:\.\d+|\d+(?:\.\d*)?))/u.exec(text.slice(index, index + 500));
      if (match) {
        tokens.push({ type: "id", value: match[0] });
        index += match[0].length;
      } else {
        index++;
      }
    }
  }
  return tokens;
}

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

class DotParser {
  private index = 0;
  private readonly scopes: DotScope[] = [];
  private directed = true;

  constructor(
    private readonly tokens: readonly DotToken[],
    private readonly builder: DiagramBuilder,
  ) {}

  private peek(offset = 0): DotToken | undefined {
    return this.tokens[this.index + offset];
  }

  private isOp(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.type === "op" && token.value === value;
  }

  private isKeyword(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.type === "id" && token.value.toLowerCase() === value;
  }

  private scope(): DotScope {
    const top = this.scopes[this.scopes.length - 1];
    if (top) return top;
    const root: DotScope = { group: null, nodeShape: null, edgeStyle: null, cluster: null, members: [] };
    this.scopes.push(root);
    return root;
  }

  private push(name: string | null): void {
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

  parse(): void {
    if (this.isKeyword("strict")) this.index++;
    if (this.isKeyword("digraph") || this.isKeyword("graph")) {
      this.directed = this.isKeyword("digraph");
      this.index++;
      if (this.peek()?.type === "id") this.index++;
      if (this.isOp("{")) this.index++;
    }
    this.scope();
    while (this.index < this.tokens.length) this.statement();
  }

  private statement(): void {
    const token = this.peek();
    if (!token) return;
    if (token.type === "op") {
      if (token.value === "}") {
        this.index++;
        const closed = this.scopes.length > 1 ? this.scopes.pop() : undefined;
        if (closed && (this.isOp("->") || this.isOp("--"))) this.edgeChain(closed.members);
      } else if (token.value === "{") {
        this.index++;
        this.push(null);
      } else {
        this.index++;
      }
      return;
    }
    const keyword = token.value.toLowerCase();
    if (keyword === "subgraph") {
      this.index++;
      let name: string | null = null;
      if (this.peek()?.type === "id") name = this.peek()?.value ?? null;
      if (name !== null) this.index++;
      if (this.isOp("{")) {
        this.index++;
        this.push(name);
      }
      return;
    }
    if ((keyword === "graph" || keyword === "node" || keyword === "edge") && this.isOp("[", 1)) {
      this.index++;
      const attributes = this.attributes();
      const scope = this.scope();
      if (keyword === "node" && attributes.has("shape")) scope.nodeShape = attributes.get("shape") ?? null;
      if (keyword === "edge" && attributes.has("style")) scope.edgeStyle = edgeStyleOf(attributes.get("style"));
      if (keyword === "graph" && scope.cluster && attributes.get("label")) {
        scope.cluster.name = cleanText(attributes.get("label") ?? "") || scope.cluster.name;
      }
      return;
    }
    if (this.isOp("=", 1)) {
      const value = this.peek(2);
      this.index += value?.type === "id" ? 3 : 2;
      const scope = this.scope();
      if (keyword === "label" && scope.cluster && value?.type === "id" && cleanText(value.value)) {
        scope.cluster.name = cleanText(value.value);
      }
      return;
    }
    const first = this.nodeId();
    if (first === null) return;
    if (this.isOp("->") || this.isOp("--")) {
      this.edgeChain([first]);
      return;
    }
    const attributes = this.attributes();
    const scope = this.scope();
    const shape = attributes.get("shape") ?? scope.nodeShape;
    const label = attributes.get("label");
    const id = this.builder.node(first, {
      name: label !== undefined && label !== "\\N" ? dotLabel(label, shape) : null,
      hint: shape,
      group: scope.group,
    });
    if (id !== null) scope.members.push(id);
  }

  /** A node id with its port ("a:p1:n") dropped. */
  private nodeId(): string | null {
    const token = this.peek();
    if (token?.type !== "id") {
      this.index++;
      return null;
    }
    this.index++;
    while (this.isOp(":") && this.peek(1)?.type === "id") this.index += 2;
    return token.value;
  }

  /** Nodes of an edge operand: one id, or every node named in "{ … }" / "subgraph x { … }". */
  private operand(): string[] {
    if (this.isKeyword("subgraph")) {
      this.index++;
      if (this.peek()?.type === "id") this.index++;
    }
    if (!this.isOp("{")) {
      const id = this.nodeId();
      return id === null ? [] : [id];
    }
    this.index++;
    const ids: string[] = [];
    let depth = 1;
    let inAttributes = false;
    while (this.index < this.tokens.length && depth > 0) {
      const token = this.peek();
      this.index++;
      if (!token) break;
      if (token.type === "op") {
        if (token.value === "{") depth++;
        else if (token.value === "}") depth--;
        else if (token.value === "[") inAttributes = true;
        else if (token.value === "]") inAttributes = false;
        continue;
      }
      const keyword = token.value.toLowerCase();
      if (inAttributes || this.isOp("=") || ["subgraph", "node", "edge", "graph"].includes(keyword)) continue;
      if (this.tokens[this.index - 2]?.value === "=") continue;
      ids.push(token.value);
    }
    return ids;
  }

  private edgeChain(firstOperand: string[]): void {
    const operands: string[][] = [firstOperand];
    while (this.isOp("->") || this.isOp("--")) {
      this.index++;
      operands.push(this.operand());
    }
    const attributes = this.attributes();
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

  /** One or more "[k=v, …]" lists, merged. */
  private attributes(): Map<string, string> {
    const attributes = new Map<string, string>();
    while (this.isOp("[")) {
      this.index++;
      while (this.index < this.tokens.length && !this.isOp("]")) {
        const key = this.peek();
        if (key?.type === "id" && this.isOp("=", 1) && this.peek(2)?.type === "id") {
          attributes.set(key.value.toLowerCase(), this.peek(2)?.value ?? "");
          this.index += 3;
        } else {
          if (this.isOp("{") || this.isOp("}")) return attributes;
          this.index++;
        }
      }
      this.index++;
    }
    return attributes;
  }
}

/** null for "invis", which hides an edge that only steers the layout. */
function edgeStyleOf(style: string | undefined): EdgeStyle | null {
  if (!style) return "solid";
  if (/invis/i.test(style)) return null;
  return /dashed|dotted/i.test(style) ? "dotted" : "solid";
}

/** Reads a DOT source (leading comments and fences already removed) into the builder. */
export function parseDot(body: string, builder: DiagramBuilder): void {
  new DotParser(tokenizeDot(body), builder).parse();
}
