/**
 * D2 (Terrastruct): shapes, containers (as groups), edges with labels, and the shape/label/style keywords that say
 * what a node is.
 *
 * Hand-written because no maintained D2 parser runs in a Worker as a library: D2 is written in Go, and its only npm
 * package, `@terrastruct/d2`, wraps the WASM build of the whole compiler and renderer to turn source into SVG, not
 * into a syntax tree (checked with `npm view`, December 2026).
 */

import type { DiagramBuilder, Direction, DraftConnection, GroupRef } from "./builder";
import { MAX_NESTING } from "./model";
import { cleanText, wordSet } from "./text";

const D2_RESERVED = wordSet(
  "shape label style icon near tooltip link width height top left direction constraint class " +
    "classes vars grid-rows grid-columns grid-gap vertical-gap horizontal-gap source-arrowhead " +
    "target-arrowhead layers scenarios steps filled opacity stroke fill stroke-dash stroke-width " +
    "font-size font-color font bold italic underline border-radius shadow multiple 3d animated " +
    "double-border text-transform label-position icon-position",
);

interface D2Scope {
  kind: "node" | "edge" | "style" | "ignore";
  /** Path of the node whose block this is ("node"/"style" on a node), relative keys are resolved against it. */
  path: string[];
  edges: DraftConnection[];
  /** SQL tables and UML classes list fields, not child shapes. */
  fields: boolean;
}

/** Splits a key on "." outside quotes and unquotes each segment. */
function d2Path(key: string): string[] {
  const segments: string[] = [];
  let current = "";
  let quote: string | null = null;
  for (const char of key) {
    if (quote) {
      if (char === quote) quote = null;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === ".") {
      segments.push(current.trim());
      current = "";
    } else {
      current += char;
    }
  }
  segments.push(current.trim());
  return segments.filter((segment) => segment.length > 0);
}

/** Splits "a -> b <- c" into endpoints and operators, outside quotes. */
function d2EdgeParts(key: string): { endpoints: string[]; operators: string[] } {
  const endpoints: string[] = [];
  const operators: string[] = [];
  let current = "";
  let quote: string | null = null;
  for (let index = 0; index < key.length; index++) {
    const char = key[index] ?? "";
    if (quote) {
      if (char === quote) quote = null;
      current += char;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      current += char;
      continue;
    }
    const operator = ["<->", "-->", "->", "<-", "--"].find((candidate) => key.startsWith(candidate, index));
    if (operator) {
      endpoints.push(current.trim());
      operators.push(operator === "-->" ? "->" : operator);
      current = "";
      index += operator.length - 1;
      continue;
    }
    current += char;
  }
  endpoints.push(current.trim());
  return { endpoints, operators };
}

/** Index of the first ":" outside quotes, or -1. */
function d2Colon(text: string): number {
  let quote: string | null = null;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === ":") {
      return index;
    }
  }
  return -1;
}

export class D2Parser {
  private readonly scopes: D2Scope[] = [{ kind: "node", path: [], edges: [], fields: false }];
  private readonly containers = new Set<string>();
  private readonly groups = new Map<string, GroupRef>();
  private readonly labels = new Map<string, string>();

  constructor(private readonly builder: DiagramBuilder) {}

  isContainer(id: string): boolean {
    return this.containers.has(id);
  }

  parse(text: string): void {
    let statement = "";
    /** Last non-blank character of the statement so far; rescanning the statement for it would be quadratic. */
    let lastNonBlank = "";
    let quote: string | null = null;
    const length = text.length;
    for (let index = 0; index < length; index++) {
      const char = text[index] ?? "";
      const previousNonBlank = lastNonBlank;
      if (char === "\n" || char === ";" || char === "{" || char === "}") lastNonBlank = "";
      else if (char !== " " && char !== "\t" && char !== "\r") lastNonBlank = char;
      if (quote) {
        statement += char;
        if (char === "\\") {
          statement += text[index + 1] ?? "";
          index++;
        } else if (char === quote) {
          quote = null;
        }
        continue;
      }
      if (char === '"' || char === "'") {
        quote = char;
        statement += char;
      } else if (char === "#" && /^\s?$/.test(statement[statement.length - 1] ?? "")) {
        const end = text.indexOf("\n", index);
        index = (end < 0 ? length : end) - 1;
      } else if (char === "|" && previousNonBlank === ":") {
        // Block string (|md … |): its pipes and braces are content, not syntax.
        let pipes = 1;
        while (text[index + pipes] === "|") pipes++;
        const close = text.indexOf("|".repeat(pipes), index + pipes);
        index = (close < 0 ? length : close + pipes) - 1;
        statement += '""';
      } else if (char === "\n" || char === ";") {
        this.statement(statement, false);
        statement = "";
      } else if (char === "{") {
        this.open(this.statement(statement, true));
        statement = "";
      } else if (char === "}") {
        this.statement(statement, false);
        statement = "";
        if (this.scopes.length > 1) this.scopes.pop();
      } else {
        statement += char;
      }
    }
    this.statement(statement, false);
  }

