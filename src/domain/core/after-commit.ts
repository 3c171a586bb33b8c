/**
 * Steps that run after a write has committed (suggesting fixes, linking a screenshot, queueing work) must not
 * turn the answer into an error: the caller would take the write for failed and send it again, and a retried
 * `coding_record_error` would count a second occurrence that never happened. Such a step's failure is logged
 * and reported alongside the result, which still says the write was done.
 */
export interface AfterCommitWarning {
  /** What could not be completed, e.g. "suggested_solutions". */
  step: string;
  message: string;
}

export async function afterCommit<T>(
  step: string,
  run: () => Promise<T>,
  fallback: T,
  warnings: AfterCommitWarning[],
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // The cause stays in the log; the client gets a sentence, never a stack trace or SQL.
    console.error(`after the write committed, ${step} failed`, error);
    warnings.push({ step, message: `${step.replace(/_/g, " ")} could not be completed; the write itself is stored.` });
    return fallback;
  }
}
