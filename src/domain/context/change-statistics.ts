/**
 * Descriptive statistics over a project's recorded file changes and errors.
 *
 * Every figure in the report is counted from the input; nothing is inferred or
 * scored. Below `MIN_CHANGES_FOR_PATTERNS` changes the numbers would be noise,
 * so the report says so instead of presenting them.
 */
import {
  classifyNamingConvention,
  isTestFilePath,
  languageForPath,
  namingStem,
  normalizePath,
  OTHER_LANGUAGE,
  type NamingConvention,
} from "./file-kinds";

export { classifyNamingConvention, isTestFilePath, languageForPath, namingStem, OTHER_LANGUAGE, type NamingConvention };

export const MIN_CHANGES_FOR_PATTERNS = 10;
const HOT_FILE_LIMIT = 10;
const DIRECTORY_LIMIT = 5;
const NAMING_EXAMPLE_LIMIT = 3;

/** Label used for files at the repository root in `directories`. */
export const ROOT_DIRECTORY = ".";
/** Label used for files whose extension is not in the language table. */

export interface PatternFileChange {
  filePath: string;
  action: string;
  createdAt: number;
}

export interface PatternErrorRecord {
  errorType: string;
  occurrences: number;
  resolved: boolean;
  /** Its tags: `class:<name>` ones are the team's error classes (error-classes.ts). */
  tags?: string[];
}

export interface LanguageShare {
  language: string;
  changes: number;
  share: number;
}

export interface ActionShare {
  action: string;
  count: number;
  share: number;
}

export interface HotFile {
  filePath: string;
  changes: number;
}

export interface RecurringErrorType {
  errorType: string;
  /** Number of distinct error records with this type. */
  records: number;
  /** Sum of occurrences over those records. */
  occurrences: number;
  /** Records with this type that are not resolved. */
  unresolved: number;
}

export interface NamingConventionShare {
  convention: NamingConvention;
  /** Distinct files whose name follows the convention. */
  files: number;
  share: number;
  examples: string[];
}

export interface DirectoryShare {
  directory: string;
  changes: number;
  share: number;
}

export interface InsufficientPatternData {
  status: "insufficient_data";
  changeCount: number;
  required: number;
  message: string;
}

export interface PatternAnalysis {
  status: "ok";
  changeCount: number;
  distinctFileCount: number;
  /** `createdAt` of the earliest and latest change, in whatever unit the caller stores. */
  firstChangeAt: number;
  lastChangeAt: number;
  languages: LanguageShare[];
  actions: ActionShare[];
  hotFiles: HotFile[];
  recurringErrorTypes: RecurringErrorType[];
  /** The team's error classes the project's errors fall into, with the same counts as error types. */
  errorClasses: Array<{ name: string; records: number; occurrences: number; unresolved: number }>;
  namingConventions: NamingConventionShare[];
  testFileCount: number;
  testFileShare: number;
  directories: DirectoryShare[];
}

export type PatternReport = InsufficientPatternData | PatternAnalysis;

function topLevelDirectory(filePath: string): string {
  const segments = normalizePath(filePath).split("/");
  return segments.length > 1 ? (segments[0] ?? ROOT_DIRECTORY) : ROOT_DIRECTORY;
}

function roundShare(part: number, whole: number): number {
  if (whole === 0) return 0;
  return Math.round((part / whole) * 1000) / 1000;
}

function countBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Count descending, then name ascending, so equal counts have a stable order. */
function sortedCounts(counts: Map<string, number>): Array<[string, number]> {
  return [...counts.entries()].sort(([nameA, countA], [nameB, countB]) =>
    countB !== countA ? countB - countA : nameA < nameB ? -1 : nameA > nameB ? 1 : 0,
  );
}

function recurringErrorTypes(errors: readonly PatternErrorRecord[]): RecurringErrorType[] {
  const byType = new Map<string, RecurringErrorType>();
  for (const error of errors) {
    const errorType = error.errorType.trim() || "(unknown)";
    const entry = byType.get(errorType) ?? { errorType, records: 0, occurrences: 0, unresolved: 0 };
    entry.records += 1;
    entry.occurrences += Math.max(0, error.occurrences);
    if (!error.resolved) entry.unresolved += 1;
    byType.set(errorType, entry);
  }
  return [...byType.values()]
    .filter((entry) => entry.occurrences >= 2)
    .sort(
      (a, b) =>
        b.occurrences - a.occurrences ||
        b.records - a.records ||
        (a.errorType < b.errorType ? -1 : a.errorType > b.errorType ? 1 : 0),
    );
}

function errorClassCounts(errors: readonly PatternErrorRecord[]): PatternAnalysis["errorClasses"] {
  const byClass = new Map<string, { name: string; records: number; occurrences: number; unresolved: number }>();
  for (const error of errors) {
    for (const tag of error.tags ?? []) {
      if (!tag.startsWith("class:")) continue;
      const name = tag.slice("class:".length);
      const entry = byClass.get(name) ?? { name, records: 0, occurrences: 0, unresolved: 0 };
      entry.records += 1;
      entry.occurrences += Math.max(0, error.occurrences);
      if (!error.resolved) entry.unresolved += 1;
      byClass.set(name, entry);
    }
  }
  return [...byClass.values()].sort((a, b) => b.occurrences - a.occurrences || (a.name < b.name ? -1 : 1));
}

