/**
 * Search filters for errors. The store applies them in SQL to lexical candidates and the search service applies
 * `matchesErrorFilters` to vector candidates, so the two must mean the same thing; a test holds them together.
 */
import type { ErrorRecord } from "../core/records";

export interface ErrorSearchFilters {
  /** Only errors that have a solution. */
  resolvedOnly: boolean;
  /** Exception class, case-insensitive; a simple name also matches a qualified one (`NullPointerException`). */
  errorType: string | null;
  /** The error's file: the whole path, or a trailing part of it at a `/` or `\` boundary (`auth/login.py`). */
  file: string | null;
  /** An exact tag. */
  tag: string | null;
  /** Last seen at or after this time (epoch ms). */
  since: number | null;
}

export const NO_FILTERS: ErrorSearchFilters = {
  resolvedOnly: false,
  errorType: null,
  file: null,
  tag: null,
  since: null,
};

export function hasFilters(filters: ErrorSearchFilters): boolean {
  return (
    filters.resolvedOnly ||
    filters.errorType !== null ||
    filters.file !== null ||
    filters.tag !== null ||
    filters.since !== null
  );
}

export function matchesErrorType(actual: string, wanted: string): boolean {
  const a = actual.toLowerCase();
  const w = wanted.toLowerCase();
  return a === w || a.endsWith(`.${w}`);
}

export function matchesFilePath(actual: string | null, wanted: string): boolean {
  if (actual === null) return false;
  return actual === wanted || actual.endsWith(`/${wanted}`) || actual.endsWith(`\\${wanted}`);
}

export function matchesErrorFilters(error: ErrorRecord, filters: ErrorSearchFilters): boolean {
  if (filters.resolvedOnly && !error.resolved) return false;
  if (filters.errorType !== null && !matchesErrorType(error.errorType, filters.errorType)) return false;
  if (filters.file !== null && !matchesFilePath(error.filePath, filters.file)) return false;
  if (filters.tag !== null && !error.tags.includes(filters.tag)) return false;
  if (filters.since !== null && error.lastSeen < filters.since) return false;
  return true;
}
