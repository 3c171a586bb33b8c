/**
 * Design decisions and the file changes that carry them out: recorded with their links (decision -concerns->
 * file, change -implements-> decision) in one atomic write, and read back as an implementation status.
 */
import { AppError } from "../core/app-error";
import { LIMITS, truncateMiddle } from "../core/limits";
import type { NewRecord, PageRequest, Runtime } from "../core/ports";
import type { Decision, FileChange, Identity, Link, Page, Project } from "../core/records";
import { Redactor } from "../core/redactor";
import { implementationStatus, type ImplementationStatus } from "./decision-progress";
import type { DecisionStore, SessionFilter } from "./ports";

export interface TrackChangeInput {
  filePath: string;
  action: string;
  diff: string | null;
  reason: string;
  relatedFiles: string[];
  lineRange: string | null;
  implementsDecisionId: string | null;
}
export interface RecordDecisionInput {
  decision: string;
  rationale: string;
  alternatives: string[];
  impact: string | null;
  tags: string[];
  relatedFiles: string[];
  confidence: number;
}

export class DecisionService {
  constructor(
    private readonly store: DecisionStore,
    private readonly runtime: Runtime,
  ) {}

  async recordDecision(identity: Identity, project: Project, input: RecordDecisionInput) {
    const redactor = new Redactor();
    input = redactor.record(input);
    const candidate: NewRecord<Decision> = {
      id: this.runtime.newId(),
      projectId: project.id,
      userId: identity.userId,
      decision: redactor.clean("decision", input.decision),
      rationale: redactor.clean("rationale", input.rationale),
      alternatives: redactor.cleanList("alternatives", input.alternatives),
      impact: redactor.clean("impact", input.impact),
      confidence: input.confidence,
      relatedFiles: input.relatedFiles,
      tags: input.tags,
      createdAt: this.runtime.now(),
    };
    const links = candidate.relatedFiles.map((file) =>
      this.link(project.id, "decision", candidate.id, "concerns", "file", file),
    );
    const decision = await this.store.insertDecision(candidate, links);
    return { decision, sessionId: decision.sessionId, redactions: redactor.redactions };
  }

  async trackFileChange(identity: Identity, project: Project, input: TrackChangeInput) {
    const redactor = new Redactor();
    input = redactor.record(input);
    if (input.implementsDecisionId) {
      const decision = await this.store.getDecision(project.id, input.implementsDecisionId);
      if (!decision) {
        throw new AppError(
          "not_found",
          `implements_decision_id: decision ${input.implementsDecisionId} not found in project ${project.slug}.`,
          { details: { field: "implements_decision_id" } },
        );
      }
    }
    const diff = input.diff === null ? null : truncateMiddle(redactor.clean("diff", input.diff), LIMITS.diffChars);
    const candidate: NewRecord<FileChange> = {
      id: this.runtime.newId(),
      projectId: project.id,
      userId: identity.userId,
      filePath: input.filePath,
      action: input.action,
      diff: diff?.text ?? null,
      diffTruncated: diff?.truncated ?? false,
      reason: redactor.clean("reason", input.reason),
      relatedFiles: input.relatedFiles,
      lineRange: input.lineRange,
      implementsDecisionId: input.implementsDecisionId,
      createdAt: this.runtime.now(),
    };
    const links: Link[] = [];
    if (input.implementsDecisionId) {
      links.push(this.link(project.id, "change", candidate.id, "implements", "decision", input.implementsDecisionId));
    }
    const change = await this.store.insertFileChange(candidate, links);
    return {
      change,
      diffOriginalLength: diff?.originalLength ?? 0,
      redactions: redactor.redactions,
    };
  }

  /** One decision of the project; not_found naming the field otherwise. */
  async getDecision(project: Project, decisionId: string): Promise<Decision> {
    const decision = await this.store.getDecision(project.id, decisionId);
    if (!decision) {
      throw new AppError("not_found", `decision_id: decision ${decisionId} not found in project ${project.slug}.`, {
        details: { field: "decision_id" },
      });
    }
    return decision;
  }

  async decisionImplementation(project: Project, decisionId: string): Promise<ImplementationStatus> {
    const decision = await this.getDecision(project, decisionId);
    return implementationStatus(decision, await this.store.changesImplementing(project.id, decisionId));
  }

  listDecisions(project: Project, page: PageRequest & SessionFilter): Promise<Page<Decision>> {
    return this.store.listDecisions(project.id, page);
  }
  listChanges(project: Project, page: PageRequest & SessionFilter): Promise<Page<FileChange>> {
    return this.store.listChanges(project.id, page);
  }

  private link(
    projectId: string,
    fromType: string,
    fromId: string,
    relation: string,
    toType: string,
    toId: string,
  ): Link {
    return {
      id: this.runtime.newId(),
      projectId,
      fromType,
      fromId,
      relation,
      toType,
      toId,
      createdAt: this.runtime.now(),
    };
  }
}
