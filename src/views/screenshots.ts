import { z } from "zod";
import type { ScreenshotAnalysis } from "../domain/screenshots/screenshot-analysis";
import type { VisionReading } from "../domain/errors/error-recorder";
import { heldApprovalSchema, heldApprovalView } from "./llm";
import { isoTime } from "./records";

export const analysisResultSchema = z.object({
  source: z.enum(["vision", "ocr"]),
  model: z.string().nullable(),
  is_error: z.boolean(),
  error_type: z.string().nullable(),
  message: z.string().nullable(),
  file_path: z.string().nullable(),
  line_number: z.number().nullable(),
  stack_frames: z.array(z.object({ file: z.string(), line: z.number().nullable(), function: z.string().nullable() })),
  visible_code: z.string().nullable(),
  suspected_root_cause: z.string().nullable(),
  language: z.string().nullable(),
  confidence: z.enum(["high", "medium", "low"]).nullable(),
  analyzed_at: isoTime,
});

export const analysisViewSchema = z.object({
  vision: z.union([
    heldApprovalSchema,
    z.object({
      state: z.enum(["completed", "unreadable", "failed", "skipped"]),
      model: z.string().optional(),
      cost_usd: z.number().optional(),
      reason: z.string().optional(),
    }),
  ]),
  result: analysisResultSchema.nullable(),
});

export function visionNote(vision: VisionReading): string {
  switch (vision.state) {
    case "completed":
      return `read by ${vision.model}`;
    case "unreadable":
      return `${vision.model} answered, but not with the expected JSON; nothing was taken from it`;
    case "approval_required":
      return `held for approval (${vision.approval.id})`;
    case "failed":
      return `${vision.message} (${vision.code})`;
    case "skipped":
      return vision.reason;
  }
}

/** The analysis kept with the image, and how the vision reading went. */
export function analysisView(
  vision: VisionReading,
  analysis: ScreenshotAnalysis | null,
): z.output<typeof analysisViewSchema> {
  const status =
    vision.state === "approval_required"
      ? heldApprovalView(vision.approval)
      : {
          state: vision.state,
          ...(vision.state === "completed" || vision.state === "unreadable"
            ? { model: vision.model, cost_usd: vision.usd }
            : {}),
          ...(vision.state === "failed" || vision.state === "skipped" ? { reason: visionNote(vision) } : {}),
        };
  return { vision: status, result: analysis && analysisResultView(analysis) };
}

export function analysisResultView(analysis: ScreenshotAnalysis): z.output<typeof analysisResultSchema> {
  return {
    source: analysis.source,
    model: analysis.model,
    is_error: analysis.isError,
    error_type: analysis.errorType,
    message: analysis.message,
    file_path: analysis.filePath,
    line_number: analysis.lineNumber,
    stack_frames: analysis.stackFrames,
    visible_code: analysis.visibleCode,
    suspected_root_cause: analysis.suspectedRootCause,
    language: analysis.language,
    confidence: analysis.confidence,
    analyzed_at: new Date(analysis.analyzedAt).toISOString(),
  };
}
