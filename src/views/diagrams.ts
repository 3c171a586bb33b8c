import { z } from "zod";
import type { Project } from "../domain/core/records";
import type { ArchitectureDiagram, DiagramOutcome } from "../domain/diagrams/diagram-service";
import { attachmentView } from "./attachments";
import { heldApproval, heldApprovalNote, heldApprovalView } from "./llm";
import type { ToolOutput } from "./output";
import { iso, isoTime } from "./records";
import { plural } from "./render";

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

export function renderDiagram(diagram: ArchitectureDiagram): string {
  const names = new Map(diagram.components.map((component) => [component.id, component.name]));
  const lines = [
    `Architecture "${diagram.title}": ${diagram.pattern.pattern} (${diagram.pattern.confidence} confidence) — ` +
      `${plural(diagram.components.length, "component")}, ${plural(diagram.connections.length, "connection")}.`,
    diagram.summary,
    `Components: ${diagram.components.map((c) => `${c.name} (${c.kind}${c.group ? `, in ${c.group}` : ""})`).join("; ")}`,
  ];
  if (diagram.connections.length) {
    const shown = diagram.connections.slice(0, 40).map((c) => {
      const arrow = c.kind === "async" ? "⇢" : "→";
      return `${names.get(c.from) ?? c.from} ${arrow} ${names.get(c.to) ?? c.to}${c.label ? ` (${c.label})` : ""}`;
    });
    const more = diagram.connections.length - shown.length;
    lines.push(`Connections: ${shown.join("; ")}${more > 0 ? `; and ${more} more` : ""}`);
  }
  if (diagram.pattern.evidence.length) lines.push(`Evidence: ${diagram.pattern.evidence.join("; ")}`);
  return lines.join("\n");
}

export function renderDiagramOutcome(project: Project, outcome: DiagramOutcome): ToolOutput {
  if (outcome.state === "held") {
    return {
      data: {
        diagram_id: null,
        image: attachmentView(project, outcome.image),
        analysis: heldApprovalView(outcome.approval),
      },
      text:
        `Diagram image stored as ${outcome.image.id}.\n` +
        heldApprovalNote("reading the diagram", outcome.approval) +
        "\nOr pass its source in diagram_source (Mermaid, PlantUML, DOT, D2), which costs nothing.",
      ...heldApproval("reading the architecture diagram", outcome.approval),
    };
  }
  const { diagram, decision, vision } = outcome;
  const text = [
    renderDiagram(diagram),
    `Kept in the project context as diagram ${diagram.id}` +
      (decision ? `, and recorded as decision ${decision.id}.` : "."),
    ...(vision ? [`Read by ${vision.model} for $${vision.usd.toFixed(4)}.`] : []),
  ].join("\n");
  return {
    data: {
      ...diagramView(diagram),
      image: outcome.image && attachmentView(project, outcome.image),
      analysis: vision
        ? { state: "completed", model: vision.model, cost_usd: vision.usd }
        : { state: "parsed", format: diagram.sourceFormat },
    },
    text,
  };
}
