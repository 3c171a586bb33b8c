// `coding-memory screenshot <image>`: reads the error out of a screenshot on this machine with Tesseract
// (tesseract.js and its bundled English model: nothing is downloaded at run time), prints the text, and with
// --record records it as an error; the server fills type, message, file and line from the text. The image is
// uploaded with it unless --text-only, in which case no image leaves the machine.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
export const MAX_IMAGE_BYTES = 5 * 1_048_576;

/** @param {Uint8Array} bytes */
export function isImage(bytes) {
  const starts = (/** @type {number[]} */ ...signature) => signature.every((byte, index) => bytes[index] === byte);
  return (
    starts(0x89, 0x50, 0x4e, 0x47) ||
    starts(0xff, 0xd8, 0xff) ||
    starts(0x47, 0x49, 0x46, 0x38) ||
    (starts(0x52, 0x49, 0x46, 0x46) && bytes[8] === 0x57 && bytes[9] === 0x45)
  );
}

/**
 * Text in an image, by OCR with the bundled English model.
 * @param {Uint8Array} image
 * @returns {Promise<string>}
 */
export async function recognizeText(image) {
  const { createWorker } = await import("tesseract.js");
  /** @type {{ langPath: string, gzip: boolean }} */
  const eng = require("@tesseract.js-data/eng");
  const worker = await createWorker("eng", 1, { langPath: eng.langPath, gzip: eng.gzip, cacheMethod: "none" });
  try {
    const { data } = await worker.recognize(Buffer.from(image));
    return data.text.replace(/\n{3,}/g, "\n\n").trim();
  } finally {
    await worker.terminate();
  }
}

/**
 * @param {{
 *   api: import("./api.mjs").ApiClient | null,
 *   project: string | null,
 *   file: string,
 *   record: boolean,
 *   textOnly: boolean,
 *   fields: { error_type?: string, message?: string, file_path?: string, line_number?: number, tags?: string[] },
 * }} options
 */
export async function screenshot(options) {
  const bytes = new Uint8Array(readFileSync(options.file));
  if (!isImage(bytes)) throw new Error(`${options.file}: not a PNG, JPEG, WebP or GIF image.`);
  if (bytes.length > MAX_IMAGE_BYTES) throw new Error(`${options.file}: over the server's 5 MiB image limit.`);
  const text = await recognizeText(bytes);
  if (!options.record || !options.api || !options.project) return { text, recorded: null };
  const project = encodeURIComponent(options.project);
  const recorded = await options.api.request("POST", `/projects/${project}/errors`, {
    ...options.fields,
    screenshot_text: text,
    ...(options.textOnly ? {} : { screenshot: Buffer.from(bytes).toString("base64") }),
  });
  return { text, recorded };
}
