/**
 * A team's named error classes: `name` and a matcher over an error's type, message and stack trace (frames), each
 * part a case-insensitive "contains", every given part required. Errors of the team's projects that match carry
 * the tag `class:<name>` (set when an error is recorded, and on every existing error when a class is defined or
 * removed), so coding_analyze_patterns counts them and search filters by them (`tag: class:<name>`). Substrings,
 * not regular expressions: a team's pattern runs on every record, and a regular expression could backtrack for
 * seconds.
 */
import { AppError } from "../core/app-error";
import type { ErrorRecord } from "../core/records";

export interface ErrorClass {
  name: string;
  typeContains: string | null;
  messageContains: string | null;
  frameContains: string | null;
}

export interface StoredErrorClass extends ErrorClass {
  createdBy: string;
  createdAt: number;
}

/** The tag prefix of classes: reserved, recomputed from the team's classes whenever an error is recorded. */
export const CLASS_TAG_PREFIX = "class:";
export const ERROR_CLASS_LIMITS = { perTeam: 50, partChars: 200 } as const;
const NAME = /^[a-z0-9][a-z0-9._-]{0,47}$/;

export function classTag(name: string): string {
  return `${CLASS_TAG_PREFIX}${name}`;
}

/** The class as given, checked: a name tags can carry, at least one part, parts of a bounded length. */
export function validErrorClass(input: ErrorClass): ErrorClass {
  if (!NAME.test(input.name)) {
    throw new AppError(
      "invalid_input",
      "name: 1-48 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit.",
      {
        details: { field: "name" },
      },
    );
  }
  const parts = {
    typeContains: input.typeContains,
    messageContains: input.messageContains,
    frameContains: input.frameContains,
  };
  for (const [field, value] of Object.entries(parts)) {
    if (value !== null && (value.trim() === "" || value.length > ERROR_CLASS_LIMITS.partChars)) {
      throw new AppError("invalid_input", `${snake(field)}: 1-${ERROR_CLASS_LIMITS.partChars} characters when given.`, {
        details: { field: snake(field) },
      });
    }
  }
  if (Object.values(parts).every((value) => value === null)) {
    throw new AppError("invalid_input", "type_contains, message_contains or frame_contains: give at least one.", {
      details: { field: "type_contains" },
    });
  }
  return { name: input.name, ...parts };
}

function snake(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** Whether the error is of the class: the reference the D1 store's SQL implements (instr of lower()). */
export function matchesErrorClass(
  error: Pick<ErrorRecord, "errorType" | "message" | "stackTrace">,
  errorClass: ErrorClass,
): boolean {
  const contains = (text: string | null, part: string | null) =>
    part === null || (text ?? "").toLowerCase().includes(part.toLowerCase());
  return (
    contains(error.errorType, errorClass.typeContains) &&
    contains(error.message, errorClass.messageContains) &&
    contains(error.stackTrace, errorClass.frameContains)
  );
}

/** The error's tags with its class tags recomputed: its own tags first, in order, then its classes by name. */
export function withClassTags(
  tags: string[],
  error: Parameters<typeof matchesErrorClass>[0],
  classes: ErrorClass[],
): string[] {
  const own = tags.filter((tag) => !tag.startsWith(CLASS_TAG_PREFIX));
  const matched = classes
    .filter((errorClass) => matchesErrorClass(error, errorClass))
    .map((errorClass) => classTag(errorClass.name))
    .sort();
  return [...own, ...matched];
}

export interface ErrorClassStore {
  list(teamId: string): Promise<StoredErrorClass[]>;
  /** Defines (or redefines) the class and retags the team's errors in one batch; how many now carry it. */
  define(teamId: string, errorClass: StoredErrorClass): Promise<{ tagged: number }>;
  /** Removes the class and its tag from the team's errors in one batch; false when there was none. */
  remove(teamId: string, name: string): Promise<boolean>;
}
