import { markdownList, type ResourceDefinition } from "./resource";

const LISTED = 50;

export const openErrorsResource: ResourceDefinition = {
  path: "errors/open",
  name: "open-errors",
  title: "Open errors",
  description: "The project's errors without a recorded fix (the last 50 seen), with occurrences and where.",
  mimeType: "text/markdown",
  async read({ services, project }) {
    const page = await services.errors.records.listErrors(project, { limit: LISTED, cursor: null, resolved: false });
    const lines = page.items.map((e) => {
      const where = e.filePath ? ` at ${e.filePath}${e.lineNumber ? `:${e.lineNumber}` : ""}` : "";
      const seen = `seen ${e.occurrences}×, last ${new Date(e.lastSeen).toISOString().slice(0, 10)}`;
      return `- ${e.errorType}: ${e.message.split("\n")[0]?.slice(0, 200)}${where} (${seen}; id ${e.id})`;
    });
    return markdownList(`Open errors of ${project.slug}`, lines, "No open errors.");
  },
};
