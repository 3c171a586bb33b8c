import type { ArchitectureDiagram } from "./diagram-service";

/** Where analysed diagrams are kept (D1 in production: src/adapters/d1/diagram-store.ts). */
export interface DiagramStore {
  insert(diagram: ArchitectureDiagram): Promise<void>;
  linkDecision(projectId: string, id: string, decisionId: string): Promise<void>;
  get(projectId: string, id: string): Promise<ArchitectureDiagram | null>;
  /** Newest first. */
  list(projectId: string, limit: number): Promise<ArchitectureDiagram[]>;
}
