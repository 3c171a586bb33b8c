/**
 * Recording an error from a screenshot. The image is stored, then read, before the error is recorded: the
 * fields it yields (type, message, stack) are the error's identity, so they must be known when its fingerprint
 * is computed. Readers, best first: what the caller typed, the project's vision model, the text OCR found on
 * the developer's machine. When the vision model needs the user's approval and nothing else says what the
 * error is, nothing is recorded until the approval; when the other fields suffice, the error is recorded now
 * and the approved analysis later fills what is still empty.
 */
import { afterCommit, type AfterCommitWarning } from "../core/after-commit";
import { AppError } from "../core/app-error";
import type { Attachment, AttachmentService } from "../screenshots/attachments";
import type { VisionPolicy, VisionReader } from "../llm/vision";
import type { ErrorRecords } from "./error-records";
import type { PendingApproval } from "../llm/ports";
import type { Runtime } from "../core/ports";
import type { Identity, Project } from "../core/records";
import { redactSecrets } from "../core/redaction";
import {
  analysisFromVision,
  analysisSearchText,
  framesAsStackTrace,
  mergeErrorFields,
  readOcrText,
  visionAnswerSchema,
  type ScreenshotAnalysis,
} from "../screenshots/screenshot-analysis";

export interface ScreenshotErrorInput {
  errorType: string | null;
  message: string | null;
  stackTrace: string | null;
  filePath: string | null;
  lineNumber: number | null;
  solution: string | null;
  tags: string[];
  /** As the caller passed it: attachment id, data URL, base64 or https URL. */
  screenshot: string | null;
  screenshotText: string | null;
  /** Ask the vision model (when the project has one). */
  analyze: boolean;
}

/** What became of reading the screenshot with the vision model. */
export type VisionReading =
  | { state: "completed"; analysis: ScreenshotAnalysis; model: string; usd: number }
  | { state: "unreadable"; model: string; usd: number }
  | { state: "approval_required"; approval: PendingApproval }
  | { state: "failed"; code: string; message: string }
  | { state: "skipped"; reason: string };

type Recorded = Awaited<ReturnType<ErrorRecords["recordError"]>>;

export type ScreenshotRecordOutcome =
  | {
      state: "recorded";
      result: Recorded;
      screenshot: Attachment | null;
      vision: VisionReading;
      /** The analysis kept with the image: the vision model's, else OCR's. */
      analysis: ScreenshotAnalysis | null;
      /** Fields the screenshot supplied (not typed by the caller). */
      fromScreenshot: string[];
      /** Steps after the error was stored that could not be completed. */
      warnings: AfterCommitWarning[];
    }
  | { state: "held"; screenshot: Attachment; approval: PendingApproval }
  | {
      state: "enriched";
      errorId: string;
      screenshot: Attachment;
      vision: VisionReading;
      analysis: ScreenshotAnalysis | null;
      filled: string[];
    };

const NOT_REQUESTED = "analysis not requested (analyze: false)";
const NO_VISION_MODEL = "no vision model configured (vision_model, or CODING_MEMORY_VISION_MODEL)";

export class ErrorRecorder {
  constructor(
    private readonly errors: ErrorRecords,
    private readonly attachments: AttachmentService,
    private readonly vision: VisionReader,
    private readonly systemPrompt: string,
    private readonly runtime: Pick<Runtime, "now">,
  ) {}

