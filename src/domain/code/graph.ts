/**
 * Analyses of the internal import graph (edges file → file it imports). Plain TypeScript, iterative (no
 * recursion, so a 5,000-file chain cannot overflow the stack), and total: cycles are found and reported, never
 * an exception.
 */

export class ImportGraph {
  private readonly out = new Map<string, Set<string>>();
  private readonly into = new Map<string, Set<string>>();
  /** The graph never changes after construction, so its components are computed once. */
  private componentCache: string[][] | undefined;

  constructor(edges: Iterable<readonly [from: string, to: string]>, files: Iterable<string> = []) {
    for (const file of files) this.add(file);
    for (const [from, to] of edges) {
      this.add(from);
      this.add(to);
      if (from !== to) {
        this.out.get(from)?.add(to);
        this.into.get(to)?.add(from);
      }
    }
  }

  private add(file: string) {
    if (!this.out.has(file)) {
      this.out.set(file, new Set());
      this.into.set(file, new Set());
    }
  }

  has(file: string): boolean {
    return this.out.has(file);
  }

  files(): string[] {
    return [...this.out.keys()].sort();
  }

  imports(file: string): string[] {
    return [...(this.out.get(file) ?? [])].sort();
  }

  importedBy(file: string): string[] {
    return [...(this.into.get(file) ?? [])].sort();
  }

  /** Every file that depends on `file`, directly or through others, with its distance. */
  dependents(file: string): Map<string, number> {
    const distance = new Map<string, number>();
    let frontier = [file];
    for (let level = 1; frontier.length; level += 1) {
      const next: string[] = [];
      for (const current of frontier) {
        for (const dependent of this.into.get(current) ?? []) {
          if (dependent === file || distance.has(dependent)) continue;
          distance.set(dependent, level);
          next.push(dependent);
        }
      }
      frontier = next;
    }
    return distance;
  }

  /** Strongly connected components (Tarjan, iterative); each component of more than one file is a cycle group. */
  components(): string[][] {
    this.componentCache ??= this.computeComponents();
    return this.componentCache;
  }

  /** The cycle group `file` belongs to (just the file when it is on no cycle). */
  componentOf(file: string): string[] {
    return this.components().find((component) => component.includes(file)) ?? [file];
  }

  private computeComponents(): string[][] {
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const result: string[][] = [];
    let counter = 0;
    for (const root of this.files()) {
      if (index.has(root)) continue;
      const work: Array<{ node: string; children: string[]; next: number }> = [];
      const open = (node: string) => {
        index.set(node, counter);
        low.set(node, counter);
        counter += 1;
        stack.push(node);
        onStack.add(node);
        work.push({ node, children: this.imports(node), next: 0 });
      };
      open(root);
      while (work.length) {
        const frame = work[work.length - 1] as { node: string; children: string[]; next: number };
        if (frame.next < frame.children.length) {
          const child = frame.children[frame.next] as string;
          frame.next += 1;
          if (!index.has(child)) open(child);
          else if (onStack.has(child)) low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(child) ?? 0));
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
        if (low.get(frame.node) === index.get(frame.node)) {
          const component: string[] = [];
          for (;;) {
            const member = stack.pop() as string;
            onStack.delete(member);
            component.push(member);
            if (member === frame.node) break;
          }
          result.push(component.sort());
        }
      }
    }
    return result;
  }

  /** Each cycle group as one concrete cycle path (a → b → … → a), found inside the group by BFS. */
  cycles(): string[][] {
    return this.components()
      .filter((component) => component.length > 1)
      .map((component) => this.cycleThrough(component[0] as string, component));
  }

  /** The shortest import cycle from `start` back to itself, or null when it is on none. */
  cycleFrom(start: string): string[] | null {
    const component = this.componentOf(start);
    return component.length > 1 ? this.cycleThrough(start, component) : null;
  }

  private cycleThrough(start: string, component: string[]): string[] {
    const members = new Set(component);
    // Shortest path from start back to start inside the component.
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length) {
      const current = queue.shift() as string;
      for (const next of this.imports(current)) {
        if (!members.has(next)) continue;
        if (next === start) {
          const path = [current];
          let cursor = current;
          while (cursor !== start) {
            cursor = previous.get(cursor) as string;
            path.push(cursor);
          }
          return [...path.reverse(), start];
        }
        if (!previous.has(next)) {
          previous.set(next, current);
          queue.push(next);
        }
      }
    }
    return [start, start];
  }

  /**
   * Longest chain of internal imports below each file (0 for a file importing nothing internal). Files of one
   * cycle group share the depth of the group, counted once.
   */
  depths(): Map<string, number> {
    const components = this.components(); // reverse topological order: dependencies first
    const groupOf = new Map<string, number>();
    components.forEach((component, group) => component.forEach((file) => groupOf.set(file, group)));
    const groupDepth: number[] = [];
    components.forEach((component, group) => {
      let depth = 0;
      for (const file of component) {
        for (const dependency of this.out.get(file) ?? []) {
          const other = groupOf.get(dependency) as number;
          if (other !== group) depth = Math.max(depth, (groupDepth[other] ?? 0) + 1);
        }
      }
      groupDepth[group] = depth;
    });
    return new Map([...groupOf].map(([file, group]) => [file, groupDepth[group] ?? 0]));
  }

  /**
   * A safe order to refactor `files` in: each file after everything it depends on, also through files that are
   * not in the list (leaves first). Files of one import cycle cannot be ordered among themselves: they form
   * one step, flagged as a cycle. Files not in the graph are left out.
   */
  refactorOrder(files: string[]): Array<{ files: string[]; cycle: boolean }> {
    const selected = new Set(files.filter((file) => this.has(file)));
    // Tarjan emits the components of the whole graph dependencies-first, so their order is a safe order.
    const steps: Array<{ files: string[]; cycle: boolean }> = [];
    for (const component of this.components()) {
      const chosen = component.filter((file) => selected.has(file));
      if (chosen.length) steps.push({ files: chosen, cycle: component.length > 1 });
    }
    return steps;
  }
}

/**
 * Risk of changing a file, from how many files depend on it: high from 5 direct or 10 transitive dependents,
 * medium from 3 transitive, else low. The thresholds are part of the tool's documented contract.
 */
export const IMPACT_THRESHOLDS = { highDirect: 5, highTransitive: 10, mediumTransitive: 3 } as const;

export function impactRisk(direct: number, transitive: number): "high" | "medium" | "low" {
  if (direct >= IMPACT_THRESHOLDS.highDirect || transitive >= IMPACT_THRESHOLDS.highTransitive) return "high";
  return transitive >= IMPACT_THRESHOLDS.mediumTransitive ? "medium" : "low";
}
