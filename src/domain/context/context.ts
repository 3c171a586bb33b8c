import type { ActiveSession } from "../sessions/ports";
import type { ArchitectureOverview, ContextSnapshot, StaleFile } from "./ports";
import { inferStack, type StackItem } from "../errors/stack";
import { plural } from "../core/plural";

export const DEFAULT_CONTEXT_TOKENS = 1500;
/** Architecture diagrams shown in the context, newest first. */
export const CONTEXT_DIAGRAMS = 3;

/** ~4 characters per token is the usual estimate for English and code with BPE tokenizers. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export interface ProjectContext {
  project: string;
  focus: string | null;
  activeSession: (ActiveSession & { startedAtIso: string }) | null;
  stack: StackItem[];
  totals: ContextSnapshot["totals"];
  hotFiles: Array<{ filePath: string; changes: number }>;
  recentChanges: Array<{ id: string; filePath: string; action: string; reason: string; createdAt: string }>;
  openErrors: Array<{
    id: string;
    errorType: string;
    message: string;
    filePath: string | null;
    occurrences: number;
    possiblyStale?: StaleFile[];
  }>;
  resolvedErrors: Array<{
    id: string;
    errorType: string;
    message: string;
    solution: string;
    occurrences: number;
    possiblyStale?: StaleFile[];
  }>;
  /** The newest architecture diagrams read for the project (coding_analyze_diagram). */
  architecture: Array<{
    id: string;
    title: string;
    pattern: string;
    confidence: string;
    components: string[];
    connections: number;
  }>;
  decisions: Array<{
    id: string;
    decision: string;
    rationale: string;
    alternatives: string[];
    confidence: number;
    possiblyStale?: StaleFile[];
  }>;
  /** Items left out to stay within the token budget, per section. */
  omitted: Record<string, number>;
  tokenBudget: number;
  estimatedTokens: number;
  markdown: string;
}

interface Section {
  key: "architecture" | "openErrors" | "decisions" | "resolvedErrors" | "recentChanges" | "hotFiles";
  title: string;
  items: unknown[];
  render: (item: unknown) => string;
}

function section<T>(key: Section["key"], title: string, items: T[], render: (item: T) => string): Section {
  return { key, title, items, render: render as (item: unknown) => string };
}

/**
 * Builds the context in priority order (active session, stack, open errors, decisions, resolved errors,
 * recent changes, hot files) and stops adding items once the markdown would pass the token budget, so a
 * busy project still gets the most useful context first instead of a cut-off wall of text.
 */
