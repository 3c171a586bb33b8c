import { and, asc, eq, sql, type SQL } from "drizzle-orm";
import { classTag, type ErrorClassStore, type StoredErrorClass } from "../../domain/errors/error-classes";
import { errorClasses, errors, projects } from "./schema";
import { database, type Db } from "./sql";

/**
 * An error's tags with its class tags recomputed (the SQL of `withClassTags`): its own tags first, in order, then
 * `class:<name>` of every class of its project's team it matches, by name. `lower()` and `instr()`: ASCII
 * case-insensitive "contains", never LIKE (a `%` in a pattern is a character).
 */
export const CLASS_TAGS = sql`(SELECT json_group_array(tag) FROM (
  SELECT value AS tag, 0 AS grp, printf('%08d', key) AS ord FROM json_each(${errors.tags})
    WHERE substr(value, 1, 6) <> 'class:'
  UNION ALL
  SELECT 'class:' || c.name, 1, c.name FROM ${errorClasses} c JOIN ${projects} p ON p.team_id = c.team_id
    WHERE p.id = ${errors.projectId}
      AND (c.type_contains IS NULL OR instr(lower(${errors.errorType}), lower(c.type_contains)) > 0)
      AND (c.message_contains IS NULL OR instr(lower(${errors.message}), lower(c.message_contains)) > 0)
      AND (c.frame_contains IS NULL OR instr(lower(coalesce(${errors.stackTrace}, '')), lower(c.frame_contains)) > 0)
  ORDER BY grp, ord))`;

/** The project's team has classes: only then is a recorded error's tag list rewritten. */
export const TEAM_HAS_CLASSES = sql`EXISTS (SELECT 1 FROM ${errorClasses} c JOIN ${projects} p ON p.team_id = c.team_id WHERE p.id = ${errors.projectId})`;

/** The error carries the class's tag. */
function carriesClass(name: string): SQL {
  return sql`EXISTS (SELECT 1 FROM json_each(${errors.tags}) WHERE value = ${classTag(name)})`;
}

/** Recomputes the class tags of the errors `where` selects, returning them (a batch item). */
export function retag(db: Db, where: SQL | undefined) {
  return db.update(errors).set({ tags: CLASS_TAGS }).where(where).returning();
}

export class D1ErrorClassStore implements ErrorClassStore {
  private readonly db: Db;

  constructor(d1: D1Database) {
    this.db = database(d1);
  }

  async list(teamId: string): Promise<StoredErrorClass[]> {
    return this.db.select().from(errorClasses).where(eq(errorClasses.teamId, teamId)).orderBy(asc(errorClasses.name));
  }

  async define(teamId: string, errorClass: StoredErrorClass): Promise<{ tagged: number }> {
    const { name, ...rest } = errorClass;
    const [, , [counted]] = await this.db.batch([
      this.db
        .insert(errorClasses)
        .values({ teamId, name, ...rest })
        .onConflictDoUpdate({
          target: [errorClasses.teamId, errorClasses.name],
          set: {
            typeContains: rest.typeContains,
            messageContains: rest.messageContains,
            frameContains: rest.frameContains,
          },
        }),
      this.db.update(errors).set({ tags: CLASS_TAGS }).where(this.ofTeam(teamId)),
      this.db
        .select({ n: sql<number>`count(*)` })
        .from(errors)
        .where(and(this.ofTeam(teamId), carriesClass(name))),
    ]);
    return { tagged: Number(counted?.n ?? 0) };
  }

  async remove(teamId: string, name: string): Promise<boolean> {
    const [deleted] = await this.db.batch([
      this.db
        .delete(errorClasses)
        .where(and(eq(errorClasses.teamId, teamId), eq(errorClasses.name, name)))
        .returning({ name: errorClasses.name }),
      // With the class gone, recomputing drops its tag (and only its tag) from every error of the team.
      this.db
        .update(errors)
        .set({ tags: CLASS_TAGS })
        .where(and(this.ofTeam(teamId), carriesClass(name))),
    ]);
    return deleted.length > 0;
  }

  private ofTeam(teamId: string): SQL {
    return sql`${errors.projectId} IN (SELECT ${projects.id} FROM ${projects} WHERE ${projects.teamId} = ${teamId})`;
  }
}
