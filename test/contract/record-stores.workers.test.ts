// The record-store contracts against the D1 stores on local D1 (the workers project; migrations applied by
// test/setup/apply-migrations.ts). The same suites run against the in-memory twins in record-stores.test.ts.
import { env } from "cloudflare:workers";
import { D1ContextStore } from "../../src/adapters/d1/context-store";
import { D1ErrorClassStore } from "../../src/adapters/d1/error-classes";
import { D1DecisionStore } from "../../src/adapters/d1/decision-store";
import { D1ErrorStore } from "../../src/adapters/d1/error-store";
import { D1ProjectStore } from "../../src/adapters/d1/project-store";
import { D1SessionStore } from "../../src/adapters/d1/session-store";
import { contextStoreContract } from "./context-store.contract";
import { errorStoreContract } from "./error-store.contract";
import type { RecordStores } from "./record-fixtures";
import { recordStoresContract } from "./record-stores.contract";

function d1Stores(): RecordStores {
  return {
    projects: new D1ProjectStore(env.DB),
    sessions: new D1SessionStore(env.DB),
    errors: new D1ErrorStore(env.DB),
    decisions: new D1DecisionStore(env.DB),
    context: new D1ContextStore(env.DB),
    errorClasses: new D1ErrorClassStore(env.DB),
    async addUser(userId) {
      await env.DB.prepare("INSERT INTO users (id, display_name, created_at) VALUES (?, ?, 0)")
        .bind(userId, userId)
        .run();
    },
  };
}

recordStoresContract("D1 stores (local D1)", d1Stores);
contextStoreContract("D1 stores (local D1)", d1Stores);
errorStoreContract("D1 stores (local D1)", d1Stores);
