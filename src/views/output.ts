/**
 * What a tool answers, over MCP and REST alike: the views in this folder build it, so a future dashboard can
 * show the same data and text without going through the MCP edge.
 */
export interface ToolOutput {
  /** Becomes MCP `structuredContent` and the REST JSON body. */
  data: Record<string, unknown>;
  /** Readable rendering for assistants that show text. */
  text: string;
  /**
   * An LLM operation of this call is held for the user's approval. Over MCP, a client that supports elicitation
   * is asked directly (and the call resumes with the decision); others get the approval_id in `data`.
   */
  approval?: { id: string; message: string };
}
