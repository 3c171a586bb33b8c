import { InMemoryErrorClassStore } from "./error-class-store";
/**
 * In-memory twins of the record stores, sharing one MemoryRecords as the D1 stores share one database. They pass
 * the same contract suites as the D1 stores (test/contract/record-stores, context-store and error-store
 * .contract.ts), so plain-Node tests of the domain can use them in place of D1.
 */
import { InMemoryContextStore } from "./context-store";
import { InMemoryDecisionStore } from "./decision-store";
import { InMemoryErrorStore } from "./error-store";
import { InMemoryProjectStore } from "./project-store";
import { MemoryRecords } from "./records";
import { InMemorySessionStore } from "./session-store";

export { InMemoryContextStore, InMemoryDecisionStore, InMemoryErrorStore, InMemoryProjectStore, InMemorySessionStore };
export { MemoryRecords };

export function inMemoryRecordStores(records = new MemoryRecords()) {
  return {
    records,
    projects: new InMemoryProjectStore(records),
    sessions: new InMemorySessionStore(records),
    errors: new InMemoryErrorStore(records),
    decisions: new InMemoryDecisionStore(records),
    context: new InMemoryContextStore(records),
    errorClasses: new InMemoryErrorClassStore(records),
    /** The twins keep no user table; the set only mirrors D1's users for tests that want to look. */
    async addUser(userId: string): Promise<void> {
      records.users.add(userId);
    },
  };
}