export function buildProjectContext(
  projectSlug: string,
  snapshot: ContextSnapshot,
  active: ActiveSession | null,
  options: { focus: string | null; maxTokens: number },
  /** Memories (keyed "error:<id>", "decision:<id>") whose files changed in the code index since they were recorded. */
  stale: ReadonlyMap<string, StaleFile[]> = new Map(),
  architecture: ArchitectureOverview[] = [],
): ProjectContext {
  const staleOf = (key: string) => {
    const files = stale.get(key);
    return files?.length ? { possiblyStale: files } : {};
  };
  const stack = inferStack(snapshot.knownPaths);
  const header = [
    `# Project context: ${projectSlug}${options.focus ? ` (focus: ${options.focus})` : ""}`,
    `${plural(snapshot.totals.changes, "file change")} · ${plural(snapshot.totals.errors, "error")} ` +
      `(${snapshot.totals.openErrors} open) · ${plural(snapshot.totals.decisions, "decision")} · ` +
      `${plural(snapshot.totals.sessions, "session")} recorded.`,
  ];
  if (active) {
    header.push(
      `Active session: "${clip(active.description, 160)}" (${active.id}) since ${new Date(active.startedAt).toISOString()}.`,
    );
  }
  if (stack.length) header.push(clip(`Stack: ${stack.map((s) => s.name).join(", ")}.`, 300));

  const out: string[] = [...header];
  // Room for the "N more items left out" note, so adding it can never push the result over the budget.
  const footerReserve = estimateTokens(omittedNote(99_999, options.maxTokens));
  let used = estimateTokens(out.join("\n")) + footerReserve;
  const omitted: Record<string, number> = {};
  const kept: Record<string, unknown[]> = {};

  const sections: Section[] = [
    // Few and dense: what the system is made of frames everything below it.
    section(
      "architecture",
      "Architecture",
      architecture.map((a) => ({
        id: a.id,
        title: a.title,
        pattern: a.pattern,
        confidence: a.confidence,
        components: a.components,
        connections: a.connections,
      })),
      (a: ProjectContext["architecture"][number]) =>
        `- ${clip(a.title, 100)}: ${a.pattern} (${a.confidence}) — ${clip(a.components.join(", "), 400)}; ` +
        `${plural(a.connections, "connection")} [${a.id}]`,
    ),
    section(
      "openErrors",
      "Open errors",
      snapshot.openErrors.map((e) => ({
        id: e.id,
        errorType: e.errorType,
        message: e.message,
        filePath: e.filePath,
        occurrences: e.occurrences,
        ...staleOf(`error:${e.id}`),
      })),
      (e: ProjectContext["openErrors"][number]) =>
        `- ${e.errorType}: ${clip(e.message, 200)}${e.filePath ? ` in \`${e.filePath}\`` : ""}` +
        `${e.occurrences > 1 ? ` (seen ${e.occurrences} times)` : ""} [${e.id}]${staleNote(e.possiblyStale)}`,
    ),
    section(
      "decisions",
      "Decisions",
      snapshot.decisions.map((d) => ({
        id: d.id,
        decision: d.decision,
        rationale: d.rationale,
        alternatives: d.alternatives,
        confidence: d.confidence,
        ...staleOf(`decision:${d.id}`),
      })),
      (d: ProjectContext["decisions"][number]) =>
        `- ${clip(d.decision, 200)} — ${clip(d.rationale, 300)}` +
        (d.alternatives.length ? ` (rejected: ${d.alternatives.join(", ")})` : "") +
        staleNote(d.possiblyStale),
    ),
    section(
      "resolvedErrors",
      "Solved errors",
      snapshot.resolvedErrors.map((e) => ({
        id: e.id,
        errorType: e.errorType,
        message: e.message,
        solution: e.solution ?? "",
        occurrences: e.occurrences,
        ...staleOf(`error:${e.id}`),
      })),
      (e: ProjectContext["resolvedErrors"][number]) =>
        `- ${e.errorType}: ${clip(e.message, 160)} → fix: ${clip(e.solution, 240)}${staleNote(e.possiblyStale)}`,
    ),
    section(
      "recentChanges",
      "Recent changes",
      snapshot.recentChanges.map((c) => ({
        id: c.id,
        filePath: c.filePath,
        action: c.action,
        reason: c.reason,
        createdAt: new Date(c.createdAt).toISOString(),
      })),
      (c: ProjectContext["recentChanges"][number]) =>
        `- ${c.createdAt.slice(0, 10)} ${c.action} \`${c.filePath}\`: ${clip(c.reason, 200)}`,
    ),
    section(
      "hotFiles",
      "Most-changed files",
      snapshot.hotFiles,
      (f: { filePath: string; changes: number }) => `- \`${f.filePath}\` (${plural(f.changes, "change")})`,
    ),
  ];

  for (const part of sections) {
    const accepted: unknown[] = [];
    const titleLine = `\n## ${part.title}`;
    const titleCost = estimateTokens(titleLine);
    for (const item of part.items) {
      const line = part.render(item);
      const cost = estimateTokens(line + "\n") + (accepted.length ? 0 : titleCost);
      if (used + cost > options.maxTokens) {
        omitted[part.key] = (omitted[part.key] ?? 0) + 1;
        continue;
      }
      if (!accepted.length) out.push(titleLine);
      out.push(line);
      used += cost;
      accepted.push(item);
    }
    kept[part.key] = accepted;
  }
  if (Object.keys(omitted).length) {
    out.push(
      omittedNote(
        Object.values(omitted).reduce((a, b) => a + b, 0),
        options.maxTokens,
      ),
    );
  }
  const markdown = out.join("\n");
  return {
    project: projectSlug,
    focus: options.focus,
    activeSession: active ? { ...active, startedAtIso: new Date(active.startedAt).toISOString() } : null,
    stack,
    totals: snapshot.totals,
    hotFiles: kept.hotFiles as ProjectContext["hotFiles"],
    recentChanges: kept.recentChanges as ProjectContext["recentChanges"],
    openErrors: kept.openErrors as ProjectContext["openErrors"],
    resolvedErrors: kept.resolvedErrors as ProjectContext["resolvedErrors"],
    decisions: kept.decisions as ProjectContext["decisions"],
    architecture: kept.architecture as ProjectContext["architecture"],
    omitted,
    tokenBudget: options.maxTokens,
    estimatedTokens: estimateTokens(markdown),
    markdown,
  };
}

function staleNote(files: StaleFile[] | undefined): string {
  if (!files?.length) return "";
  const names = files.slice(0, 3).map((file) => `\`${file.path}\`${file.deleted ? " (deleted)" : ""}`);
  return ` ⚠️ possibly stale: ${names.join(", ")}${files.length > 3 ? ", …" : ""} changed since`;
}

function omittedNote(count: number, maxTokens: number): string {
  return `\n_${plural(count, "more item")} left out to stay within ${maxTokens} tokens; raise max_tokens or narrow with focus._`;
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
