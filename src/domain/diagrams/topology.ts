/** The graph view of a parsed diagram that the pattern rules ask: who connects to whom, and of which kind. */

import type { ComponentKind, DiagramComponent, DiagramConnection } from "./model";

export class Topology {
  readonly byId = new Map<string, DiagramComponent>();
  private readonly outgoing = new Map<string, Set<string>>();
  private readonly incoming = new Map<string, Set<string>>();

  constructor(
    readonly components: readonly DiagramComponent[],
    readonly connections: readonly DiagramConnection[],
  ) {
    for (const component of components) this.byId.set(component.id, component);
    for (const connection of connections) {
      if (connection.from === connection.to) continue;
      if (!this.byId.has(connection.from) || !this.byId.has(connection.to)) continue;
      this.link(this.outgoing, connection.from, connection.to);
      this.link(this.incoming, connection.to, connection.from);
    }
  }

  private link(map: Map<string, Set<string>>, key: string, value: string): void {
    let set = map.get(key);
    if (!set) {
      set = new Set();
      map.set(key, set);
    }
    set.add(value);
  }

  successors(id: string): ReadonlySet<string> {
    return this.outgoing.get(id) ?? new Set();
  }

  predecessors(id: string): ReadonlySet<string> {
    return this.incoming.get(id) ?? new Set();
  }

  neighbors(id: string): string[] {
    return [...new Set([...this.successors(id), ...this.predecessors(id)])];
  }

  kind(id: string): ComponentKind | undefined {
    return this.byId.get(id)?.kind;
  }

  names(ids: Iterable<string>): string[] {
    return [...ids].map((id) => this.byId.get(id)?.name ?? id);
  }

  ofKind(...kinds: ComponentKind[]): DiagramComponent[] {
    return this.components.filter((component) => kinds.includes(component.kind));
  }
}
