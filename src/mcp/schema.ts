import { z } from "zod";
import { LIMITS } from "../domain/limits";

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
    "Project identifier, e.g. 'api-service'; 'team/api-service' names the project of one of your teams " +
      "(needed only when several of your teams have a project of that name). Created by the first write.",
  );

export const userIdField = z
  .string()
  .max(64)
  .optional()
  .describe("Optional. Must be the authenticated caller's own id; it can never act as another user.");

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
    .describe(`${description} An array of strings; a JSON-encoded array string is also accepted.`);
}

export const scopedInput = { project_id: projectIdField, user_id: userIdField };

/** A file of the project's code index: repository-relative, or an absolute path / unique suffix that locates it. */
export const indexedFilePathField = z
  .string()
  .min(1)
  .max(LIMITS.filePathChars)
  .describe("Path relative to the repository root (an absolute path or unique suffix is matched too).");
