import { env } from "cloudflare:workers";
import { is } from "drizzle-orm";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as schema from "../../src/adapters/d1/schema";

/**
 * src/adapters/d1/schema.ts restates migrations/*.sql by hand for drizzle. A column renamed, retyped or made
 * nullable in one and not the other compiles and only fails on the query that touches it, so this compares the
 * two: every drizzle table against `PRAGMA table_info` of the real table (the setup file has applied every
 * migration to env.DB), and every real table against schema.ts.
 */

/**
 * Tables the migrations create that schema.ts leaves out on purpose. Anything else in the database must be
 * declared there, so a new table is either modelled or listed here with its reason.
 */
function excludedBecause(name: string, virtualTables: Set<string>): string | null {
  if (name.startsWith("sqlite_")) return "SQLite's own bookkeeping";
  if (name.startsWith("_cf_")) return "D1's own bookkeeping";
  if (name === "d1_migrations") return "wrangler's record of applied migrations";
  if (virtualTables.has(name)) {
    return "an FTS5 index: kept in step by triggers in the migrations and queried with raw MATCH SQL; drizzle cannot declare virtual tables";
  }
  const shadowOf = /^(.+)_(data|idx|content|docsize|config)$/.exec(name)?.[1];
  if (shadowOf && virtualTables.has(shadowOf)) return `a shadow table FTS5 keeps for ${shadowOf}`;
  return null;
}

/** SQLite's type affinity of a declared column type (https://www.sqlite.org/datatype3.html#determination_of_column_affinity). */
function affinity(declared: string): "INTEGER" | "TEXT" | "BLOB" | "REAL" | "NUMERIC" {
  const type = declared.toUpperCase();
  if (type.includes("INT")) return "INTEGER";
  if (/CHAR|CLOB|TEXT/.test(type)) return "TEXT";
  if (type.includes("BLOB") || type.trim() === "") return "BLOB";
  if (/REAL|FLOA|DOUB/.test(type)) return "REAL";
  return "NUMERIC";
}

interface ColumnShape {
  affinity: string;
  notNull: boolean;
}

/**
 * How a column compares. A primary key column counts as NOT NULL on both sides: drizzle marks every primary key
 * NOT NULL, while SQLite lets a non-INTEGER key hold NULL unless it says NOT NULL (a legacy quirk that drizzle's
 * writes never reach).
 */
function shape(affinityOf: string, notNull: boolean, primary: boolean): ColumnShape {
  return { affinity: affinity(affinityOf), notNull: notNull || primary };
}

interface PragmaColumn {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

const drizzleTables = (Object.values(schema) as unknown[])
  .filter((value): value is SQLiteTable => is(value, SQLiteTable))
  .map((table) => getTableConfig(table));

async function realTables(): Promise<{ tables: string[]; virtualTables: Set<string> }> {
  const { results } = await env.DB.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all<{
    name: string;
    sql: string | null;
  }>();
  const virtualTables = new Set(
    results.filter((row) => /^\s*CREATE\s+VIRTUAL\s+TABLE/i.test(row.sql ?? "")).map((row) => row.name),
  );
  return { tables: results.map((row) => row.name).sort(), virtualTables };
}

async function pragmaColumns(table: string): Promise<PragmaColumn[]> {
  const { results } = await env.DB.prepare(`PRAGMA table_info("${table.replace(/"/g, '""')}")`).all<PragmaColumn>();
  return results;
}

/** Every difference between one drizzle table and the real one, as readable lines (empty when they agree). */
async function tableDrift(config: ReturnType<typeof getTableConfig>): Promise<string[]> {
  const real = await pragmaColumns(config.name);
  if (real.length === 0) return [`${config.name}: declared in schema.ts but no migration creates it`];
  const drift: string[] = [];
  const compositeKey = config.primaryKeys.flatMap((key) => key.columns.map((column) => column.name));
  const declaredKey = [
    ...config.columns.filter((column) => column.primary).map((column) => column.name),
    ...compositeKey,
  ];
  const realKey = real
    .filter((column) => column.pk > 0)
    .sort((a, b) => a.pk - b.pk)
    .map((column) => column.name);
  if (declaredKey.join(",") !== realKey.join(",")) {
    drift.push(`${config.name}: primary key (${declaredKey.join(", ")}) in schema.ts, (${realKey.join(", ")}) in SQL`);
  }
  const realByName = new Map(real.map((column) => [column.name, column]));
  for (const column of config.columns) {
    const sql = realByName.get(column.name);
    if (!sql) {
      drift.push(`${config.name}.${column.name}: in schema.ts, not in SQL`);
      continue;
    }
    const declared = shape(column.getSQLType(), column.notNull, declaredKey.includes(column.name));
    const actual = shape(sql.type, sql.notnull === 1, sql.pk > 0);
    if (declared.affinity !== actual.affinity) {
      drift.push(`${config.name}.${column.name}: ${declared.affinity} in schema.ts, ${actual.affinity} in SQL`);
    }
    if (declared.notNull !== actual.notNull) {
      const say = (notNull: boolean) => (notNull ? "NOT NULL" : "nullable");
      drift.push(`${config.name}.${column.name}: ${say(declared.notNull)} in schema.ts, ${say(actual.notNull)} in SQL`);
    }
  }
  const declaredNames = new Set(config.columns.map((column) => column.name));
  for (const column of real) {
    if (!declaredNames.has(column.name)) drift.push(`${config.name}.${column.name}: in SQL, not in schema.ts`);
  }
  return drift;
}

describe("schema.ts matches the migrations", () => {
  it("declares tables", () => {
    expect(drizzleTables.length).toBeGreaterThan(10);
  });

  it("every drizzle table has the real table's columns: name, type affinity, NOT NULL and primary key", async () => {
    const drift = (await Promise.all(drizzleTables.map((config) => tableDrift(config)))).flat();
    expect(drift).toEqual([]);
  });

  it("every table the migrations create is in schema.ts, or excluded with a reason", async () => {
    const { tables, virtualTables } = await realTables();
    const declared = new Set(drizzleTables.map((config) => config.name));
    const missing = tables.filter((name) => !declared.has(name) && excludedBecause(name, virtualTables) === null);
    expect(missing).toEqual([]);
    // A new virtual table is excluded wholesale with its shadow tables, so it is a decision made here too.
    expect([...virtualTables].sort()).toEqual(["decisions_fts", "errors_fts", "file_changes_fts"]);
  });
});
