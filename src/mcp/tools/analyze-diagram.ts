import { z } from "zod";
import type { Project } from "../../domain/core/records";
import { DIAGRAM_LIMITS, type ArchitectureDiagram, type DiagramOutcome } from "../../domain/diagrams/diagram-service";
import { attachmentViewSchema } from "../../views/attachments";
import { diagramView, diagramViewSchema } from "../../views/diagrams";
import { elicitedDecision, heldApprovalSchema } from "../../views/llm";

/** The diagram as read (every field), or, while an image waits for approval, diagram_id null and the image. */
const analyzeDiagramOutput = diagramViewSchema.partial().extend({
  diagram_id: z.string().nullable(),
  image: attachmentViewSchema.nullable(),
  analysis: z.union([
    heldApprovalSchema,
    z.object({ state: z.literal("completed"), model: z.string(), cost_usd: z.number() }),
    z.object({ state: z.literal("parsed"), format: z.string() }),
  ]),
  ...elicitedDecision,
});
import { ATTACHMENT_LIMITS } from "../../domain/screenshots/attachments";
import { heldApproval, heldApprovalNote, heldApprovalView } from "../approvals";
import { scopedInput } from "../schema";
import { defineTool, type ToolOutput } from "../tool";
import { attachmentView } from "../../views/attachments";
import { plural } from "../render";

export const analyzeDiagramTool = defineTool({
  name: "coding_analyze_diagram",
  title: "Analyze architecture diagram",
  description:
    "Read an architecture diagram (components, connections, pattern) into the project context, from its source " +
    "or an image.",
  inputSchema: z.object({
    ...scopedInput,
    image: z
      .string()
      .max(Math.ceil((ATTACHMENT_LIMITS.bytes * 4) / 3) + 100)
      .nullish()
      .describe("attachment_id, data URL, base64 or https URL."),
    diagram_source: z.string().max(DIAGRAM_LIMITS.sourceChars).nullish().describe("Mermaid, PlantUML, DOT or D2."),
    title: z.string().max(DIAGRAM_LIMITS.titleChars).nullish().describe("e.g. 'Checkout'."),
    notes: z.string().max(DIAGRAM_LIMITS.notesChars).nullish().describe("Hints for the vision model."),
    record_decision: z.boolean().default(false).describe("Also record it as a design decision."),
  }),
  outputSchema: analyzeDiagramOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  access: "write",
  rest: { method: "POST", path: "/diagrams" },
  async run({ services, identity, project }, input) {
    const outcome = await services.diagrams.analyze(identity, project, {
      image: input.image ?? null,
      source: input.diagram_source ?? null,
      title: input.title ?? null,
      notes: input.notes ?? null,
      recordDecision: input.record_decision,
    });
    return renderDiagramOutcome(project, outcome);
  },
});

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
