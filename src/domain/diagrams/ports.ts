import type { DiagramComponent, DiagramConnection, DiagramFormat, PatternGuess } from "./model";

/** Where analysed diagrams are kept (D1 in production: src/adapters/d1/diagram-store.ts). */
export interface DiagramStore {
  insert(diagram: ArchitectureDiagram): Promise<void>;
  linkDecision(projectId: string, id: string, decisionId: string): Promise<void>;
  get(projectId: string, id: string): Promise<ArchitectureDiagram | null>;
  /** Newest first. */
  list(projectId: string, limit: number): Promise<ArchitectureDiagram[]>;
}

export interface ArchitectureDiagram {
  id: string;
  projectId: string;
  title: string;
  sourceFormat: DiagramFormat | "vision";
  sourceText: string | null;
  attachmentId: string | null;
  /** The vision model that read the image, `provider/model`; null when parsed from source. */
  model: string | null;
  components: DiagramComponent[];
  connections: DiagramConnection[];
  pattern: PatternGuess;
  summary: string;
  decisionId: string | null;
  createdBy: string;
  createdAt: number;
}
