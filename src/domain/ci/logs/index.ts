/**
 * Structured test and build failures from raw CI job logs.
 *
 * A failed CI run is worth recording as coding errors, but its log is mostly noise (install output, passing tests,
 * timings) and can run to megabytes. Each recogniser knows one tool's real output format and ignores anything it
 * does not recognise rather than guessing. Every pattern is applied to a single, length-capped line and anchored at
 * its start, and every scan moves forward, so parsing stays linear in the size of the log.
 *
 * Recognisers that understand a whole block (pytest FAILURES sections, Jest/Vitest failure blocks, go panics, cargo
 * test blocks) claim its lines, so the generic Python-traceback and Node-error recognisers do not report the same
 * failure a second time from inside it.
 *
 * A JUnit XML report is preferred to all of them: when the input is one, its testcases are the failures and the
 * console recognisers do not run (see junit.ts).
 */
import { parseCargoTest } from "./cargo-test";
import { parseEslint } from "./eslint";
import { parseGoTest } from "./go-test";
import { parseJestAndVitest } from "./jest-vitest";
import { parseJUnitXml } from "./junit";
import {
  append,
  failureKey,
  toLog,
  type CiFailure,
  type Found,
  type ParseCiLogOptions,
  type Recogniser,
  type Log,
} from "./log";
import { parseNodeErrors } from "./node";
import { parsePytest } from "./pytest";
import { parsePythonTracebacks } from "./python";
import { parseTsc } from "./tsc";

export { cleanCiLog, type CiFailure, type CiTool, type ParseCiLogOptions } from "./log";
export { parseJUnitXml } from "./junit";

const DEFAULT_MAX_FAILURES = 50;

/** Block recognisers run first so that the generic ones can skip the lines they claimed. */
const RECOGNISERS: readonly Recogniser[] = [
  parsePytest,
  parseJestAndVitest,
  parseGoTest,
  parseCargoTest,
  parseTsc,
  parseEslint,
  parsePythonTracebacks,
  parseNodeErrors,
];

export function parseCiLog(log: string, options?: ParseCiLogOptions): CiFailure[] {
  if (typeof log !== "string" || log.length === 0) return [];
  const maxFailures = failureCap(options?.maxFailures);
  if (maxFailures === 0) return [];
  // A malformed or refused report is read as the text it is, by the console recognisers.
  const report = parseJUnitXml(log, { maxFailures });
  if (report !== null) return report;

  const parsed = toLog(log);
  const found: Found[] = [];
  for (const recognise of RECOGNISERS) append(found, recogniseSafely(recognise, parsed));
  found.sort((a, b) => a.line - b.line);

  const failures: CiFailure[] = [];
  const seen = new Set<string>();
  for (const { failure } of found) {
    const key = failureKey(failure);
    if (seen.has(key)) continue;
    seen.add(key);
    failures.push(failure);
    if (failures.length >= maxFailures) break;
  }
  return failures;
}

/** What a CI job sent: its console log and the JUnit XML reports its test runners wrote, if any. */
export interface CiJobInput {
  log: string;
  junit?: readonly string[];
}

/**
 * The failures of one CI job. Its JUnit reports are preferred: when they hold failures the console log is not read
 * (it would report the same tests again, less precisely); when they hold none (the build broke before the tests
 * ran) the log is.
 */
export function parseCiJob(job: CiJobInput, options?: ParseCiLogOptions): CiFailure[] {
  const maxFailures = failureCap(options?.maxFailures);
  const failures: CiFailure[] = [];
  const seen = new Set<string>();
  for (const report of job.junit ?? []) {
    for (const failure of parseCiLog(report, { maxFailures: maxFailures - failures.length })) {
      const key = failureKey(failure);
      if (seen.has(key)) continue;
      seen.add(key);
      failures.push(failure);
    }
    if (failures.length >= maxFailures) break;
  }
  return failures.length > 0 ? failures : parseCiLog(job.log, { maxFailures });
}

/** A log is arbitrary text: one recogniser tripping over an unforeseen shape must not cost the others' results. */
function recogniseSafely(recognise: Recogniser, log: Log): Found[] {
  try {
    return recognise(log);
  } catch {
    return [];
  }
}

function failureCap(requested: number | undefined): number {
  if (requested === undefined || !Number.isFinite(requested)) return DEFAULT_MAX_FAILURES;
  return Math.max(0, Math.floor(requested));
}
