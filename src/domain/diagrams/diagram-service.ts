/**
 * Architecture diagrams in the project's memory: the components, connections and architecture pattern a
 * diagram shows, kept for the project context (and, when asked, as a design decision). A diagram's source
 * (Mermaid, PlantUML, DOT, D2) is parsed here, exactly and for free; an image is read by the project's vision
 * model through the gateway (estimated, approved above the threshold, within budget, in the ledger).
 */
import { AppError } from "../core/app-error";
import type { Attachment, AttachmentService } from "../screenshots/attachments";
import type { DiagramStore } from "./ports";
import {
  analyzeDiagramSource,
  classifyComponentKind,
  guessArchitecturePattern,
  slug,
  type ArchitecturePattern,
  type ComponentKind,
  type DiagramComponent,
  type DiagramConnection,
  type PatternGuess,
} from "./";
import { answerChoice, answerText } from "../llm/held-run";
import type { VisionPolicy, VisionReader } from "../llm/vision";
import type { DecisionService } from "../decisions/decisions";
import type { ArchitectureOverview } from "../context/ports";
import type { PendingApproval } from "../llm/ports";
import type { Runtime } from "../core/ports";
import type { Decision, Identity, Project } from "../core/records";
import { redactSecrets } from "../core/redaction";
import { z } from "zod";
import { plural } from "../core/plural";
import type { ArchitectureDiagram } from "./ports";

export const DIAGRAM_LIMITS = { sourceChars: 100_000, titleChars: 200, notesChars: 2_000 } as const;

/** A diagram as the project context lists it. */
export function architectureOverview(diagram: ArchitectureDiagram): ArchitectureOverview {
  return {
    id: diagram.id,
    title: diagram.title,
    pattern: diagram.pattern.pattern,
    confidence: diagram.pattern.confidence,
    components: diagram.components.map((component) => component.name),
    connections: diagram.connections.length,
    createdAt: diagram.createdAt,
  };
}

export interface AnalyzeDiagramInput {
  /** As the caller passed it: attachment id, data URL, base64 or https URL. */
  image: string | null;
  source: string | null;
  title: string | null;
  notes: string | null;
  recordDecision: boolean;
}

export type DiagramOutcome =
  | {
      state: "analyzed";
      diagram: ArchitectureDiagram;
      image: Attachment | null;
      /** The vision call, when the image was read by a model. */
      vision: { model: string; usd: number } | null;
      decision: Decision | null;
    }
  | { state: "held"; image: Attachment; approval: PendingApproval };

const KINDS: readonly ComponentKind[] = [
  "client",
  "gateway",
  "service",
  "database",
  "cache",
  "queue",
  "storage",
  "external",
  "function",
  "component",
];
const PATTERNS: readonly ArchitecturePattern[] = [
  "microservices",
  "event-driven",
  "layered",
  "client-server",
  "mvc",
  "pipeline",
  "serverless",
  "hexagonal",
  "monolith",
  "unknown",
];
const CONNECTION_KINDS: ReadonlyArray<DiagramConnection["kind"]> = ["sync", "async", "data", "dependency"];
const MAX_COMPONENTS = 500;
const MAX_CONNECTIONS = 2_000;

const records = (value: unknown): Array<Record<string, unknown>> =>
  Array.isArray(value)
    ? value.filter((item): item is Record<string, unknown> => typeof item === "object" && item !== null)
    : [];

const slugId = (name: string): string => slug(name) || "component";

/**
 * A vision model's reading of a diagram (prompts/diagram-analysis.md), made consistent: every connection's ends
 * are components (matched by id or by label), kinds and the pattern are from the known sets, and a pattern the
 * model could not name is inferred from the components and connections as for a parsed diagram.
 */
