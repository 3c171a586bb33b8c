import { z } from "zod";
import { DIAGRAM_LIMITS } from "../../domain/diagrams/diagram-service";
import { ATTACHMENT_LIMITS } from "../../domain/screenshots/attachments";
import { attachmentViewSchema } from "../../views/attachments";
import { diagramViewSchema, renderDiagramOutcome } from "../../views/diagrams";
import { elicitedDecision, heldApprovalSchema } from "../../views/llm";
import { scopedInput } from "../schema";
import { defineTool, type Resume } from "../tool";

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

/** coding_approve of a held diagram image: the vision model reads it now. */
export const resumeDiagramAnalysis: Resume = async ({ services, identity, project }, approval) => {
  const output = renderDiagramOutcome(project, await services.diagrams.runApproved(identity, project, approval));
  return { data: output.data, text: `Approved.\n${output.text}` };
};
