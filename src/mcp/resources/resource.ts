import type { Services } from "../../composition/services";
import type { Identity, Project } from "../../domain/core/records";

/**
 * An MCP resource of every project the caller can read, at `coding-memory://projects/{project}/{path}` (the
 * project as `team/name`, URL-encoded): what clients offer as @-mentions. Reading resolves the project for the
 * caller first (the one authorization point every tool uses), so a URI of someone else's project reads nothing.
 */
export interface ResourceDefinition {
  /** The URI after the project, e.g. `context` or `errors/open`. */
  path: string;
  name: string;
  title: string;
  description: string;
  mimeType: "text/markdown";
  read(context: { services: Services; identity: Identity; project: Project; ref: string }): Promise<string>;
}

export const RESOURCE_SCHEME = "coding-memory://projects/";

export function resourceUri(ref: string, path: string): string {
  return `${RESOURCE_SCHEME}${encodeURIComponent(ref)}/${path}`;
}

/** Markdown of a one-line-per-item list, or a sentence saying there is none. */
export function markdownList(title: string, lines: string[], none: string): string {
  return [`# ${title}`, "", ...(lines.length ? lines : [none])].join("\n");
}
