/**
 * The DOT reader for sources @ts-graphviz/ast rejects (see dot.ts): a tokenizer and a statement reader that skip
 * whatever they do not understand, so a truncated or hand-mangled graph still yields the nodes and edges before and
 * after the damage, and so do the valid DOT forms that grammar lacks (a subgraph as an edge operand, `+` string
 * concatenation, several attribute lists on one statement, a quoted string over several lines). It reads statements
 * into the same DotGraph as the AST mapping, so both agree on what a statement means.
 */

import { DotGraph, type DotAttributes } from "./dot-graph";
import type { DiagramBuilder } from "./builder";

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

class LenientDotParser {
  private index = 0;
  private readonly graph: DotGraph;

  constructor(
    private readonly tokens: readonly DotToken[],
    builder: DiagramBuilder,
  ) {
    this.graph = new DotGraph(builder);
  }

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

  parse(): void {
    if (this.isKeyword("strict")) this.index++;
    if (this.isKeyword("digraph") || this.isKeyword("graph")) {
      this.graph.directed = this.isKeyword("digraph");
      this.index++;
      if (this.peek()?.type === "id") this.index++;
      if (this.isOp("{")) this.index++;
    }
    while (this.index < this.tokens.length) this.statement();
  }

  private statement(): void {
    const token = this.peek();
    if (!token) return;
    if (token.type === "op") {
      if (token.value === "}") {
        this.index++;
        const closed = this.graph.close();
        if (closed && (this.isOp("->") || this.isOp("--"))) this.edgeChain([...closed]);
      } else if (token.value === "{") {
        this.index++;
        this.graph.open(null);
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
        this.graph.open(name);
      }
      return;
    }
    if ((keyword === "graph" || keyword === "node" || keyword === "edge") && this.isOp("[", 1)) {
      this.index++;
      this.graph.defaults(keyword, this.attributes());
      return;
    }
    if (this.isOp("=", 1)) {
      const value = this.peek(2);
      this.index += value?.type === "id" ? 3 : 2;
      if (value?.type === "id") this.graph.attribute(keyword, value.value);
      return;
    }
    const first = this.nodeId();
    if (first === null) return;
    if (this.isOp("->") || this.isOp("--")) {
      this.edgeChain([first]);
      return;
    }
    this.graph.node(first, this.attributes());
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
    this.graph.edges(operands, this.attributes());
  }

  /** One or more "[k=v, …]" lists, merged. */
  private attributes(): DotAttributes {
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

/** Reads a DOT source into the builder, skipping what it cannot read; never throws on any input. */
export function readDotLeniently(body: string, builder: DiagramBuilder): void {
  new LenientDotParser(tokenizeDot(body), builder).parse();
}
