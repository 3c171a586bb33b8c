import type { ScreenshotAnalysis } from "./screenshot-analysis";
import type { Attachment } from "./attachments";

/** Object storage for the bytes (R2). */
export interface BlobStore {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<{ bytes: Uint8Array; contentType: string } | null>;
}

/** The attachment rows (D1): what an upload is, what it was read as, and the error it shows. */
export interface AttachmentRecords {
  insert(attachment: Attachment): Promise<void>;
  get(projectId: string, id: string): Promise<Attachment | null>;
  linkToError(projectId: string, id: string, errorId: string): Promise<void>;
  saveAnalysis(projectId: string, id: string, analysis: ScreenshotAnalysis): Promise<void>;
  forError(projectId: string, errorId: string): Promise<Attachment[]>;
}

/** Fetches an image over https with a size cap; the adapter refuses other schemes and redirects to them. */
export type ImageFetcher = (url: string, maxBytes: number) => Promise<Uint8Array>;
