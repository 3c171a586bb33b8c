/**
 * Images read by the project's vision model (CODING_MEMORY_VISION_MODEL or the project's vision_model): error
 * screenshots and architecture diagrams. Every call goes through the gateway, so it is bounded (an image by
 * its provider's billing formula at its real size, token-bounds.ts), held for approval above the threshold,
 * kept within the budget and recorded in the ledger.
 */
import type { z } from "zod";
import { AppError } from "../core/app-error";
import type { Attachment } from "../screenshots/attachments";
import { toBase64 } from "../core/encoding";
import type { PendingApproval } from "./ports";
import type { Project } from "../core/records";
import type { ApprovalDesk } from "./approvals";
import type { BudgetState, LlmGateway, LlmPolicy } from "./gateway";
import { parseJsonAnswer, runOrHold } from "./held-run";
import { modelLabel, resolveModel } from "./models";
import type { LlmSettingsService } from "./settings";

export const VISION_OUTPUT_TOKENS = 1_200;
const HINT_CHARS = 4_000;

export type VisionOperation = "screenshot_analysis" | "diagram_analysis";

export type VisionResult<T> =
  | { state: "ready"; answer: T | null; text: string; model: string; usd: number; budget: BudgetState }
  | { state: "approval_required"; approval: PendingApproval };

/** The project's LLM policy with its vision model as the model: read once per call, by `policy`. */
export interface VisionPolicy extends LlmPolicy {
  model: string;
  /** `provider/model`. */
  label: string;
}

export interface VisionRequest<T> {
  operation: VisionOperation;
  systemPrompt: string;
  /** What the model is told besides the image (OCR text, the user's notes). */
  instruction: string;
  image: { attachment: Attachment; bytes: Uint8Array };
  schema: z.ZodType<T>;
  /** What coding_approve needs to finish the operation when it is held. */
  hold: Pick<PendingApproval, "subjectId" | "input">;
}

export class VisionReader {
  constructor(
    private readonly gateway: LlmGateway,
    private readonly settings: LlmSettingsService,
    private readonly approvals: ApprovalDesk,
  ) {}

  /**
   * The policy a vision call runs under (the project's budget, threshold and approval settings, with the vision
   * model as the model); null when the project has no vision model.
   */
  async policy(projectId: string): Promise<VisionPolicy | null> {
    const settings = await this.settings.effective(projectId);
    if (!settings.visionModel) return null;
    const label = modelLabel(resolveModel(settings.visionModel, "vision_model"));
    return { ...settings, model: settings.visionModel, label };
  }

  async read<T>(
    userId: string,
    project: Project,
    policy: VisionPolicy,
    request: VisionRequest<T>,
    options: { approved: boolean },
  ): Promise<VisionResult<T>> {
    const run = await runOrHold(this.gateway, this.approvals, {
      context: { projectId: project.id, userId, sessionId: null, operation: request.operation },
      settings: policy,
      request: {
        system: request.systemPrompt,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: request.instruction.slice(0, HINT_CHARS) },
              {
                type: "image",
                mediaType: request.image.attachment.contentType,
                base64: toBase64(request.image.bytes),
              },
            ],
          },
        ],
        maxOutputTokens: VISION_OUTPUT_TOKENS,
        temperature: 0,
      },
      approved: options.approved,
      hold: { operation: request.operation, ...request.hold },
    });
    if (run.state === "approval_required") return run;
    // A policy always names its model, so the gateway cannot answer "no model" here.
    if (run.state === "skipped") throw new AppError("internal", `vision call skipped: ${run.reason}`);
    const { result } = run;
    return {
      state: "ready",
      answer: parseJsonAnswer(result.text, request.schema),
      text: result.text,
      model: policy.label,
      usd: result.usd,
      budget: result.budget,
    };
  }
}
