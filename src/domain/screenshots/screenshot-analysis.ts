/**
 * What a screenshot of an error was read as, whichever reader read it: a vision model, or the text OCR found
 * on the developer's machine. One shape for both, so the error is filled the same way and the analysis is kept
 * with the image the same way.
 */
import { z } from "zod";
import { answerChoice, answerText } from "../llm/held-run";
import { errorFromText } from "./screenshot-text";

export interface StackFrame {
  file: string;
  line: number | null;
  function: string | null;
}

export interface ScreenshotAnalysis {
  source: "vision" | "ocr";
  /** The vision model as `provider/model`; null for OCR. */
  model: string | null;
  isError: boolean;
  errorType: string | null;
  message: string | null;
  filePath: string | null;
  lineNumber: number | null;
  stackFrames: StackFrame[];
  visibleCode: string | null;
  suspectedRootCause: string | null;
  language: string | null;
  confidence: "high" | "medium" | "low" | null;
  analyzedAt: number;
}

const MAX_FRAMES = 20;
const MAX_CODE_CHARS = 4_000;
const MAX_TEXT_CHARS = 2_000;

// Models write integers as strings now and then: read them leniently, never fail on them.
function looseLine(value: unknown): number | null {
  const number = typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : NaN;
  return Number.isInteger(number) && number >= 0 && number <= 10_000_000 ? number : null;
}

function looseFrames(value: unknown): StackFrame[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((frame: unknown): StackFrame[] => {
    if (typeof frame !== "object" || frame === null) return [];
    const fields = frame as Record<string, unknown>;
    const file = answerText(fields.file, 1_024);
    return file ? [{ file, line: looseLine(fields.line), function: answerText(fields.function, 256) }] : [];
  });
}

const CONFIDENCES = ["high", "medium", "low"] as const;

/** The JSON a vision model answers with (prompts/screenshot-analysis.md), read leniently. */
export const visionAnswerSchema = z.record(z.string(), z.unknown()).transform((answer) => ({
  is_error: answer.is_error !== false && answer.is_error !== "false",
  error_type: answerText(answer.error_type, 256),
  message: answerText(answer.message, MAX_TEXT_CHARS),
  file_path: answerText(answer.file_path, 1_024),
  line_number: looseLine(answer.line_number),
  stack_frames: looseFrames(answer.stack_frames),
  visible_code: answerText(answer.visible_code, MAX_CODE_CHARS),
  suspected_root_cause: answerText(answer.suspected_root_cause, MAX_TEXT_CHARS),
  language: answerText(answer.language, 40),
  confidence: answerChoice(CONFIDENCES, answer.confidence),
}));
export type VisionAnswer = z.infer<typeof visionAnswerSchema>;

export function analysisFromVision(answer: VisionAnswer, model: string, at: number): ScreenshotAnalysis {
  return {
    source: "vision",
    model,
    isError: answer.is_error,
    errorType: answer.error_type,
    message: answer.message?.split("\n")[0]?.trim() || null,
    filePath: answer.file_path,
    lineNumber: answer.line_number,
    stackFrames: answer.stack_frames.slice(0, MAX_FRAMES),
    visibleCode: answer.visible_code,
    suspectedRootCause: answer.suspected_root_cause,
    language: answer.language?.toLowerCase() ?? null,
    confidence: answer.confidence ?? null,
    analyzedAt: at,
  };
}

/** What OCR text was read as, and the stack trace it holds (its literal text), parsed once. */
export interface OcrReading {
  analysis: ScreenshotAnalysis;
  stackTrace: string | null;
}

/** The same shape from OCR text, through the recognisers that read CI logs (tracebacks, pytest, tsc…). */
export function readOcrText(text: string, at: number): OcrReading | null {
  const found = errorFromText(text);
  if (!found) return null;
  const analysis: ScreenshotAnalysis = {
    source: "ocr",
    model: null,
    isError: found.errorType !== "ScreenshotError",
    errorType: found.errorType,
    message: found.message,
    filePath: found.filePath,
    lineNumber: found.lineNumber,
    stackFrames: [],
    visibleCode: null,
    suspectedRootCause: null,
    language: null,
    confidence: null,
    analyzedAt: at,
  };
  return { analysis, stackTrace: found.stackTrace };
}

/**
 * A stack trace written from the frames a vision model listed, in the language's own format so the fingerprint
 * and search read it like a pasted one.
 */
export function framesAsStackTrace(analysis: ScreenshotAnalysis): string | null {
  if (!analysis.stackFrames.length) return null;
  const head = analysis.errorType && analysis.message ? `${analysis.errorType}: ${analysis.message}` : null;
  if (analysis.language === "python") {
    const frames = analysis.stackFrames.map(
      (f) => `  File "${f.file}", line ${f.line ?? 0}, in ${f.function ?? "<module>"}`,
    );
    return ["Traceback (most recent call last):", ...frames, ...(head ? [head] : [])].join("\n");
  }
  // Everything else the V8/Java way: innermost first, under the message.
  const frames = [...analysis.stackFrames]
    .reverse()
    .map((f) => `    at ${f.function ? `${f.function} (${f.file}:${f.line ?? 0})` : `${f.file}:${f.line ?? 0}`}`);
  return [...(head ? [head] : []), ...frames].join("\n");
}

/** Text of an analysis that is worth finding the error by, but is not part of its identity. */
export function analysisSearchText(analysis: ScreenshotAnalysis): string {
  return [analysis.visibleCode ?? "", analysis.suspectedRootCause ?? ""].join("\n").trim();
}

export interface ErrorFields {
  errorType: string | null;
  message: string | null;
  stackTrace: string | null;
  filePath: string | null;
  lineNumber: number | null;
}

/**
 * The error's fields: what the caller gave wins, then the vision model's reading, then OCR's. The stack trace
 * prefers the literal text OCR saw over frames a model re-typed.
 */
export function mergeErrorFields(
  given: ErrorFields,
  vision: ScreenshotAnalysis | null,
  ocr: OcrReading | null,
): ErrorFields {
  // A model that saw no error fills nothing; OCR's text is used even without a recognised error (its first line).
  const readers = [vision?.isError ? vision : null, ocr?.analysis ?? null].filter(
    (a): a is ScreenshotAnalysis => a !== null,
  );
  const pick = <K extends "errorType" | "message" | "filePath" | "lineNumber">(key: K) =>
    given[key] ?? readers.map((reader) => reader[key]).find((value) => value !== null && value !== undefined) ?? null;
  return {
    errorType: pick("errorType"),
    message: pick("message"),
    filePath: pick("filePath"),
    lineNumber: pick("lineNumber"),
    stackTrace: given.stackTrace ?? ocr?.stackTrace ?? (vision ? framesAsStackTrace(vision) : null),
  };
}
