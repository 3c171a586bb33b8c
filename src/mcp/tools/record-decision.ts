import { z } from "zod";
import { LIMITS } from "../../domain/core/limits";
import { scopedInput, stringList } from "../schema";
import { defineTool } from "../tool";
import { redactionsSchema } from "../../views/records";

const recordDecisionOutput = z.object({
  decision_id: z.string(),
  decision: z.string(),
  session_id: z.string().nullable(),
  related_files: z.array(z.string()),
  confidence: z.number(),
  redactions: redactionsSchema,
});

export const recordDecisionTool = defineTool({
  name: "coding_record_decision",
  title: "Record design decision",
  description: "Record a design decision with its rationale and rejected alternatives.",
  inputSchema: z.object({
    ...scopedInput,
    decision: z.string().min(1).max(LIMITS.decisionChars),
    rationale: z.string().min(1).max(LIMITS.rationaleChars),
    alternatives: stringList("Rejected alternatives."),
    impact: z.string().max(LIMITS.rationaleChars).nullish(),
    tags: stringList("e.g. architecture, security.", LIMITS.tagChars),
    related_files: stringList("", LIMITS.filePathChars),
    confidence: z.number().min(0).max(1).default(0.8).describe("How sure the team is, 0..1."),
  }),
  outputSchema: recordDecisionOutput,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  access: "write",
  rest: { method: "POST", path: "/decisions" },
  async run({ services, identity, project }, input) {
    const { decision, sessionId, redactions } = await services.decisions.recordDecision(identity, project, {
      decision: input.decision,
      rationale: input.rationale,
      alternatives: input.alternatives,
      impact: input.impact ?? null,
      tags: input.tags,
      relatedFiles: input.related_files,
      confidence: input.confidence,
    });
    return {
      data: {
        decision_id: decision.id,
        decision: decision.decision,
        session_id: sessionId,
        related_files: decision.relatedFiles,
        confidence: decision.confidence,
        redactions,
      },
      text:
        `Decision recorded (${decision.id}): ${decision.decision}` +
        (sessionId ? ` — linked to session ${sessionId}.` : "."),
    };
  },
});
