/**
 * Collects what a parser reads (nodes, edges, groups) as drafts, and turns them into the diagram model once the whole
 * source is read, so a node's kind can use everything said about it wherever it was said.
 */

import { connectionKind, classifyComponentKind, kindFromName, type EdgeStyle } from "./classify";
import {
  MAX_COMPONENTS,
  MAX_CONNECTIONS,
  MAX_NAME_CHARS,
  MAX_NESTING,
  type ComponentKind,
  type DiagramComponent,
  type DiagramConnection,
} from "./model";
import { cleanText } from "./text";

export interface GroupRef {
  /** Mutable: DOT and D2 may give a cluster its title after its first member. */
  name: string;
  readonly parent: GroupRef | null;
}

function isWithin(group: GroupRef, ancestor: GroupRef | null): boolean {
  if (ancestor === null) return true;
  for (let current = group.parent; current; current = current.parent) {
    if (current === ancestor) return true;
  }
  return false;
}

export class GroupStack {
  /** The effective group at each open block; blocks that are not groups repeat their parent's. */
  private readonly frames: (GroupRef | null)[] = [];

  current(): GroupRef | null {
    return this.frames[this.frames.length - 1] ?? null;
  }

  push(name: string | null): GroupRef | null {
    const parent = this.current();
    const group = name && this.frames.length < MAX_NESTING ? { name, parent } : parent;
    this.frames.push(group);
    return group;
  }

  pop(): void {
    this.frames.pop();
  }
}

interface DraftComponent {
  readonly id: string;
  name: string | null;
  hint: string | null;
  /** Technology (C4), consulted only when name and shape say nothing. */
  tech: string | null;
  group: GroupRef | null;
}

export interface DraftConnection {
  readonly from: string;
  readonly to: string;
  readonly label: string | null;
  /** Words that inform the kind but are not the label, such as a C4 relation's technology. */
  readonly note: string | null;
  style: EdgeStyle;
}

export type Direction = "forward" | "back" | "both" | "none";

interface NodeOptions {
  name?: string | null;
  hint?: string | null;
  tech?: string | null;
  group?: GroupRef | null;
  /** A mention rather than a declaration: fills in what is missing but never overwrites. */
  weak?: boolean;
}

interface EdgeOptions {
  label?: string | null;
  note?: string | null;
  style?: EdgeStyle;
  direction?: Direction;
  group?: GroupRef | null;
}

export class DiagramBuilder {
  private readonly components = new Map<string, DraftComponent>();
  private readonly connections = new Map<string, DraftConnection>();

  has(id: string): boolean {
    return this.components.has(id);
  }

  /** Returns the component's id, or null when the id is empty or the component cap is reached. */
  node(rawId: string, options: NodeOptions = {}): string | null {
    const id = rawId.trim().slice(0, MAX_NAME_CHARS);
    if (!id) return null;
    let draft = this.components.get(id);
    if (!draft) {
      if (this.components.size >= MAX_COMPONENTS) return null;
      draft = { id, name: null, hint: null, tech: null, group: options.group ?? null };
      this.components.set(id, draft);
    } else if (options.group && isWithin(options.group, draft.group)) {
      draft.group = options.group;
    }
    const name = options.name ? cleanText(options.name) : "";
    if (name && (!options.weak || draft.name === null)) draft.name = name;
    if (options.hint && (!options.weak || draft.hint === null)) draft.hint = options.hint;
    if (options.tech && (!options.weak || draft.tech === null)) draft.tech = options.tech;
    return id;
  }

  /** Adds the endpoints as needed; returns the connections added (two for a bidirectional link). */
  edge(rawFrom: string, rawTo: string, options: EdgeOptions = {}): DraftConnection[] {
    const group = options.group ?? null;
    const first = this.node(rawFrom, { group, weak: true });
    const second = this.node(rawTo, { group, weak: true });
    if (first === null || second === null) return [];
    const label = options.label ? cleanText(options.label) || null : null;
    const direction = options.direction ?? "forward";
    const style = options.style ?? (direction === "none" ? "undirected" : "solid");
    const pairs: [string, string][] =
      direction === "back"
        ? [[second, first]]
        : direction === "both"
          ? [
              [first, second],
              [second, first],
            ]
          : [[first, second]];
    const added: DraftConnection[] = [];
    for (const [from, to] of pairs) {
      const key = `${from}\u0000${to}\u0000${label ?? ""}`;
      const existing = this.connections.get(key);
      if (existing) {
        added.push(existing);
        continue;
      }
      if (this.connections.size >= MAX_CONNECTIONS) break;
      const connection: DraftConnection = { from, to, label, note: options.note ?? null, style };
      this.connections.set(key, connection);
      added.push(connection);
    }
    return added;
  }

  /** `isContainer` drops nodes that only exist to hold others (D2 containers) unless a connection touches them. */
  build(isContainer?: (id: string) => boolean): { components: DiagramComponent[]; connections: DiagramConnection[] } {
    const connected = new Set<string>();
    for (const connection of this.connections.values()) {
      connected.add(connection.from);
      connected.add(connection.to);
    }
    const components: DiagramComponent[] = [];
    const kinds = new Map<string, ComponentKind>();
    for (const draft of this.components.values()) {
      if (isContainer?.(draft.id) && !connected.has(draft.id)) continue;
      const name = draft.name ?? draft.id;
      let kind = classifyComponentKind(name, draft.hint);
      if (kind === "component" && draft.tech) kind = kindFromName(draft.tech) ?? kind;
      // Ids are often more telling than display names ("ordersDb" shown as "Orders").
      if (kind === "component" && name !== draft.id) kind = kindFromName(draft.id) ?? kind;
      kinds.set(draft.id, kind);
      components.push({ id: draft.id, name, kind, group: draft.group?.name ?? null });
    }
    const connections: DiagramConnection[] = [];
    for (const draft of this.connections.values()) {
      const fromKind = kinds.get(draft.from);
      const toKind = kinds.get(draft.to);
      if (!fromKind || !toKind) continue;
      const text = [draft.label, draft.note].filter(Boolean).join(" ");
      connections.push({
        from: draft.from,
        to: draft.to,
        label: draft.label,
        kind: connectionKind(text, draft.style, fromKind, toKind),
      });
    }
    return { components, connections };
  }
}
