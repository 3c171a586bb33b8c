import { markdownList, type ResourceDefinition } from "./resource";

const LISTED = 50;

export const decisionsResource: ResourceDefinition = {
  path: "decisions",
  name: "decisions",
  title: "Design decisions",
  description: "The project's design decisions, newest first (the last 50), with rationale and alternatives.",
  mimeType: "text/markdown",
  async read({ services, project }) {
    const page = await services.decisions.listDecisions(project, { limit: LISTED, cursor: null });
    const lines = page.items.map((d) => {
      const rejected = d.alternatives.length ? ` Rejected: ${d.alternatives.join("; ")}.` : "";
      const files = d.relatedFiles.length ? ` Files: ${d.relatedFiles.join(", ")}.` : "";
      return `- **${d.decision}** (${new Date(d.createdAt).toISOString().slice(0, 10)}, id ${d.id}) — ${d.rationale}${rejected}${files}`;
    });
    return markdownList(`Decisions of ${project.slug}`, lines, "No decisions recorded yet (coding_record_decision).");
  },
};
