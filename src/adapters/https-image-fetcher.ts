import { AppError } from "../domain/core/app-error";
import type { ImageFetcher } from "../domain/screenshots/ports";

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * Fetches an image URL given in a tool call: https only (redirects too, followed by hand and checked), a
 * timeout, and the body read no further than the size limit, so a huge or endless response costs nothing.
 */
export function httpsImageFetcher(fetch: Fetch, timeoutMs = 10_000): ImageFetcher {
  return async (url, maxBytes) => {
    let current = url;
    for (let hop = 0; hop < 4; hop += 1) {
      if (!/^https:\/\//i.test(current)) {
        throw new AppError("invalid_input", "screenshot: only https URLs are fetched (also after redirects).", {
          details: { field: "screenshot" },
        });
      }
      let response: Response;
      try {
        response = await fetch(current, { redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
      } catch (cause) {
        throw new AppError("invalid_input", `screenshot: could not fetch ${new URL(current).host}.`, {
          details: { field: "screenshot" },
          cause,
        });
      }
      const location = response.headers.get("Location");
      if (response.status >= 300 && response.status < 400 && location) {
        current = new URL(location, current).toString();
        continue;
      }
      if (!response.ok || !response.body) {
        throw new AppError("invalid_input", `screenshot: ${new URL(current).host} answered ${response.status}.`, {
          details: { field: "screenshot" },
        });
      }
      const reader = response.body.getReader();
      const chunks: Uint8Array[] = [];
      let size = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > maxBytes) {
          await reader.cancel();
          throw new AppError("payload_too_large", `screenshot: the image is over ${maxBytes} bytes.`, {
            details: { field: "screenshot", limit: maxBytes },
          });
        }
        chunks.push(value);
      }
      const bytes = new Uint8Array(size);
      let offset = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, offset);
        offset += chunk.length;
      }
      return bytes;
    }
    throw new AppError("invalid_input", "screenshot: too many redirects.", { details: { field: "screenshot" } });
  };
}
