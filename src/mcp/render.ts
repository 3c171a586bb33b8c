import type { Attachment } from "../domain/attachments";
import type { Project } from "../domain/records";

/** Readable renderings shared by tools: long lists are cut with a count, the full list stays in the data. */
export function bulletList(items: readonly string[], max = 30, indent = ""): string {
  if (!items.length) return `${indent}- (none)`;
  const shown = items.slice(0, max).map((item) => `${indent}- ${item}`);
  if (items.length > max) shown.push(`${indent}- … and ${items.length - max} more`);
  return shown.join("\n");
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** A stored image (screenshot, diagram) as results show it, with the URL members read it back from. */
export function attachmentView(project: Project, attachment: Attachment) {
  return {
    attachment_id: attachment.id,
    content_type: attachment.contentType,
    size_bytes: attachment.sizeBytes,
    url: `/api/v1/projects/${encodeURIComponent(project.slug)}/attachments/${attachment.id}`,
  };
}
