/**
 * What an assistant is told about a project at the start of work (its context), the statistics of its changes
 * and errors (patterns), and its memory graph's edges. Reads only: nothing here writes.
 */
import type { Decision, ErrorRecord, Identity, Project } from "../core/records";
import { lexicalTerms } from "../errors/normalize";
import type { SessionStateStore } from "../sessions/ports";
import { analyzePatterns, type PatternReport } from "./change-statistics";
import { buildProjectContext, CONTEXT_DIAGRAMS, type ProjectContext } from "./context";
import type { CodeGraph } from "../code/code-graph";
import { decodeEdgeCursor, edgePage, importEdges } from "./graph-edges";
import type { ArchitectureSource, ContextStore, GraphEdge, GraphNode, StaleFile, StalenessSource } from "./ports";

/** A team's analysis reads at most this many of its projects (one read each). */
const TEAM_PATTERN_PROJECTS = 50;
/** Of each kind, at most: what fits a hook's short note to the model. */
const FILE_LESSONS = 3;

export class ProjectContextService {
  constructor(
    private readonly store: ContextStore,
    /** The caller's active session is part of the context; only the slot's read is needed. */
    private readonly sessions: Pick<SessionStateStore, "active">,
    private readonly staleness: StalenessSource = async () => new Map(),
    private readonly architecture: ArchitectureSource = async () => [],
    /** The code index's resolved import graph, whose imports are edges of the memory graph too. */
    private readonly codeGraph: ((project: Project) => Promise<CodeGraph>) | null = null,
  ) {}

  /** The project at a glance over the last seven days before `now` (the dashboard's first page). */
  async overview(project: Project, now: number) {
    return this.store.overview(project.id, now - 7 * 24 * 60 * 60_000, 5);
  }

  async projectContext(
    identity: Identity,
    project: Project,
    options: { focus: string | null; maxTokens: number },
  ): Promise<ProjectContext> {
    const focusTerms = options.focus ? lexicalTerms(options.focus) : [];
    const [snapshot, active, architecture] = await Promise.all([
      // A list item costs at least ~25 tokens, so more than budget/25 items per section could never be shown.
      this.store.contextSnapshot(project.id, focusTerms, Math.min(200, Math.ceil(options.maxTokens / 25))),
      this.sessions.active({ userId: identity.userId, projectId: project.id }),
      this.architecture(project.id, CONTEXT_DIAGRAMS),
    ]);
    const memories = [
      ...[...snapshot.openErrors, ...snapshot.resolvedErrors]
        .filter((error) => error.filePath)
        .map((error) => ({
          key: `error:${error.id}`,
          paths: [error.filePath as string],
          recordedAt: Math.max(error.lastSeen, error.resolvedAt ?? 0),
        })),
      ...snapshot.decisions
        .filter((decision) => decision.relatedFiles.length)
        .map((decision) => ({
          key: `decision:${decision.id}`,
          paths: decision.relatedFiles,
          recordedAt: decision.createdAt,
        })),
    ];
    const stale = memories.length ? await this.staleness(project, memories) : new Map<string, StaleFile[]>();
    return buildProjectContext(project.slug, snapshot, active, options, stale, architecture);
  }

  /** What the team learned about a file (recurring or fixed errors, decisions), for a hook about to touch it. */
  fileLessons(project: Project, path: string): Promise<{ errors: ErrorRecord[]; decisions: Decision[] }> {
    return this.store.fileLessons(project.id, path, FILE_LESSONS);
  }

  async analyzePatterns(project: Project): Promise<PatternReport> {
    const inputs = await this.store.patternInputs(project.id);
    return analyzePatterns(inputs.changes, inputs.errors);
  }

  /**
   * The same analysis over several projects (a team's; the first TEAM_PATTERN_PROJECTS, returned), as one history: each file path is prefixed with its
   * project's name, so hot files say where they are, and errors of one type count together across projects.
   */
  async analyzeTeamPatterns(team: Project[]): Promise<{ report: PatternReport; projects: Project[] }> {
    const projects = team.slice(0, TEAM_PATTERN_PROJECTS);
    const inputs = await Promise.all(projects.map((p) => this.store.patternInputs(p.id)));
    const changes = inputs.flatMap((input, index) =>
      input.changes.map((change) => ({ ...change, filePath: `${projects[index]?.slug}/${change.filePath}` })),
    );
    return {
      report: analyzePatterns(
        changes,
        inputs.flatMap((input) => input.errors),
      ),
      projects,
    };
  }

  /**
   * One page of the project's graph edges: stored memory relations and the code index's imports, merged in the
   * listing's one stable order (graph-edges.ts). `cursor` is the previous page's `nextCursor`.
   */
  async graphEdges(
    project: Project,
    query: { node: GraphNode | null; relation: string | null; cursor: string | null; limit: number },
  ): Promise<{ edges: GraphEdge[]; nextCursor: string | null }> {
    const { node, relation, limit } = query;
    const after = query.cursor ? decodeEdgeCursor(query.cursor) : null;
    // One more than asked for from every source tells whether the listing goes on after this page.
    const candidates = await this.store.graphEdges(project.id, { node, relation, after, limit: limit + 1 });
    if (this.codeGraph && (relation === null || relation === "imports") && (node === null || node.type === "file")) {
      candidates.push(...importEdges(await this.codeGraph(project), node ? node.id : null, after, limit + 1));
    }
    return edgePage(candidates, limit);
  }
}
