import { z } from "zod";
import type { ArchitectureDiagram } from "../domain/diagrams/diagram-service";
import { iso, isoTime } from "./records";

export const diagramViewSchema = z.object({
  diagram_id: z.string(),
  title: z.string(),
  source_format: z.string(),
  model: z.string().nullable(),
  components: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), group: z.string().nullable() })),
  connections: z.array(z.object({ from: z.string(), to: z.string(), label: z.string().nullable(), kind: z.string() })),
  pattern: z.string(),
  pattern_confidence: z.string(),
  evidence: z.array(z.string()),
  summary: z.string(),
  attachment_id: z.string().nullable(),
  decision_id: z.string().nullable(),
  created_at: isoTime,
});

export function diagramView(diagram: ArchitectureDiagram): z.output<typeof diagramViewSchema> {
  return {
    diagram_id: diagram.id,
    title: diagram.title,
    source_format: diagram.sourceFormat,
    model: diagram.model,
    components: diagram.components,
    connections: diagram.connections,
    pattern: diagram.pattern.pattern,
    pattern_confidence: diagram.pattern.confidence,
    evidence: diagram.pattern.evidence,
    summary: diagram.summary,
    attachment_id: diagram.attachmentId,
    decision_id: diagram.decisionId,
    created_at: iso(diagram.createdAt),
  };
}
