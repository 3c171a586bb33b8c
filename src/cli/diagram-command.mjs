// `coding-memory diagram <file>`: reads an architecture diagram into the project's memory. A diagram's source
// (Mermaid, PlantUML, DOT, D2, or a Markdown file with a ```mermaid block) is sent as text and parsed by the
// server for free; an image is uploaded and read by the project's vision model.
import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { isImage, MAX_IMAGE_BYTES } from "./screenshot-command.mjs";

const FENCE = /```(mermaid|plantuml|puml|dot|graphviz|d2)\s*\n([\s\S]*?)```/i;

/**
 * The diagram source in a file, or null when the file is an image.
 * @param {string} file
 * @param {Uint8Array} bytes
 * @returns {string | null}
 */
export function diagramSource(file, bytes) {
  if (isImage(bytes)) return null;
  const text = new TextDecoder().decode(bytes);
  if ([".md", ".markdown", ".mdx"].includes(extname(file).toLowerCase())) {
    const fenced = FENCE.exec(text);
    if (!fenced?.[2]) throw new Error(`${file}: no \`\`\`mermaid, plantuml, dot or d2 block found.`);
    return fenced[2];
  }
  return text;
}

/**
 * @param {{
 *   api: import("./api.mjs").ApiClient,
 *   project: string,
 *   file: string,
 *   title: string | null,
 *   recordDecision: boolean,
 * }} options
 */
export async function diagram(options) {
  const bytes = new Uint8Array(readFileSync(options.file));
  const source = diagramSource(options.file, bytes);
  if (source === null && bytes.length > MAX_IMAGE_BYTES) {
    throw new Error(`${options.file}: over the server's 5 MiB image limit.`);
  }
  const image = source === null ? Buffer.from(bytes).toString("base64") : null;
  const project = encodeURIComponent(options.project);
  return options.api.request("POST", `/projects/${project}/diagrams`, {
    ...(source ? { diagram_source: source } : {}),
    ...(image ? { image } : {}),
    ...(options.title ? { title: options.title } : {}),
    record_decision: options.recordDecision,
  });
}

/**
 * The server's answer, readable.
 * @param {Record<string, any>} result
 */
export function describeDiagram(result) {
  if (!result.diagram_id) {
    return (
      `Held for approval: reading the image with ${result.analysis?.model} would cost up to $${result.analysis?.estimated_cost_usd}. ` +
      `Approve with POST /approvals/${result.analysis?.approval_id}/approve (or coding_approve), or send the diagram's source.`
    );
  }
  /** @type {Map<string, string>} */
  const names = new Map(result.components.map((/** @type {any} */ c) => [c.id, c.name]));
  const lines = [
    `${result.title}: ${result.pattern} (${result.pattern_confidence} confidence), ${result.components.length} components, ` +
      `${result.connections.length} connections — diagram ${result.diagram_id}` +
      (result.decision_id ? `, decision ${result.decision_id}` : ""),
    ...result.components.map((/** @type {any} */ c) => `  ${c.name} (${c.kind}${c.group ? `, ${c.group}` : ""})`),
    ...result.connections.map(
      (/** @type {any} */ c) =>
        `  ${names.get(c.from) ?? c.from} -> ${names.get(c.to) ?? c.to}${c.label ? `: ${c.label}` : ""}`,
    ),
  ];
  if (result.evidence?.length) lines.push(`Evidence: ${result.evidence.join("; ")}`);
  return lines.join("\n");
}
