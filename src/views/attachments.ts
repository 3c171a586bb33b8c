import { z } from "zod";
import type { Attachment } from "../domain/screenshots/attachments";
import type { Project } from "../domain/core/records";

export const attachmentViewSchema = z.object({
  attachment_id: z.string(),
  content_type: z.string(),
  size_bytes: z.number(),
  url: z.string(),
});

/** A stored image (screenshot, diagram) as results show it, with the URL members read it back from. */
export function attachmentView(project: Project, attachment: Attachment): z.output<typeof attachmentViewSchema> {
  return {
    attachment_id: attachment.id,
    content_type: attachment.contentType,
    size_bytes: attachment.sizeBytes,
    url: `/api/v1/projects/${encodeURIComponent(project.slug)}/attachments/${attachment.id}`,
  };
}
