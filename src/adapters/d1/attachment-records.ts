import { and, eq } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import type { Attachment, ImageType } from "../../domain/screenshots/attachments";
import type { AttachmentRecords } from "../../domain/screenshots/ports";
import type { ScreenshotAnalysis } from "../../domain/screenshots/screenshot-analysis";
import * as schema from "./schema";

const { attachments } = schema;

export class D1AttachmentRecords implements AttachmentRecords {
  private readonly db: DrizzleD1Database<typeof schema>;

  constructor(d1: D1Database) {
    this.db = drizzle(d1, { schema });
  }

  async insert(attachment: Attachment): Promise<void> {
    await this.db
      .insert(attachments)
      .values({ ...attachment, analysis: attachment.analysis ? JSON.stringify(attachment.analysis) : null });
  }

  async get(projectId: string, id: string): Promise<Attachment | null> {
    const row = await this.db
      .select()
      .from(attachments)
      .where(and(eq(attachments.projectId, projectId), eq(attachments.id, id)))
      .get();
    return row ? fromRow(row) : null;
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
    return rows.map(fromRow);
  }

  async saveAnalysis(projectId: string, id: string, analysis: ScreenshotAnalysis): Promise<void> {
    await this.db
      .update(attachments)
      .set({ analysis: JSON.stringify(analysis) })
      .where(and(eq(attachments.projectId, projectId), eq(attachments.id, id)));
  }
}

function fromRow(row: typeof attachments.$inferSelect): Attachment {
  return {
    ...row,
    contentType: row.contentType as ImageType,
    analysis: row.analysis ? (JSON.parse(row.analysis) as ScreenshotAnalysis) : null,
  };
}