export const diagramAnswerSchema = z.record(z.string(), z.unknown()).transform((answer) => {
  const components = new Map<string, DiagramComponent>();
  const byName = new Map<string, string>();
  const add = (id: string, name: string, kind: ComponentKind | null, group: string | null): string => {
    const existing = components.get(id) ?? components.get(byName.get(name.toLowerCase()) ?? "");
    if (existing) return existing.id;
    if (components.size >= MAX_COMPONENTS) return id;
    components.set(id, { id, name, kind: kind ?? classifyComponentKind(name), group });
    byName.set(name.toLowerCase(), id);
    return id;
  };
  for (const item of records(answer.components)) {
    const name = answerText(item.name, 200) ?? answerText(item.id, 200);
    if (!name) continue;
    add(answerText(item.id, 80) ?? slugId(name), name, answerChoice(KINDS, item.kind), answerText(item.group, 200));
  }
  const resolve = (end: unknown): string | null => {
    const label = answerText(end, 200);
    if (!label) return null;
    if (components.has(label)) return label;
    return byName.get(label.toLowerCase()) ?? add(slugId(label), label, null, null);
  };
  const connections: DiagramConnection[] = [];
  const seen = new Set<string>();
  for (const item of records(answer.connections)) {
    const from = resolve(item.from);
    const to = resolve(item.to);
    if (!from || !to || connections.length >= MAX_CONNECTIONS) continue;
    const label = answerText(item.label, 200);
    const key = `${from}\u0000${to}\u0000${label ?? ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    connections.push({ from, to, label, kind: answerChoice(CONNECTION_KINDS, item.kind) ?? "sync" });
  }
  const list = [...components.values()];
  const named = answerChoice(PATTERNS, answer.pattern);
  const evidence = Array.isArray(answer.evidence)
    ? answer.evidence.flatMap((line) => answerText(line, 300) ?? []).slice(0, 10)
    : [];
  const pattern: PatternGuess =
    named && named !== "unknown"
      ? {
          pattern: named,
          confidence: answerChoice(["high", "medium", "low"] as const, answer.confidence) ?? "medium",
          evidence,
        }
      : guessArchitecturePattern(list, connections);
  return {
    title: answerText(answer.title, DIAGRAM_LIMITS.titleChars),
    components: list,
    connections,
    pattern,
    summary: answerText(answer.summary, 2_000),
  };
});

export class ArchitectureService {
  constructor(
    private readonly store: DiagramStore,
    private readonly decisions: DecisionService,
    private readonly attachments: AttachmentService,
    private readonly vision: VisionReader,
    private readonly systemPrompt: string,
    private readonly runtime: Pick<Runtime, "now" | "newId">,
  ) {}

  async analyze(
    identity: Identity,
    project: Project,
    input: AnalyzeDiagramInput,
    options: { approved: boolean } = { approved: false },
  ): Promise<DiagramOutcome> {
    const source = input.source?.trim() ? input.source : null;
    if (source) {
      // The source says exactly what is drawn: no model is asked even when an image comes with it.
      const parsed = analyzeDiagramSource(source);
      if (!parsed.components.length) {
        throw new AppError("invalid_input", "diagram_source: no components found in it.", {
          details: { field: "diagram_source" },
        });
      }
      const image = input.image ? await this.attachments.fromArgument(identity, project, input.image, "image") : null;
      return this.keep(identity, project, input, {
        sourceFormat: parsed.format,
        sourceText: source,
        image,
        model: null,
        components: parsed.components,
        connections: parsed.connections,
        pattern: parsed.pattern,
        summary: parsed.summary,
        title: null,
        vision: null,
      });
    }
    if (!input.image) {
      throw new AppError(
        "invalid_input",
        "image: pass the diagram as an image (attachment id, data URL, base64 or https URL) or its source in " +
          "diagram_source (Mermaid, PlantUML, DOT or D2).",
        { details: { field: "image" } },
      );
    }
    // Refused before the image is stored.
    const policy = await this.requireVision(project);
    const image = await this.attachments.fromArgument(identity, project, input.image, "image");
    return this.readImage(identity, project, policy, input, image, options.approved);
  }

  /** The user approved a held diagram reading: run it now. */
  async runApproved(identity: Identity, project: Project, approval: PendingApproval): Promise<DiagramOutcome> {
    let held: Partial<AnalyzeDiagramInput> = {};
    try {
      held = JSON.parse(approval.input ?? "{}") as Partial<AnalyzeDiagramInput>;
    } catch {
      // A damaged approval reads the image with no title or notes.
    }
    const image = await this.attachments.fromArgument(identity, project, approval.subjectId, "image");
    const input: AnalyzeDiagramInput = {
      image: image.id,
      source: null,
      title: typeof held.title === "string" ? held.title : null,
      notes: typeof held.notes === "string" ? held.notes : null,
      recordDecision: held.recordDecision === true,
    };
    return this.readImage(identity, project, await this.requireVision(project), input, image, true);
  }

  /** An image alone needs a vision model. */
  private async requireVision(project: Project): Promise<VisionPolicy> {
    const policy = await this.vision.policy(project.id);
    if (policy) return policy;
    throw new AppError(
      "unsupported",
      "image: reading a diagram image needs a vision model (vision_model in coding_update_settings, or " +
        "CODING_MEMORY_VISION_MODEL). Without one, pass the diagram's source in diagram_source (Mermaid, " +
        "PlantUML, DOT, D2), or its component names as text, one per line.",
      { details: { field: "image" } },
    );
  }

  list(project: Project, limit: number): Promise<ArchitectureDiagram[]> {
    return this.store.list(project.id, limit);
  }

  async get(project: Project, id: string): Promise<ArchitectureDiagram> {
    const diagram = await this.store.get(project.id, id);
    if (!diagram) throw new AppError("not_found", `diagram ${id} not found in project ${project.slug}.`);
    return diagram;
  }

  private async readImage(
    identity: Identity,
    project: Project,
    policy: VisionPolicy,
    input: AnalyzeDiagramInput,
    image: Attachment,
    approved: boolean,
  ): Promise<DiagramOutcome> {
    const { bytes } = await this.attachments.read(project, image.id);
    const instruction = [
      `Architecture diagram of the project "${project.slug}".`,
      input.title ? `Title given: ${input.title}` : "",
      input.notes ? `Notes from the team: ${input.notes}` : "",
    ]
      .filter(Boolean)
      .join("\n");
    const result = await this.vision.read(
      identity.userId,
      project,
      policy,
      {
        operation: "diagram_analysis",
        systemPrompt: this.systemPrompt,
        instruction,
        image: { attachment: image, bytes },
        schema: diagramAnswerSchema,
        hold: {
          subjectId: image.id,
          input: JSON.stringify({ title: input.title, notes: input.notes, recordDecision: input.recordDecision }),
        },
      },
      { approved },
    );
    if (result.state === "approval_required") return { state: "held", image, approval: result.approval };
    if (!result.answer) {
      throw new AppError(
        "unavailable",
        `${result.model} did not answer with the expected JSON, so nothing was stored; try again, or pass diagram_source.`,
        { details: { model: result.model, attachment_id: image.id } },
      );
    }
    const { answer } = result;
    return this.keep(identity, project, input, {
      sourceFormat: "vision",
      sourceText: null,
      image,
      model: result.model,
      components: answer.components,
      connections: answer.connections,
      pattern: answer.pattern,
      summary: answer.summary ?? describe(answer.components, answer.connections, answer.pattern),
      title: answer.title,
      vision: { model: result.model, usd: result.usd },
    });
  }

  private async keep(
    identity: Identity,
    project: Project,
    input: AnalyzeDiagramInput,
    read: {
      sourceFormat: ArchitectureDiagram["sourceFormat"];
      sourceText: string | null;
      image: Attachment | null;
      model: string | null;
      components: DiagramComponent[];
      connections: DiagramConnection[];
      pattern: PatternGuess;
      summary: string;
      /** A title the model read off the image. */
      title: string | null;
      vision: { model: string; usd: number } | null;
    },
  ): Promise<DiagramOutcome> {
    const title = input.title?.trim() || read.title || `Architecture (${read.pattern.pattern})`;
    const summary = redactSecrets(read.summary).text;
    const diagram: ArchitectureDiagram = {
      id: this.runtime.newId(),
      projectId: project.id,
      title,
      sourceFormat: read.sourceFormat,
      sourceText: read.sourceText ? redactSecrets(read.sourceText).text : null,
      attachmentId: read.image?.id ?? null,
      model: read.model,
      components: read.components,
      connections: read.connections,
      pattern: read.pattern,
      summary,
      decisionId: null,
      createdBy: identity.userId,
      createdAt: this.runtime.now(),
    };
    // The diagram first: a decision is worth less than the reading it is made from.
    await this.store.insert(diagram);
    let decision: Decision | null = null;
    if (input.recordDecision) {
      const names = read.components.map((component) => component.name);
      ({ decision } = await this.decisions.recordDecision(identity, project, {
        decision: `Architecture of ${title}: ${read.pattern.pattern}`,
        rationale: [summary, ...read.pattern.evidence.map((line) => `Evidence: ${line}`)].join("\n"),
        alternatives: [],
        impact: `Components: ${names.slice(0, 40).join(", ")}${names.length > 40 ? ` and ${names.length - 40} more` : ""}`,
        tags: ["architecture", read.pattern.pattern],
        relatedFiles: [],
        confidence: read.pattern.confidence === "high" ? 0.9 : read.pattern.confidence === "medium" ? 0.7 : 0.5,
      }));
      await this.store.linkDecision(project.id, diagram.id, decision.id);
      diagram.decisionId = decision.id;
    }
    return { state: "analyzed", diagram, image: read.image, vision: read.vision, decision };
  }
}

function describe(components: DiagramComponent[], connections: DiagramConnection[], pattern: PatternGuess): string {
  return (
    `${plural(components.length, "component")}, ${plural(connections.length, "connection")}; ${pattern.pattern} (${pattern.confidence})` +
    (pattern.evidence.length ? `: ${pattern.evidence[0]}` : ".")
  );
}

export type { ArchitectureDiagram };
