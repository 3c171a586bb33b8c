/**
 * Images attached to errors (screenshots). A remote server cannot open `/path/to/screenshot.png` on a
 * developer's laptop, so an image arrives as bytes: an upload, a data URL or base64 in the tool call, or an
 * https URL the server fetches. Its type is read from its bytes (never trusted from a name or header), its size
 * is bounded, and it is stored under a per-project key.
 */
import { AppError } from "../core/app-error";
import { fromBase64, sha256Hex } from "../core/encoding";
import type { Runtime } from "../core/ports";
import type { Identity, Project } from "../core/records";
import type { ScreenshotAnalysis } from "./screenshot-analysis";
import type { AttachmentRecords, BlobStore, ImageFetcher } from "./ports";

export const ATTACHMENT_LIMITS = { bytes: 5 * 1_048_576 } as const;

export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** The image type from the file's magic bytes; null for anything else (SVG, PDF, HTML, text…). */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
  const starts = (...signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x47, 0x49, 0x46, 0x38) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61)
    return "image/gif";
  // RIFF....WEBP
  if (
    starts(0x52, 0x49, 0x46, 0x46) &&
    bytes[8] === 0x57 &&
    bytes[9] === 0x45 &&
    bytes[10] === 0x42 &&
    bytes[11] === 0x50
  ) {
    return "image/webp";
  }
  return null;
}

export interface Attachment {
  id: string;
  projectId: string;
  errorId: string | null;
  contentType: ImageType;
  sizeBytes: number;
  sha256: string;
  r2Key: string;
  origin: string;
  createdBy: string;
  createdAt: number;
  /** What the image was read as (vision model or OCR); null until read. */
  analysis: ScreenshotAnalysis | null;
}

const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+)?(;[a-z0-9=-]+)*;base64,/i;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const ATTACHMENT_ID = /^att_[A-Za-z0-9-]{8,64}$/;

function base64Bytes(text: string, field: string): Uint8Array {
  try {
    return fromBase64(text);
  } catch (cause) {
    throw new AppError("invalid_input", `${field}: not valid base64.`, { details: { field }, cause });
  }
}

export class AttachmentService {
  constructor(
    private readonly records: AttachmentRecords,
    private readonly blobs: BlobStore,
    private readonly fetchImage: ImageFetcher,
    private readonly runtime: Runtime,
  ) {}

  /** Stores image bytes for the project; anything that is not a PNG, JPEG, WebP or GIF is refused. */
  async store(
    identity: Identity,
    project: Project,
    bytes: Uint8Array,
    origin: string,
    field = "file",
  ): Promise<Attachment> {
    if (bytes.length === 0) throw new AppError("invalid_input", `${field}: empty image.`, { details: { field } });
    if (bytes.length > ATTACHMENT_LIMITS.bytes) {
      throw new AppError(
        "payload_too_large",
        `${field}: ${bytes.length} bytes; images are limited to ${ATTACHMENT_LIMITS.bytes} bytes.`,
        {
          details: { field, limit: ATTACHMENT_LIMITS.bytes },
        },
      );
    }
    const contentType = sniffImageType(bytes);
    if (!contentType) {
      throw new AppError("unsupported", `${field}: not a PNG, JPEG, WebP or GIF image (judged by its bytes).`, {
        details: { field, accepted: IMAGE_TYPES },
      });
    }
    const id = `att_${this.runtime.newId()}`;
    const attachment: Attachment = {
      id,
      projectId: project.id,
      errorId: null,
      contentType,
      sizeBytes: bytes.length,
      sha256: await sha256Hex(bytes),
      r2Key: `projects/${project.id}/attachments/${id}`,
      origin,
      createdBy: identity.userId,
      createdAt: this.runtime.now(),
      analysis: null,
    };
    // Bytes first: a row never points at an object that was not written.
    await this.blobs.put(attachment.r2Key, bytes, contentType);
    await this.records.insert(attachment);
    return attachment;
  }

  /**
   * The image a `screenshot` argument means: an attachment id from an upload, a data URL, raw base64, or an
   * https URL. A local file path is refused with how to send the file instead.
   */
  async fromArgument(identity: Identity, project: Project, value: string, field = "screenshot"): Promise<Attachment> {
    const text = value.trim();
    if (ATTACHMENT_ID.test(text)) {
      const found = await this.records.get(project.id, text);
      if (!found)
        throw new AppError("not_found", `${field}: attachment ${text} not found in project ${project.slug}.`, {
          details: { field },
        });
      return found;
    }
    const dataUrl = DATA_URL.exec(text);
    if (dataUrl)
      return this.store(identity, project, base64Bytes(text.slice(dataUrl[0].length), field), "data-url", field);
    if (/^https:\/\//i.test(text)) {
      const bytes = await this.fetchImage(text, ATTACHMENT_LIMITS.bytes);
      return this.store(identity, project, bytes, new URL(text).origin + new URL(text).pathname, field);
    }
    if (/^http:\/\//i.test(text)) {
      throw new AppError("invalid_input", `${field}: only https URLs are fetched.`, { details: { field } });
    }
    if (text.length >= 64 && BASE64.test(text.replace(/\s+/g, ""))) {
      return this.store(identity, project, base64Bytes(text, field), "base64", field);
    }
    throw new AppError(
      "invalid_input",
      `${field}: "${text.slice(0, 120)}" looks like a file path on your machine, which this server cannot read. ` +
        "Send the image itself: run `npx coding-memory screenshot <file> --record` (reads it locally, extracts its text, " +
        "uploads it), or upload it with POST /api/v1/projects/<project>/attachments and pass the returned attachment_id, " +
        "or pass a data URL (data:image/png;base64,…) or an https URL.",
      { details: { field } },
    );
  }

  linkToError(project: Project, attachment: Attachment, errorId: string): Promise<void> {
    return this.records.linkToError(project.id, attachment.id, errorId);
  }

  saveAnalysis(project: Project, attachment: Attachment, analysis: ScreenshotAnalysis): Promise<void> {
    return this.records.saveAnalysis(project.id, attachment.id, analysis);
  }

  async read(project: Project, id: string): Promise<{ attachment: Attachment; bytes: Uint8Array }> {
    const attachment = ATTACHMENT_ID.test(id) ? await this.records.get(project.id, id) : null;
    const blob = attachment ? await this.blobs.get(attachment.r2Key) : null;
    if (!attachment || !blob) throw new AppError("not_found", `attachment ${id} not found in project ${project.slug}.`);
    return { attachment, bytes: blob.bytes };
  }

  forError(project: Project, errorId: string): Promise<Attachment[]> {
    return this.records.forError(project.id, errorId);
  }
}