  async record(
    identity: Identity,
    project: Project,
    input: ScreenshotErrorInput,
    options: { approved: boolean } = { approved: false },
  ): Promise<ScreenshotRecordOutcome> {
    const ocr = input.screenshotText ? readOcrText(input.screenshotText, this.runtime.now()) : null;
    const withoutVision = mergeErrorFields(input, null, ocr);
    const policy = input.screenshot !== null && input.analyze ? await this.vision.policy(project.id) : null;
    // Refused before anything is stored when no reader could supply the missing fields.
    if (!policy) requireIdentity(withoutVision, input.screenshot !== null);

    const screenshot = input.screenshot
      ? await this.attachments.fromArgument(identity, project, input.screenshot)
      : null;
    const vision: VisionReading = !screenshot
      ? { state: "skipped", reason: "no screenshot" }
      : policy
        ? await this.read(identity, project, policy, screenshot, input, options.approved)
        : { state: "skipped", reason: input.analyze ? NO_VISION_MODEL : NOT_REQUESTED };
    if (vision.state === "approval_required" && screenshot && !hasIdentity(withoutVision)) {
      return { state: "held", screenshot, approval: vision.approval };
    }
    const visionAnalysis = vision.state === "completed" ? vision.analysis : null;
    const fields = mergeErrorFields(input, visionAnalysis, ocr);
    requireIdentity(fields, screenshot !== null, screenshot, vision);

    const result = await this.errors.recordError(identity, project, {
      errorType: fields.errorType,
      message: fields.message,
      stackTrace: fields.stackTrace,
      filePath: fields.filePath,
      lineNumber: fields.lineNumber,
      solution: input.solution,
      tags: input.tags,
      searchContext: visionAnalysis ? analysisSearchText(visionAnalysis) : null,
    });
    const analysis = visionAnalysis ?? ocr?.analysis ?? null;
    // The error is stored: what follows only annotates the screenshot and must not fail the call.
    const warnings: AfterCommitWarning[] = [];
    if (screenshot) {
      const linked = screenshot;
      await afterCommit(
        "screenshot_link",
        () => this.attachments.linkToError(project, linked, result.error.id),
        undefined,
        warnings,
      );
      if (analysis) {
        await afterCommit(
          "screenshot_analysis",
          () => this.attachments.saveAnalysis(project, linked, redactAnalysis(analysis)),
          undefined,
          warnings,
        );
      }
    }
    const fromScreenshot = (["errorType", "message", "stackTrace", "filePath", "lineNumber"] as const)
      .filter((key) => input[key] === null && fields[key] !== null)
      .map(snakeCase);
    return { state: "recorded", result, screenshot, vision, analysis, fromScreenshot, warnings };
  }

  /** The user approved a held screenshot analysis: record the error it was holding, or fill the one recorded. */
  async runApproved(identity: Identity, project: Project, approval: PendingApproval): Promise<ScreenshotRecordOutcome> {
    const input = heldInput(approval);
    const screenshot = await this.attachments.fromArgument(identity, project, approval.subjectId);
    if (!screenshot.errorId)
      return this.record(identity, project, { ...input, screenshot: screenshot.id }, { approved: true });
    const policy = await this.vision.policy(project.id);
    const vision: VisionReading = policy
      ? await this.read(identity, project, policy, screenshot, input, true)
      : { state: "skipped", reason: NO_VISION_MODEL };
    if (vision.state !== "completed") {
      return { state: "enriched", errorId: screenshot.errorId, screenshot, vision, analysis: null, filled: [] };
    }
    const { analysis } = vision;
    const { filled } = await this.errors.fillErrorDetails(project, screenshot.errorId, {
      filePath: analysis.isError ? analysis.filePath : null,
      lineNumber: analysis.isError ? analysis.lineNumber : null,
      stackTrace: analysis.isError ? framesAsStackTrace(analysis) : null,
      context: analysisSearchText(analysis),
    });
    await this.attachments.saveAnalysis(project, screenshot, redactAnalysis(analysis));
    return { state: "enriched", errorId: screenshot.errorId, screenshot, vision, analysis, filled };
  }

