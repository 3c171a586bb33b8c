import type { ErrorClassStore, StoredErrorClass } from "../../../src/domain/errors/error-classes";
import { classTag } from "../../../src/domain/errors/error-classes";
import { copy, type MemoryRecords } from "./records";

/** Twin of D1ErrorClassStore: a team's classes, and the retagging of its projects' errors. */
export class InMemoryErrorClassStore implements ErrorClassStore {
  constructor(private readonly records: MemoryRecords) {}

  async list(teamId: string): Promise<StoredErrorClass[]> {
    return [...(this.records.errorClasses.get(teamId) ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1)).map(copy);
  }

  async define(teamId: string, errorClass: StoredErrorClass): Promise<{ tagged: number }> {
    const classes = (this.records.errorClasses.get(teamId) ?? []).filter((c) => c.name !== errorClass.name);
    const existing = this.records.errorClasses.get(teamId)?.find((c) => c.name === errorClass.name);
    // A redefinition keeps who made it and when, as D1's upsert does.
    classes.push(
      existing
        ? { ...copy(errorClass), createdBy: existing.createdBy, createdAt: existing.createdAt }
        : copy(errorClass),
    );
    this.records.errorClasses.set(teamId, classes);
    const team = this.teamErrors(teamId);
    for (const error of team) this.records.tagWithClasses(error, true);
    return { tagged: team.filter((error) => error.tags.includes(classTag(errorClass.name))).length };
  }

  async remove(teamId: string, name: string): Promise<boolean> {
    const classes = this.records.errorClasses.get(teamId) ?? [];
    if (!classes.some((c) => c.name === name)) return false;
    this.records.errorClasses.set(
      teamId,
      classes.filter((c) => c.name !== name),
    );
    for (const error of this.teamErrors(teamId)) {
      if (error.tags.includes(classTag(name))) this.records.tagWithClasses(error, true);
    }
    return true;
  }

  private teamErrors(teamId: string) {
    return [...this.records.errors.values()].filter(
      (error) => this.records.projects.get(error.projectId)?.teamId === teamId,
    );
  }
}
