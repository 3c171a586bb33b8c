/**
 * How far a design decision is implemented: the share of its related files that changes tracked with
 * `implements_decision_id` have touched. Paths are compared after normalisation, and a path that is a suffix
 * of the other at a separator counts as the same file ("src/auth.py" and "/home/me/app/src/auth.py").
 */
import { normalizePath } from "../code/resolve";
import { matchesFilePath } from "../errors/filters";
import type { Decision, FileChange } from "../core/records";

export interface ImplementationStatus {
  decisionId: string;
  decision: string;
  /** 0..1: implemented related files / related files; without related files, 1 once anything implements it. */
  completion: number;
  basis: "related_files" | "changes";
  relatedFiles: string[];
  implementedFiles: string[];
  pendingFiles: string[];
  /** Files changed for the decision that it does not list. */
  additionalFiles: string[];
  changes: Array<{ changeId: string; filePath: string; action: string; userId: string; createdAt: number }>;
}

function sameFile(a: string, b: string): boolean {
  return matchesFilePath(a, b) || matchesFilePath(b, a);
}

export function implementationStatus(decision: Decision, changes: FileChange[]): ImplementationStatus {
  const related = [...new Set(decision.relatedFiles.map((file) => normalizePath(file)))];
  const changed = [...new Set(changes.map((change) => normalizePath(change.filePath)))];
  const implemented = related.filter((file) => changed.some((path) => sameFile(file, path)));
  const additional = changed.filter((path) => !related.some((file) => sameFile(file, path)));
  const basis = related.length ? "related_files" : "changes";
  return {
    decisionId: decision.id,
    decision: decision.decision,
    completion: related.length ? implemented.length / related.length : changes.length ? 1 : 0,
    basis,
    relatedFiles: related,
    implementedFiles: implemented,
    pendingFiles: related.filter((file) => !implemented.includes(file)),
    additionalFiles: additional,
    changes: changes.map((change) => ({
      changeId: change.id,
      filePath: change.filePath,
      action: change.action,
      userId: change.userId,
      createdAt: change.createdAt,
    })),
  };
}