  private async read(
    identity: Identity,
    project: Project,
    policy: VisionPolicy,
    screenshot: Attachment,
    input: ScreenshotErrorInput,
    approved: boolean,
  ): Promise<VisionReading> {
    const { bytes } = await this.attachments.read(project, screenshot.id);
    const given = [
      input.errorType && `error type: ${input.errorType}`,
      input.message && `message: ${input.message}`,
      input.filePath && `file: ${input.filePath}`,
    ].filter(Boolean);
    const instruction = [
      `Screenshot of an error, recorded in the project "${project.slug}".`,
      given.length ? `The developer says: ${given.join("; ")}.` : "",
      input.screenshotText ? `Text read from the image by OCR:\n${input.screenshotText}` : "",
    ]
      .filter(Boolean)
      .join("\n\n");
    try {
      const result = await this.vision.read(
        identity.userId,
        project,
        policy,
        {
          operation: "screenshot_analysis",
          systemPrompt: this.systemPrompt,
          instruction,
          image: { attachment: screenshot, bytes },
          schema: visionAnswerSchema,
          hold: { subjectId: screenshot.id, input: JSON.stringify({ ...input, screenshot: screenshot.id }) },
        },
        { approved },
      );
      if (result.state === "ready") {
        return result.answer
          ? {
              state: "completed",
              analysis: analysisFromVision(result.answer, result.model, this.runtime.now()),
              model: result.model,
              usd: result.usd,
            }
          : { state: "unreadable", model: result.model, usd: result.usd };
      }
      return result;
    } catch (thrown) {
      // The error is still worth recording from what else is known: an outage or a spent budget is reported.
      if (thrown instanceof AppError && (thrown.code === "unavailable" || thrown.code === "budget_exceeded")) {
        return { state: "failed", code: thrown.code, message: thrown.message };
      }
      throw thrown;
    }
  }
}

function hasIdentity(fields: { errorType: string | null; message: string | null }): boolean {
  return fields.errorType !== null && fields.message !== null;
}

function requireIdentity(
  fields: { errorType: string | null; message: string | null },
  withScreenshot: boolean,
  screenshot: Attachment | null = null,
  vision: VisionReading | null = null,
): asserts fields is { errorType: string; message: string } {
  if (hasIdentity(fields)) return;
  const field = fields.errorType ? "message" : "error_type";
  const why =
    vision?.state === "completed" && !vision.analysis.isError
      ? ` The vision model saw no error in the screenshot.`
      : vision?.state === "failed" || vision?.state === "unreadable"
        ? ` The vision analysis of the screenshot did not succeed (${vision.state === "failed" ? vision.message : "its answer was not readable"}).`
        : "";
  const hint = withScreenshot
    ? " Pass screenshot_text (`npx coding-memory screenshot <file> --record` reads it locally with OCR), or set a " +
      "vision model (vision_model in coding_update_settings, or CODING_MEMORY_VISION_MODEL) to read the image."
    : " Pass screenshot_text with the error's text (`npx coding-memory screenshot <file> --record` reads a screenshot locally).";
  throw new AppError("invalid_input", `${field}: required, unless the screenshot's text gives it.${why}${hint}`, {
    details: { field, ...(screenshot ? { attachment_id: screenshot.id } : {}) },
  });
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Secrets a screenshot happened to show are not kept in its analysis either. */
function redactAnalysis(analysis: ScreenshotAnalysis): ScreenshotAnalysis {
  const clean = (text: string | null) => (text === null ? null : redactSecrets(text).text);
  return {
    ...analysis,
    message: clean(analysis.message),
    visibleCode: clean(analysis.visibleCode),
    suspectedRootCause: clean(analysis.suspectedRootCause),
  };
}

/** The record_error arguments a held analysis was holding (written by `read` as JSON). */
function heldInput(approval: PendingApproval): ScreenshotErrorInput {
  let parsed: Partial<ScreenshotErrorInput> = {};
  try {
    parsed = JSON.parse(approval.input ?? "{}") as Partial<ScreenshotErrorInput>;
  } catch {
    // An approval always carries what `read` wrote; a damaged one records from the image alone.
  }
  const text = (value: unknown) => (typeof value === "string" ? value : null);
  return {
    errorType: text(parsed.errorType),
    message: text(parsed.message),
    stackTrace: text(parsed.stackTrace),
    filePath: text(parsed.filePath),
    lineNumber: typeof parsed.lineNumber === "number" ? parsed.lineNumber : null,
    solution: text(parsed.solution),
    tags: Array.isArray(parsed.tags) ? parsed.tags.filter((tag): tag is string => typeof tag === "string") : [],
    screenshot: approval.subjectId,
    screenshotText: text(parsed.screenshotText),
    analyze: true,
  };
}
