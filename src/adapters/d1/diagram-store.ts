import { and, desc, eq } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import type { ArchitectureDiagram } from "../../domain/diagrams/diagram-service";
import type { DiagramStore } from "../../domain/diagrams/ports";
import type { DiagramComponent, DiagramConnection, PatternGuess } from "../../domain/diagrams";
import * as schema from "./schema";

const { architectureDiagrams } = schema;

export class D1DiagramStore implements DiagramStore {
  private readonly db: DrizzleD1Database<typeof schema>;

  constructor(d1: D1Database) {
    this.db = drizzle(d1, { schema });
  }

  async insert(diagram: ArchitectureDiagram): Promise<void> {
    await this.db.insert(architectureDiagrams).values({
      ...diagram,
      components: JSON.stringify(diagram.components),
      connections: JSON.stringify(diagram.connections),
      pattern: diagram.pattern.pattern,
      patternConfidence: diagram.pattern.confidence,
      evidence: JSON.stringify(diagram.pattern.evidence),
    });
  }

  async linkDecision(projectId: string, id: string, decisionId: string): Promise<void> {
    await this.db
      .update(architectureDiagrams)
      .set({ decisionId })
      .where(and(eq(architectureDiagrams.projectId, projectId), eq(architectureDiagrams.id, id)));
  }

  async get(projectId: string, id: string): Promise<ArchitectureDiagram | null> {
    const row = await this.db
      .select()
      .from(architectureDiagrams)
      .where(and(eq(architectureDiagrams.projectId, projectId), eq(architectureDiagrams.id, id)))
      .get();
    return row ? fromRow(row) : null;
  }

  async list(projectId: string, limit: number): Promise<ArchitectureDiagram[]> {
    const rows = await this.db
      .select()
      .from(architectureDiagrams)
      .where(eq(architectureDiagrams.projectId, projectId))
      .orderBy(desc(architectureDiagrams.createdAt), desc(architectureDiagrams.id))
      .limit(limit);
    return rows.map(fromRow);
  }
}

function fromRow(row: typeof architectureDiagrams.$inferSelect): ArchitectureDiagram {
  return {
    ...row,
    sourceFormat: row.sourceFormat as ArchitectureDiagram["sourceFormat"],
    components: JSON.parse(row.components) as DiagramComponent[],
    connections: JSON.parse(row.connections) as DiagramConnection[],
    pattern: {
      pattern: row.pattern as PatternGuess["pattern"],
      confidence: row.patternConfidence as PatternGuess["confidence"],
      evidence: JSON.parse(row.evidence) as string[],
    },
  };
}
