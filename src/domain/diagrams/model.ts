/** The diagram model every parser produces, and the limits that keep reading any input cheap. */

export type DiagramFormat = "mermaid" | "plantuml" | "dot" | "d2" | "labels";

export type ComponentKind =
  "client" | "gateway" | "service" | "database" | "cache" | "queue" | "storage" | "external" | "function" | "component";

export interface DiagramComponent {
  /** The diagram's own id for the node; for "labels" input, a slug of the name. */
  id: string;
  name: string;
  kind: ComponentKind;
  /** Title of the innermost subgraph / package / cluster / boundary / container the component sits in. */
  group: string | null;
}

export interface DiagramConnection {
  /** Component ids. */
  from: string;
  to: string;
  label: string | null;
  kind: "sync" | "async" | "data" | "dependency";
}

export type ArchitecturePattern =
  | "microservices"
  | "event-driven"
  | "layered"
  | "client-server"
  | "mvc"
  | "pipeline"
  | "serverless"
  | "hexagonal"
  | "monolith"
  | "unknown";

export interface PatternGuess {
  pattern: ArchitecturePattern;
  confidence: "high" | "medium" | "low";
  evidence: string[];
}

export interface DiagramAnalysis {
  format: DiagramFormat;
  components: DiagramComponent[];
  connections: DiagramConnection[];
  pattern: PatternGuess;
  summary: string;
}

export interface ParsedDiagram {
  format: DiagramFormat;
  components: DiagramComponent[];
  connections: DiagramConnection[];
}

export const MAX_COMPONENTS = 500;
export const MAX_CONNECTIONS = 2_000;
/** A diagram of MAX_COMPONENTS fits many times over; the cap bounds the work on pasted logs or binary garbage. */
export const MAX_SOURCE_CHARS = 500_000;
/** Every pattern runs on one line cut to this length, so no regular expression can run long on a pathological line. */
export const MAX_LINE_CHARS = 2_000;
export const MAX_NAME_CHARS = 200;
/** Deeper nesting is flattened into the deepest group kept; real diagrams nest a handful of levels. */
export const MAX_NESTING = 64;
export const MAX_LABEL_CHARS = 60;
export const MAX_LABEL_WORDS = 8;
/** Evidence lists this many names and then "and N more", so one big diagram cannot make the evidence unreadable. */
export const MAX_NAMES_IN_EVIDENCE = 5;
