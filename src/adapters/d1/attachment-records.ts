import { and, eq } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import type { Attachment, AttachmentRecords, ImageType } from "../../domain/attachments";
import * as schema from "./schema";

const { attachments } = schema;

export class D1AttachmentRecords implements AttachmentRecords {
  private readonly db: DrizzleD1Database<typeof schema>;

  constructor(d1: D1Database) {
    this.db = drizzle(d1, { schema });
  }

  async insert(attachment: Attachment): Promise<void> {
    await this.db.insert(attachments).values(attachment);
  }

  async get(projectId: string, id: string): Promise<Attachment | null> {
    const row = await this.db
      .select()
      .from(attachments)
      .where(and(eq(attachments.projectId, projectId), eq(attachments.id, id)))
      .get();
    return row ? { ...row, contentType: row.contentType as ImageType } : null;
  }

  async linkToError(projectId: string, id: string, errorId: string): Promise<void> {
    await this.db
      .update(attachments)
      .set({ errorId })
      .where(and(eq(attachments.projectId, projectId), eq(attachments.id, id)));
  }

  async forError(projectId: string, errorId: string): Promise<Attachment[]> {
    const rows = await this.db
      .select()
      .from(attachments)
      .where(and(eq(attachments.projectId, projectId), eq(attachments.errorId, errorId)))
      .orderBy(attachments.createdAt);
    return rows.map((row) => ({ ...row, contentType: row.contentType as ImageType }));
  }
}
