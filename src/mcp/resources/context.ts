import { runTool } from "../run-tool";
import { getProjectContextTool } from "../tools/get-project-context";
import type { ResourceDefinition } from "./resource";

export const contextResource: ResourceDefinition = {
  path: "context",
  name: "project-context",
  title: "Project context",
  description: "The project's stack, open and solved errors, decisions and recent changes (2,000 tokens).",
  mimeType: "text/markdown",
  async read({ services, identity, ref }) {
    return (await runTool(getProjectContextTool, services, identity, { project_id: ref, max_tokens: 2_000 })).text;
  },
};