  private open(scope: D2Scope | null): void {
    const parent = this.scopes[this.scopes.length - 1];
    const depthExceeded = this.scopes.length >= MAX_NESTING;
    this.scopes.push(
      scope && !depthExceeded ? scope : { kind: "ignore", path: parent?.path ?? [], edges: [], fields: false },
    );
  }

  private groupFor(path: readonly string[]): GroupRef | null {
    if (path.length < 2) return null;
    let group: GroupRef | null = null;
    for (let depth = 1; depth < path.length && depth <= MAX_NESTING; depth++) {
      const id = path.slice(0, depth).join(".");
      this.containers.add(id);
      let next = this.groups.get(id);
      if (!next) {
        next = { name: this.labels.get(id) ?? path[depth - 1] ?? id, parent: group };
        this.groups.set(id, next);
      }
      group = next;
    }
    return group;
  }

  private setLabel(id: string, label: string): void {
    this.labels.set(id, label);
    const group = this.groups.get(id);
    if (group) group.name = label;
  }

  /** Handles one statement; when it opens a block, returns the scope for that block (null: ignore the block). */
  private statement(raw: string, opens: boolean): D2Scope | null {
    const text = raw.trim();
    const scope = this.scopes[this.scopes.length - 1];
    if (!text || !scope || scope.kind === "ignore") return null;
    const colon = d2Colon(text);
    const key = (colon < 0 ? text : text.slice(0, colon)).trim();
    const rawValue = colon < 0 ? "" : text.slice(colon + 1).trim();
    const value = cleanText(rawValue);
    if (!key) return null;
    if (scope.kind === "style" || scope.kind === "edge") {
      const path = d2Path(key).map((segment) => segment.toLowerCase());
      if (path[path.length - 1] === "stroke-dash" && Number.parseFloat(value) > 0) {
        for (const edge of scope.edges) edge.style = "dotted";
      }
      if (opens && path.length === 1 && path[0] === "style") return { ...scope, kind: "style" };
      return null;
    }
    // Globs, imports and edge references ("(a -> b)[0]") restyle what is already declared.
    if (key.startsWith("(") || key.startsWith("...") || key.startsWith("@") || key.includes("*")) return null;
    const { endpoints, operators } = d2EdgeParts(key);
    if (operators.length > 0) return this.edges(endpoints, operators, value, scope, opens);
    const segments = d2Path(key);
    const lowered = segments.map((segment) => segment.toLowerCase());
    const reservedAt = lowered.findIndex((segment) => D2_RESERVED.has(segment));
    if (reservedAt >= 0) {
      const owner = [...scope.path, ...segments.slice(0, reservedAt)];
      const ownerId = owner.join(".");
      const keyword = lowered[reservedAt];
      const last = reservedAt === segments.length - 1;
      if (owner.length > 0 && last && keyword === "shape" && value) {
        this.builder.node(ownerId, { hint: value, group: this.groupFor(owner) });
        if ((value === "sql_table" || value === "class") && reservedAt === 0) scope.fields = true;
      } else if (owner.length > 0 && last && keyword === "label" && value) {
        this.builder.node(ownerId, { name: value, group: this.groupFor(owner) });
        this.setLabel(ownerId, value);
      }
      return null;
    }
    if (scope.fields || value === "null") return null;
    const path = [...scope.path, ...segments];
    const id = this.builder.node(path.join("."), { name: value || null, group: this.groupFor(path) });
    if (id !== null && value) this.setLabel(id, value);
    return opens && id !== null ? { kind: "node", path, edges: [], fields: false } : null;
  }

  private edges(
    endpoints: readonly string[],
    operators: readonly string[],
    label: string,
    scope: D2Scope,
    opens: boolean,
  ): D2Scope | null {
    const ids: (string | null)[] = endpoints.map((endpoint) => {
      const segments = d2Path(endpoint);
      if (segments.length === 0 || segments.some((segment) => D2_RESERVED.has(segment.toLowerCase()))) return null;
      const path = [...scope.path, ...segments];
      return this.builder.node(path.join("."), { group: this.groupFor(path), weak: true });
    });
    const added: DraftConnection[] = [];
    operators.forEach((operator, index) => {
      const from = ids[index];
      const to = ids[index + 1];
      if (!from || !to) return;
      const direction: Direction =
        operator === "<->" ? "both" : operator === "<-" ? "back" : operator === "--" ? "none" : "forward";
      added.push(...this.builder.edge(from, to, { label: label || null, direction }));
    });
    return opens ? { kind: "edge", path: scope.path, edges: added, fields: false } : null;
  }
}
