import { z } from "zod";
import { ATTACHMENT_LIMITS } from "../domain/screenshots/attachments";
import { LIMITS } from "../domain/core/limits";

/**
 * Project ids are compared exactly (never with LIKE), so `a_c` and `abc` are different projects. A name is
 * unique within its team; `team/name` (team slug, a personal team's `~user`, or team id) names one team's.
 */
export const projectIdField = z
  .string()
  .max(192)
  .regex(
    /^(~?[A-Za-z0-9][A-Za-z0-9._@-]{0,63}\/)?[A-Za-z0-9][A-Za-z0-9._\-/]{0,127}$/,
    "project_id must be a project name (1-128 characters: letters, digits, '.', '_', '-', '/', starting with a " +
      "letter or digit), optionally prefixed by its team as team/name",
  )
  .describe(
    "the project's name, e.g. 'api-service'; 'team/api-service' names the project of one of your teams (needed " +
      "only when several of your teams have a project of that name). The first write creates it.",
  );

export const userIdField = z.string().max(64).optional().describe("Optional; only your own user id.");

/**
 * A list of strings given either as a real array or, as the original product's clients send it, as a
 * JSON-encoded string ('["a","b"]'). The JSON form is parsed and validated like the array form.
 */
export function stringList(description: string, maxItemChars: number = LIMITS.listItemChars) {
  const item = z.string().min(1).max(maxItemChars);
  const list = z.array(item).max(LIMITS.listItems);
  return z
    .union([list, z.string()])
    .transform((value, ctx) => {
      if (Array.isArray(value)) return value;
      const trimmed = value.trim();
      if (trimmed === "") return [];
      let parsed: unknown;
      try {
        parsed = JSON.parse(trimmed);
      } catch {
        ctx.addIssue({
          code: "custom",
          message: 'expected an array of strings or a JSON-encoded array like ["a","b"]',
        });
        return z.NEVER;
      }
      const checked = list.safeParse(parsed);
      if (!checked.success) {
        ctx.addIssue({
          code: "custom",
          message: `expected an array of at most ${LIMITS.listItems} non-empty strings (≤${maxItemChars} characters each)`,
        });
        return z.NEVER;
      }
      return checked.data;
    })
    .optional()
    .default([])
    .meta(description ? { description } : {});
}

export const scopedInput = { project_id: projectIdField, user_id: userIdField };

/** A file of the project's code index: repository-relative, or an absolute path / unique suffix that locates it. */
export const indexedFilePathField = z
  .string()
  .min(1)
  .max(LIMITS.filePathChars)
  .describe("From the repository root (or a unique suffix).");

const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/;
const ISO_EXPECTED = "expected an ISO-8601 date such as 2026-12-01 or 2026-12-01T10:00:00Z";

/**
 * An ISO-8601 date (midnight UTC) or date-time with an offset, parsed to epoch milliseconds. Checked in code rather
 * than with zod's ISO regexes, whose JSON Schema form is 700 characters the model would read in every tools/list;
 * the message says what is expected instead of "Invalid input".
 */
export const isoDateField = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const time = parseIsoDate(value.trim());
    if (time === null) {
      ctx.addIssue({ code: "custom", message: ISO_EXPECTED });
      return z.NEVER;
    }
    return time;
  });

function parseIsoDate(text: string): number | null {
  const match = ISO_DATE_TIME.exec(text);
  if (!match) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0, offsetHour = 0, offsetMinute = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  const daysInMonth = new Date(Date.UTC(year as number, month as number, 0)).getUTCDate();
  if ((month as number) < 1 || (month as number) > 12 || (day as number) < 1 || (day as number) > daysInMonth)
    return null;
  if (hour > 23 || minute > 59 || second > 59 || offsetHour > 23 || offsetMinute > 59) return null;
  const time = Date.parse(text);
  return Number.isNaN(time) ? null : time;
}

/**
 * coding_record_error's input. Here rather than in its tool file because it is also the shape of each item of
 * `POST /errors/import` (src/http), which must not import tool files.
 */
export const recordErrorInput = z.object({
  ...scopedInput,
  error_type: z.string().min(1).max(256).nullish().describe("e.g. TypeError, TS2307. Required without a screenshot."),
  message: z.string().min(1).max(LIMITS.messageChars).nullish().describe("Required without a screenshot."),
  stack_trace: z.string().nullish(),
  file_path: z.string().max(LIMITS.filePathChars).nullish(),
  line_number: z.number().int().min(0).max(10_000_000).nullish(),
  solution: z.string().max(LIMITS.solutionChars).nullish().describe("The fix, if known."),
  screenshot: z
    .string()
    .max(Math.ceil((ATTACHMENT_LIMITS.bytes * 4) / 3) + 100)
    .nullish()
    .describe("attachment_id (`npx coding-memory screenshot`), data URL, base64 or https URL."),
  screenshot_text: z
    .string()
    .max(LIMITS.stackTraceChars)
    .nullish()
    .describe("OCR text of the screenshot; fills empty fields."),
  analyze: z.boolean().nullish().describe("Use the vision model (default, if configured)."),
  tags: stringList("e.g. datetime, timezone.", LIMITS.tagChars),
});

/** The input of coding_approve and coding_deny: the approval_id a held operation's result gave. */
export const approvalInput = z.object({
  ...scopedInput,
  approval_id: z.string().min(1).max(64),
});