function namingConventions(distinctPaths: readonly string[]): NamingConventionShare[] {
  const byConvention = new Map<NamingConvention, { files: number; examples: string[] }>();
  for (const path of distinctPaths) {
    const stem = namingStem(path);
    if (stem.length === 0) continue;
    const convention = classifyNamingConvention(stem);
    const entry = byConvention.get(convention) ?? { files: 0, examples: [] };
    entry.files += 1;
    if (entry.examples.length < NAMING_EXAMPLE_LIMIT && !entry.examples.includes(stem)) entry.examples.push(stem);
    byConvention.set(convention, entry);
  }
  const measured = [...byConvention.values()].reduce((sum, entry) => sum + entry.files, 0);
  return [...byConvention.entries()]
    .map(([convention, entry]) => ({
      convention,
      files: entry.files,
      share: roundShare(entry.files, measured),
      examples: entry.examples,
    }))
    .sort((a, b) => b.files - a.files || (a.convention < b.convention ? -1 : 1));
}

export function analyzePatterns(
  changes: readonly PatternFileChange[],
  errors: readonly PatternErrorRecord[],
): PatternReport {
  const changeCount = changes.length;
  if (changeCount < MIN_CHANGES_FOR_PATTERNS) {
    return {
      status: "insufficient_data",
      changeCount,
      required: MIN_CHANGES_FOR_PATTERNS,
      message: `Insufficient data for pattern analysis: ${changeCount} file changes recorded, at least ${MIN_CHANGES_FOR_PATTERNS} needed.`,
    };
  }

  const paths = changes.map((change) => normalizePath(change.filePath));
  const distinctPaths = [...new Set(paths)];
  const testFileCount = distinctPaths.filter(isTestFilePath).length;
  // Spread into Math.min would overflow the stack on large histories.
  const timestamps = changes.map((change) => change.createdAt);

  return {
    status: "ok",
    changeCount,
    distinctFileCount: distinctPaths.length,
    firstChangeAt: timestamps.reduce((earliest, value) => Math.min(earliest, value)),
    lastChangeAt: timestamps.reduce((latest, value) => Math.max(latest, value)),
    languages: sortedCounts(countBy(paths, languageForPath)).map(([language, count]) => ({
      language,
      changes: count,
      share: roundShare(count, changeCount),
    })),
    actions: sortedCounts(countBy(changes, (change) => change.action.trim().toLowerCase() || "(none)")).map(
      ([action, count]) => ({ action, count, share: roundShare(count, changeCount) }),
    ),
    hotFiles: sortedCounts(countBy(paths, (path) => path))
      .slice(0, HOT_FILE_LIMIT)
      .map(([filePath, count]) => ({ filePath, changes: count })),
    recurringErrorTypes: recurringErrorTypes(errors),
    errorClasses: errorClassCounts(errors),
    namingConventions: namingConventions(distinctPaths),
    testFileCount,
    testFileShare: roundShare(testFileCount, distinctPaths.length),
    directories: sortedCounts(countBy(paths, topLevelDirectory))
      .slice(0, DIRECTORY_LIMIT)
      .map(([directory, count]) => ({ directory, changes: count, share: roundShare(count, changeCount) })),
  };
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** Inline code that survives backticks and newlines inside file names. */
function code(value: string): string {
  return `\`${value.replace(/`/g, "'").replace(/[\r\n]+/g, " ")}\``;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

export function renderPatternReport(report: PatternReport): string {
  if (report.status === "insufficient_data") return report.message;

  const lines: string[] = [
    "## Project patterns",
    "",
    `Measured from ${plural(report.changeCount, "file change")} across ${plural(report.distinctFileCount, "file")}.`,
    "",
    "### Languages (by changes)",
    "",
    "| Language | Changes | Share |",
    "| --- | ---: | ---: |",
    ...report.languages.map((entry) => `| ${entry.language} | ${entry.changes} | ${percent(entry.share)} |`),
    "",
    "### Change actions",
    "",
    ...report.actions.map((entry) => `- ${entry.action}: ${entry.count} (${percent(entry.share)})`),
    "",
    "### Most changed files",
    "",
    ...report.hotFiles.map(
      (entry, index) => `${index + 1}. ${code(entry.filePath)}: ${plural(entry.changes, "change")}`,
    ),
    "",
    "### Top-level directories (by changes)",
    "",
    ...report.directories.map(
      (entry) =>
        `- ${entry.directory === ROOT_DIRECTORY ? "(repository root)" : code(`${entry.directory}/`)}: ${plural(entry.changes, "change")} (${percent(entry.share)})`,
    ),
    "",
    "### File naming",
    "",
    ...report.namingConventions.map(
      (entry) =>
        `- ${entry.convention}: ${plural(entry.files, "file")} (${percent(entry.share)}), e.g. ${entry.examples.map(code).join(", ")}`,
    ),
    "",
    "### Tests",
    "",
    `${report.testFileCount} of ${plural(report.distinctFileCount, "changed file")} look like test files (${percent(report.testFileShare)}).`,
    "",
    "### Recurring error types",
    "",
  ];
  if (report.recurringErrorTypes.length === 0) {
    lines.push("No error type has been recorded more than once.");
  } else {
    for (const entry of report.recurringErrorTypes) {
      lines.push(
        `- ${code(entry.errorType)}: ${plural(entry.occurrences, "occurrence")} in ${plural(entry.records, "record")}, ${entry.unresolved} unresolved`,
      );
    }
  }
  if (report.errorClasses.length) {
    lines.push("", "### Error classes (the team's)", "");
    for (const entry of report.errorClasses) {
      lines.push(
        `- ${code(entry.name)}: ${plural(entry.occurrences, "occurrence")} in ${plural(entry.records, "record")}, ${entry.unresolved} unresolved`,
      );
    }
  }
  return lines.join("\n");
}
