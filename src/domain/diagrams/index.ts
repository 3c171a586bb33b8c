/**
 * Architecture facts from diagrams written as text.
 *
 * Teams keep architecture diagrams as Mermaid, PlantUML, Graphviz or D2 source, and a screenshot of a diagram reduces
 * to its text labels by OCR. Either carries enough to answer "what talks to what, and what style is this?" without a
 * vision model: the source is parsed into components and connections, each component is classified from its name and
 * shape, and the architecture pattern is guessed by deterministic rules whose evidence names the components that
 * triggered them, so a caller can check the guess instead of trusting it.
 *
 * Parsing is forgiving. Anything a parser does not understand is skipped, so arbitrary input degrades to fewer
 * components (or to the plain "labels" reading) rather than an exception. Input and lines are length-capped before any
 * pattern runs and every scan moves forward, so the work stays linear in the size of the input.
 */

import { plural } from "../core/plural";
import { DiagramBuilder } from "./builder";
import { D2Parser } from "./d2";
import { detect, prepare } from "./detect";
import { parseDot } from "./dot";
import { parseLabels } from "./labels";
import { parseMermaid } from "./mermaid";
import type { ComponentKind, DiagramAnalysis, DiagramFormat, ParsedDiagram, PatternGuess } from "./model";
import { PlantUmlParser } from "./plantuml";
import { guessArchitecturePattern } from "./styles";
import { listNames } from "./text";

export type {
  ArchitecturePattern,
  ComponentKind,
  DiagramAnalysis,
  DiagramComponent,
  DiagramConnection,
  DiagramFormat,
  ParsedDiagram,
  PatternGuess,
} from "./model";
export { classifyComponentKind } from "./classify";
export { detectDiagramFormat } from "./detect";
export { slug } from "./labels";
export { guessArchitecturePattern } from "./styles";

/**
 * Components and connections of a diagram written as text. Never throws: input that cannot be read yields fewer (or
 * no) components. At most 500 components and 2,000 connections are kept, in order of first mention.
 */
export function parseDiagramSource(source: string): ParsedDiagram {
  const text = typeof source === "string" ? source : "";
  const prepared = prepare(text);
  let format: DiagramFormat = "labels";
  const builder = new DiagramBuilder();
  let isContainer: ((id: string) => boolean) | undefined;
  try {
    format = detect(prepared);
    const { lines, start } = prepared;
    if (format === "mermaid") {
      parseMermaid(lines, start, builder);
    } else if (format === "plantuml") {
      new PlantUmlParser(builder).parse(lines, start);
    } else if (format === "dot" || format === "d2") {
      const whole = prepare(text, false);
      const body = whole.lines.slice(whole.start).join("\n");
      if (format === "dot") {
        parseDot(body, builder);
      } else {
        const parser = new D2Parser(builder);
        parser.parse(body);
        isContainer = (id) => parser.isContainer(id);
      }
    } else {
      parseLabels(lines.slice(start), builder);
    }
  } catch {
    // Whatever was read before the failure is still a fair reading of the diagram.
  }
  return { format, ...builder.build(isContainer) };
}

const KIND_NAMES: Readonly<Record<ComponentKind, readonly [string, string]>> = {
  client: ["client", "clients"],
  gateway: ["gateway", "gateways"],
  service: ["service", "services"],
  database: ["database", "databases"],
  cache: ["cache", "caches"],
  queue: ["queue", "queues"],
  storage: ["storage component", "storage components"],
  external: ["external system", "external systems"],
  function: ["function", "functions"],
  component: ["other component", "other components"],
};

const FORMAT_NAMES: Readonly<Record<DiagramFormat, string>> = {
  mermaid: "Mermaid",
  plantuml: "PlantUML",
  dot: "Graphviz DOT",
  d2: "D2",
  labels: "plain text labels",
};

function summarize(parsed: ParsedDiagram, pattern: PatternGuess): string {
  const { components, connections } = parsed;
  const head =
    `${plural(components.length, "component")}, ${plural(connections.length, "connection")}; ` +
    `${pattern.pattern} (${pattern.confidence})`;
  const sentences = [pattern.evidence[0] ? `${head}: ${pattern.evidence[0]}.` : `${head}.`];
  const counts = new Map<ComponentKind, number>();
  for (const component of components) counts.set(component.kind, (counts.get(component.kind) ?? 0) + 1);
  if (counts.size > 0) {
    const kinds = [...counts.entries()]
      .sort(([, a], [, b]) => b - a)
      .map(([kind, count]) => `${count} ${KIND_NAMES[kind][count === 1 ? 0 : 1]}`);
    sentences.push(`Kinds: ${kinds.join(", ")}.`);
  }
  const groups = [...new Set(components.map((component) => component.group).filter((group) => group !== null))];
  if (groups.length > 0) sentences.push(`Groups: ${listNames(groups)}.`);
  sentences.push(`Read as ${FORMAT_NAMES[parsed.format]}.`);
  return sentences.join(" ");
}

/** Parses a diagram, guesses its architecture pattern and describes both in one paragraph. */
export function analyzeDiagramSource(source: string): DiagramAnalysis {
  const parsed = parseDiagramSource(source);
  const pattern = guessArchitecturePattern(parsed.components, parsed.connections);
  return { ...parsed, pattern, summary: summarize(parsed, pattern) };
}
