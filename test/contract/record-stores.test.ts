// The record-store contracts against the in-memory twins, in plain Node (the unit project): the same suites run
// against the D1 stores in record-stores.workers.test.ts.
import { inMemoryRecordStores } from "../fakes/in-memory";
import { contextStoreContract } from "./context-store.contract";
import { errorStoreContract } from "./error-store.contract";
import { recordStoresContract } from "./record-stores.contract";

recordStoresContract("in-memory twins", () => inMemoryRecordStores());
contextStoreContract("in-memory twins", () => inMemoryRecordStores());
errorStoreContract("in-memory twins", () => inMemoryRecordStores());
