/**
 * Upper bounds on what a call can be billed for, computed before it is made. A monthly budget is a hard cap only
 * if the reservation can never be below the bill, so these are bounds, not estimates:
 *
 * - Text: UTF-8 bytes. Every tokenizer the supported providers use is byte-level BPE (OpenAI's o200k/cl100k,
 *   Anthropic's, Llama 3's) or SentencePiece with byte fallback (Gemini, Gemma): each token covers at least one
 *   byte, so a text never has more tokens than bytes — dense CJK (3 bytes a character) and hex included, where
 *   a characters-per-token guess falls short. A real tokenizer would be tighter, but the ones that exist for
 *   these models are megabytes of vocabulary (or, for Claude and Gemini, not published), and a bound that is
 *   loose but always true is what a budget needs.
 * - Chat framing: a fixed allowance per message for role and separator tokens.
 * - Images: each provider's documented billing formula evaluated at the image's real dimensions (read from its
 *   header), with the most expensive model rules of that provider; an image whose size cannot be read is billed
 *   at the provider's maximum.
 */
import { fromBase64 } from "../core/encoding";
import { messageImages, messageText, type LlmContentPart, type LlmMessage, type LlmProviderId } from "./types";

/** Role, separator and priming tokens a chat template adds per message (OpenAI documents 3-4; kept generous). */
export const MESSAGE_FRAMING_TOKENS = 8;

type Image = Extract<LlmContentPart, { type: "image" }>;

export function utf8Bytes(text: string): number {
  // TextEncoder would allocate the whole encoding; counting code units is exact and allocation-free.
  let bytes = 0;
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        index += 1;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** The most prompt tokens a request can be billed for by `provider`'s `model`. */
export function promptTokenBound(
  provider: LlmProviderId,
  model: string,
  system: string | undefined,
  messages: LlmMessage[],
): number {
  let tokens = MESSAGE_FRAMING_TOKENS * (messages.length + 1) + utf8Bytes(system ?? "");
  for (const message of messages) {
    tokens += utf8Bytes(messageText(message.content));
    for (const image of messageImages(message.content)) tokens += imageTokenBound(provider, model, imageSize(image));
  }
  return tokens;
}

export interface ImageSize {
  width: number;
  height: number;
}

/**
 * Prompt tokens one image can be billed at, by the provider's documented rules; `size` null when it could not be
 * read (then the provider's largest billable image).
 */
export function imageTokenBound(provider: LlmProviderId, model: string, size: ImageSize | null): number {
  switch (provider) {
    case "openai":
    case "openai-compatible":
      return openAiImageTokens(model, size);
    case "anthropic":
      // tokens ≈ width·height/750, after resizing to at most ~1.15 megapixels (≈ 1,600 tokens at most).
      return Math.ceil(Math.min(size ? size.width * size.height : Infinity, 1_200_000) / 750);
    case "gemini": {
      // Both sides ≤ 384 px: 258 tokens; larger: 768×768 tiles of 258 each. Gemini 3 bills 1,120 per image at its
      // default (high) media resolution. An unreadable size counts as 8,000×8,000.
      const { width, height } = size ?? { width: 8_000, height: 8_000 };
      const tiles = width <= 384 && height <= 384 ? 1 : Math.ceil(width / 768) * Math.ceil(height / 768);
      return Math.max(1_120, tiles * 258);
    }
    case "workers-ai":
      // Llama 3.2 Vision: up to 4 tiles of 560 px, 1,601 tokens each.
      return 4 * 1_601;
  }
}

function openAiImageTokens(model: string, size: ImageSize | null): number {
  // Tiles: fit in 2048×2048, shortest side scaled to 768, 512-px tiles. gpt-4o-mini bills 2,833 + 5,667 a tile
  // (its low price per token makes up for it); the gpt-4o/4.1/5 family at most 85 + 170.
  const { width, height } = size ?? { width: 2_048, height: 768 };
  const fit = Math.min(1, 2_048 / Math.max(width, height));
  const shortest = Math.min(width, height) * fit;
  const scale = fit * Math.min(1, 768 / Math.max(shortest, 1));
  const tiles = Math.ceil((width * scale) / 512) * Math.ceil((height * scale) / 512);
  if (/gpt-4o-mini/i.test(model)) return 2_833 + 5_667 * tiles;
  // Patches (gpt-4.1-mini/nano, o4-mini, gpt-5-mini/nano): 32-px patches, at most 1,536, times up to 2.46.
  const patches = Math.min(1_536, Math.ceil(width / 32) * Math.ceil(height / 32));
  return Math.max(85 + 170 * tiles, Math.ceil(patches * 2.5));
}

/** Width and height from a PNG, GIF, WebP or JPEG header; null when the bytes are none of these. */
export function imageSize(image: Pick<Image, "base64">): ImageSize | null {
  let bytes: Uint8Array;
  try {
    // The header is in the first bytes for PNG, GIF and WebP; JPEG's SOF marker can follow large EXIF blocks.
    bytes = fromBase64(image.base64.slice(0, 262_144 - (262_144 % 4)));
  } catch {
    return null;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));
  if (bytes.length >= 24 && bytes[0] === 0x89 && ascii(1, 3) === "PNG") {
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes.length >= 10 && ascii(0, 3) === "GIF") {
    return { width: view.getUint16(6, true), height: view.getUint16(8, true) };
  }
  if (bytes.length >= 30 && ascii(0, 4) === "RIFF" && ascii(8, 4) === "WEBP") {
    const chunk = ascii(12, 4);
    if (chunk === "VP8X") {
      const width = 1 + (view.getUint16(24, true) | ((bytes[26] ?? 0) << 16));
      const height = 1 + (view.getUint16(27, true) | ((bytes[29] ?? 0) << 16));
      return { width, height };
    }
    if (chunk === "VP8L") {
      const bits = view.getUint32(21, true);
      return { width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
    }
    if (chunk === "VP8 ")
      return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
    return null;
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    let at = 2;
    while (at + 9 < bytes.length) {
      if (bytes[at] !== 0xff) return null;
      const marker = bytes[at + 1] ?? 0;
      // SOF0-SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { width: view.getUint16(at + 7), height: view.getUint16(at + 5) };
      }
      at += 2 + view.getUint16(at + 2);
    }
  }
  return null;
}
