/**
 * CI failures become project memory: each failure parsed from a job log is recorded as an error (source `ci`,
 * with the commit and job), deduplicated with what the team already recorded by fingerprint, and answered with
 * the fixes known for it. The delivery is written in the same transaction, so a replayed delivery (the same
 * delivery id, or the same body under a new id) writes nothing.
 */
import { afterCommit, type AfterCommitWarning } from "../core/after-commit";
import { parseCiJob, type CiFailure } from "./logs";
import type { ErrorSearchService, SolutionSuggestion } from "../errors/search";
import type { ErrorRecords, RecordErrorInput } from "../errors/error-records";
import type { Identity, Project } from "../core/records";

export interface CiJobLog {
  job: string;
  log: string;
  /** JUnit XML reports the job wrote; preferred to the log when they hold failures. */
  junit?: readonly string[];
}

export interface CiReport {
  deliveryId: string;
  /** SHA-256 of the signed body: the same body delivered again under another delivery id is a replay. */
  bodySha256: string | null;
  /**
   * hook: a command that failed in the author's own editor session, captured by a client hook
   * (`coding-memory hook`); its errors are the author's (source user, linked to their active session, tagged
   * with the client), not CI's.
   */
  source: "github" | "ci" | "hook";
  /** The webhook event, or for a hook the client that captured it (claude-code, cursor). */
  event: string;
  commit: string | null;
  /** Jobs whose logs had no recognisable failure are reported as one failure naming the job. */
  jobs: CiJobLog[];
  /** A link to the run, kept in the synthetic failure of a job without parsable output. */
  url: string | null;
}

export interface RecordedCiError {
  errorId: string;
  errorType: string;
  message: string;
  filePath: string | null;
  lineNumber: number | null;
  job: string;
  recurring: boolean;
  occurrences: number;
  knownSolution: string | null;
  suggestedSolutions: SolutionSuggestion[];
}

/** At most this many errors per delivery: a broken build can fail thousands of tests the same way. */
const MAX_PER_DELIVERY = 50;

export class CiFailureRecorder {
  constructor(
    private readonly errors: ErrorRecords,
    private readonly search: ErrorSearchService,
  ) {}

  async record(
    identity: Identity,
    project: Project,
    report: CiReport,
  ): Promise<{ recorded: RecordedCiError[]; warnings: AfterCommitWarning[] }> {
    const inputs: Array<RecordErrorInput & { job: string }> = [];
    for (const { job, log, junit } of report.jobs) {
      const failures = parseCiJob({ log, junit }, { maxFailures: MAX_PER_DELIVERY });
      const list: CiFailure[] = failures.length
        ? failures
        : [
            {
              tool: "node-error",
              errorType: report.source === "hook" ? "CommandFailure" : "CIFailure",
              message:
                report.source === "hook"
                  ? `Command \`${job}\` failed without a recognisable test or build error`
                  : `CI job "${job}" failed without a recognisable test or build error${report.url ? ` (${report.url})` : ""}`,
              stackTrace: log.trim() ? log.trim().split("\n").slice(-40).join("\n") : null,
              filePath: null,
              lineNumber: null,
              testName: null,
            },
          ];
      for (const failure of list) {
        inputs.push({
          job,
          errorType: failure.errorType,
          message: failure.testName ? `${failure.message} [${failure.testName}]` : failure.message,
          stackTrace: failure.stackTrace,
          filePath: failure.filePath,
          lineNumber: failure.lineNumber,
          solution: null,
          ...(report.source === "hook"
            ? { tags: [report.event, failure.tool] }
            : { tags: ["ci", failure.tool], ci: { commit: report.commit, job } }),
        });
      }
    }
    const kept = inputs.slice(0, MAX_PER_DELIVERY);
    const { results } = await this.errors.importErrors(identity, project, kept, {
      delivery: {
        deliveryId: report.deliveryId,
        bodySha256: report.bodySha256,
        source: report.source,
        event: report.event,
      },
      linkToSession: report.source === "hook",
    });
    // The delivery and its errors are committed by now: a failing search for fixes must not answer an error
    // (CI would redeliver, and the delivery is already taken). After one failure the rest are not tried.
    const recorded: RecordedCiError[] = [];
    const warnings: AfterCommitWarning[] = [];
    const seen = new Set<string>();
    for (const [index, { error, inserted }] of results.entries()) {
      // Two failures of one delivery with the same fingerprint are one error seen twice.
      if (seen.has(error.id)) continue;
      seen.add(error.id);
      const known = error.resolved ? error.solution : null;
      const suggestions =
        known || warnings.length
          ? []
          : await afterCommit(
              "suggested_solutions",
              async () => (await this.search.solutionsFor(project, { error }, 3)).suggestions,
              [],
              warnings,
            );
      recorded.push({
        errorId: error.id,
        errorType: error.errorType,
        message: error.message,
        filePath: error.filePath,
        lineNumber: error.lineNumber,
        job: kept[index]?.job ?? "",
        recurring: !inserted,
        occurrences: error.occurrences,
        knownSolution: known,
        suggestedSolutions: suggestions,
      });
    }
    return { recorded, warnings };
  }
}
