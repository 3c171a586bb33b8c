/**
 * The last step before any provider sees a prompt: every text in it (system prompt, message text, text parts,
 * which include text read from images by OCR) goes through `redactSecrets`, whatever operation built it. Memory
 * is redacted when stored, but prompts also carry text that was never stored (an unrecorded error, OCR output, a
 * context to compress), and a provider is a third party. Image bytes are passed as they are: pixels cannot be
 * redacted as text.
 */
import { redactSecrets } from "../core/redaction";
import type { LlmContentPart, LlmRequest } from "./types";

const clean = (text: string) => redactSecrets(text).text;

function cleanPart(part: LlmContentPart): LlmContentPart {
  return part.type === "text" ? { ...part, text: clean(part.text) } : part;
}

export function redactOutboundRequest<T extends Omit<LlmRequest, "model">>(request: T): T {
  return {
    ...request,
    ...(request.system === undefined ? {} : { system: clean(request.system) }),
    messages: request.messages.map((message) => ({
      ...message,
      content: typeof message.content === "string" ? clean(message.content) : message.content.map(cleanPart),
    })),
  };
}
