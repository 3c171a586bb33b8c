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

export type DiagramFormat = "mermaid" | "plantuml" | "dot" | "d2" | "labels";

export type ComponentKind =
  "client" | "gateway" | "service" | "database" | "cache" | "queue" | "storage" | "external" | "function" | "component";

export interface DiagramComponent {
  /** The diagram's own id for the node; for "labels" input, a slug of the name. */
  id: string;
  name: string;
  kind: ComponentKind;
  /** Title of the innermost subgraph / package / cluster / boundary / container the component sits in. */
  group: string | null;
}

export interface DiagramConnection {
  /** Component ids. */
  from: string;
  to: string;
  label: string | null;
  kind: "sync" | "async" | "data" | "dependency";
}

export type ArchitecturePattern =
  | "microservices"
  | "event-driven"
  | "layered"
  | "client-server"
  | "mvc"
  | "pipeline"
  | "serverless"
  | "hexagonal"
  | "monolith"
  | "unknown";

export interface PatternGuess {
  pattern: ArchitecturePattern;
  confidence: "high" | "medium" | "low";
  evidence: string[];
}

export interface DiagramAnalysis {
  format: DiagramFormat;
  components: DiagramComponent[];
  connections: DiagramConnection[];
  pattern: PatternGuess;
  summary: string;
}

export interface ParsedDiagram {
  format: DiagramFormat;
  components: DiagramComponent[];
  connections: DiagramConnection[];
}

const MAX_COMPONENTS = 500;
const MAX_CONNECTIONS = 2_000;
/** A diagram of MAX_COMPONENTS fits many times over; the cap bounds the work on pasted logs or binary garbage. */
const MAX_SOURCE_CHARS = 500_000;
/** Every pattern runs on one line cut to this length, so no regular expression can run long on a pathological line. */
const MAX_LINE_CHARS = 2_000;
const MAX_NAME_CHARS = 200;
/** Deeper nesting is flattened into the deepest group kept; real diagrams nest a handful of levels. */
const MAX_NESTING = 64;
const MAX_LABEL_CHARS = 60;
const MAX_LABEL_WORDS = 8;
/** Evidence lists this many names and then "and N more", so one big diagram cannot make the evidence unreadable. */
const MAX_NAMES_IN_EVIDENCE = 5;

// ---------------------------------------------------------------------------------------------------------------
// Text helpers
// ---------------------------------------------------------------------------------------------------------------

/** Lower-cased words, with camelCase and PascalCase split ("OrdersDB" → orders, db). */
function words(text: string): string[] {
  return text
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, "$1 $2")
    .replace(/(\p{Lu}+)(\p{Lu}\p{Ll})/gu, "$1 $2")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0);
}

function adjacent(tokens: readonly string[], first: string, second: string): boolean {
  for (let index = 0; index + 1 < tokens.length; index++) {
    if (tokens[index] === first && tokens[index + 1] === second) return true;
  }
  return false;
}

const HTML_ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', nbsp: " " };

/** A display name as a reader sees it: no quotes, markup, line-break escapes or icon codes. */
function cleanText(raw: string): string {
  let text = raw.trim();
  const quote = text[0];
  if (text.length >= 2 && (quote === '"' || quote === "'" || quote === "`") && text.endsWith(quote)) {
    text = text.slice(1, -1).trim();
  }
  // Mermaid markdown strings are written "`…`"; the backticks are syntax, not text.
  if (text.length >= 2 && text.startsWith("`") && text.endsWith("`")) text = text.slice(1, -1);
  text = text
    .replace(/<br\s*\/?>/gi, " ")
    .replace(/\\[nlr]/g, " ")
    .replace(/<\/?[A-Za-z][^<>]{0,200}>/g, "")
    .replace(/\bfa:fa-[\w-]+/g, "")
    .replace(/#quot;/g, '"')
    .replace(/&(amp|lt|gt|quot|nbsp);/g, (_match, entity: string) => HTML_ENTITIES[entity] ?? "")
    .replace(/\s+/g, " ")
    .trim();
  return text.length > MAX_NAME_CHARS ? text.slice(0, MAX_NAME_CHARS).trimEnd() : text;
}

/**
 * `capLines` is off only for the DOT and D2 tokenizers, which do not care about line breaks and must read a diagram
 * minified onto one line.
 */
function splitLines(source: string, capLines = true): string[] {
  const text = source.length > MAX_SOURCE_CHARS ? source.slice(0, MAX_SOURCE_CHARS) : source;
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  return capLines ? lines.map((line) => (line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line)) : lines;
}

function listNames(names: readonly string[]): string {
  if (names.length <= MAX_NAMES_IN_EVIDENCE) return names.join(", ");
  return `${names.slice(0, MAX_NAMES_IN_EVIDENCE).join(", ")} and ${names.length - MAX_NAMES_IN_EVIDENCE} more`;
}

/** Long vocabularies read better as one space-separated string than as one quoted word per line. */
function wordList(text: string): readonly string[] {
  return text.split(" ");
}

function wordSet(text: string): ReadonlySet<string> {
  return new Set(wordList(text));
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Component classification
// ---------------------------------------------------------------------------------------------------------------

const EXTERNAL_MARKERS = [
  "stripe",
  "github",
  "openai",
  "anthropic",
  "twilio",
  "sendgrid",
  "paypal",
  "external",
  "third-party",
  "third party",
  "thirdparty",
  "3rd-party",
  "3rd party",
];
const DATABASE_MARKERS = wordList(
  "database postgres mysql sqlite dynamo mongo mariadb cassandra cockroach bigquery snowflake " +
    "redshift firestore cosmosdb warehouse datastore",
);
const DATABASE_WORDS = new Set(["db", "dbs", "d1", "rds", "sql", "table", "tables", "rdbms", "aurora", "cylinder"]);
const CACHE_MARKERS = ["redis", "memcache", "cache", "valkey"];
const CACHE_WORDS = new Set(["kv"]);
const QUEUE_MARKERS = ["queue", "kafka", "rabbit", "pubsub", "kinesis", "eventbridge", "activemq", "eventhub"];
const QUEUE_WORDS = new Set(["sqs", "sns", "mq", "nats", "amqp"]);
/** Only as the last word: "Orders Topic" is a queue, a "Stream Processor" is not. */
const QUEUE_HEADS = new Set(["topic", "topics", "stream", "streams", "bus", "broker"]);
const STORAGE_MARKERS = ["bucket", "storage", "blob", "cloudfront"];
const STORAGE_WORDS = new Set(["s3", "r2", "cdn", "gcs", "disk", "nfs", "filesystem"]);
const GATEWAY_MARKERS = [
  "gateway",
  "nginx",
  "envoy",
  "traefik",
  "haproxy",
  "ingress",
  "proxy",
  "loadbalancer",
  "load balancer",
  "load-balancer",
];
const GATEWAY_WORDS = new Set(["lb", "alb", "elb", "nlb", "router", "balancer", "gw"]);
const SERVICE_HEADS = wordSet(
  "service services svc microservice microservices api apis server backend consumer consumers " +
    "producer producers processor handler connector monolith",
);
const SERVICE_WORDS = new Set(["service", "services", "svc", "microservice", "api", "server", "backend", "monolith"]);
/**
 * A name whose last word is one of these names the thing that does the work, so a store it mentions is what it works
 * on: a "Kafka Consumer" or "Cache Service" is not a queue or a cache. "server" is missing on purpose: a "Database
 * Server" or "Redis Server" is the store itself.
 */
const WORKER_HEADS = new Set([
  ...[...SERVICE_HEADS].filter((word) => word !== "server"),
  "worker",
  "workers",
  "function",
  "functions",
  "lambda",
  "job",
  "jobs",
  "app",
  "apps",
  "application",
  "client",
  "adapter",
  "library",
  "sdk",
  "driver",
  "orm",
  "module",
  "manager",
]);
const FUNCTION_MARKERS = ["lambda", "worker", "function", "cron"];
const FUNCTION_WORDS = new Set(["fn", "scheduler", "job", "jobs", "faas"]);
const CLIENT_WORDS = wordSet(
  "browser browsers frontend frontends client clients user users person people actor actors " +
    "customer customers ui gui cli spa webapp website web mobile ios android desktop dashboard " +
    "portal console react angular vue svelte",
);
const CLIENT_APP_MODIFIERS = wordSet(
  "web mobile ios android desktop frontend react angular vue spa page client native",
);
/** Last words naming a part of the code or its data, so "User Controller" or "Customer Data" is not a client. */
const COMPONENT_HEADS = wordSet(
  "controller controllers model models view views repository repositories repo module manager " +
    "adapter adapters port ports library sdk driver orm profile profiles account accounts settings " +
    "schema entity entities record records data store state session sessions context",
);

function kindFromName(text: string): ComponentKind | null {
  const all = words(text);
  if (all.length === 0) return null;
  const lower = text.toLowerCase();
  // A technology note such as "(Go)" or "[PostgreSQL]" says what it is built with, not what role it plays.
  const base = words(text.replace(/\([^)]*\)|\[[^\]]*\]/g, " "));
  const head = base[base.length - 1] ?? all[all.length - 1] ?? "";
  const has = (set: ReadonlySet<string>) => all.some((word) => set.has(word));
  const contains = (markers: readonly string[]) => markers.some((marker) => lower.includes(marker));

  if (contains(EXTERNAL_MARKERS)) return "external";
  if (!WORKER_HEADS.has(head)) {
    if (contains(DATABASE_MARKERS) || has(DATABASE_WORDS)) return "database";
    if (contains(CACHE_MARKERS) || has(CACHE_WORDS)) return "cache";
    if (
      contains(QUEUE_MARKERS) ||
      has(QUEUE_WORDS) ||
      QUEUE_HEADS.has(head) ||
      adjacent(all, "pub", "sub") ||
      adjacent(all, "event", "bus")
    ) {
      return "queue";
    }
    if (contains(STORAGE_MARKERS) || has(STORAGE_WORDS) || adjacent(all, "object", "store")) return "storage";
    if (contains(GATEWAY_MARKERS) || has(GATEWAY_WORDS)) return "gateway";
  }
  if (head === "app" || head === "apps" || head === "application") {
    if (has(CLIENT_APP_MODIFIERS)) return "client";
  } else if (SERVICE_HEADS.has(head)) {
    return "service";
  }
  if (contains(FUNCTION_MARKERS) || has(FUNCTION_WORDS)) return "function";
  if (!COMPONENT_HEADS.has(head) && (has(CLIENT_WORDS) || adjacent(all, "front", "end"))) return "client";
  if (has(SERVICE_WORDS)) return "service";
  return null;
}

const SHAPE_DATABASE = new Set(["cylinder", "cyl", "database", "db", "das", "table"]);

/** Shapes and element keywords that say what a node is whatever its name. */
function kindFromShape(hint: string): ComponentKind | null {
  const tokens = words(hint);
  if (tokens.some((token) => token === "ext" || token === "external")) return "external";
  if (tokens.some((token) => SHAPE_DATABASE.has(token))) return "database";
  if (tokens.includes("queue")) return "queue";
  if (tokens.some((token) => token === "person" || token === "actor")) return "client";
  if (tokens.some((token) => token === "storage" || token === "stored" || token === "bucket" || token === "disk")) {
    return "storage";
  }
  if (tokens.includes("cache")) return "cache";
  return null;
}

/** Shapes that suggest a kind only when the name says nothing: a cloud is usually someone else's system. */
function weakKindFromShape(hint: string): ComponentKind | null {
  const tokens = words(hint);
  if (tokens.some((token) => token === "cloud" || token === "internet")) return "external";
  if (tokens.includes("server")) return "service";
  return null;
}

/**
 * The kind of a component from its name and, when the diagram gives one, its shape or element keyword ("cylinder",
 * "database", "queue", "actor", a C4 macro such as "ContainerDb" or "System_Ext"). A telling shape wins over the name
 * (except that a named cache, bucket or queue drawn as a cylinder keeps its kind), and the name wins over anything the
 * shape merely suggests.
 */
export function classifyComponentKind(name: string, shapeHint?: string | null): ComponentKind {
  const safeName = typeof name === "string" ? name.slice(0, MAX_NAME_CHARS) : "";
  const hint = typeof shapeHint === "string" ? shapeHint.slice(0, MAX_NAME_CHARS) : "";
  const fromShape = hint ? kindFromShape(hint) : null;
  const fromName = kindFromName(safeName);
  // A cylinder is drawn for any data store, so a name that says which kind of store ("Redis", "S3") refines it.
  if (fromShape === "database" && (fromName === "cache" || fromName === "storage" || fromName === "queue")) {
    return fromName;
  }
  if (fromShape) return fromShape;
  if (fromName) return fromName;
  if (hint) return kindFromName(hint) ?? weakKindFromShape(hint) ?? "component";
  return "component";
}

// ---------------------------------------------------------------------------------------------------------------
// Connection classification
// ---------------------------------------------------------------------------------------------------------------

type ConnectionKind = DiagramConnection["kind"];

const ASYNC_WORDS = wordSet(
  "async asynchronous publish publishes published publishing emit emits emitted event events " +
    "subscribe subscribes subscribed subscription consume consumes consumed enqueue enqueues " +
    "enqueued produce produces message messages notify notifies queue queues queued stream streams " +
    "amqp kafka mqtt",
);
const DATA_WORDS = wordSet(
  "read reads reading write writes writing query queries sql jdbc odbc store stores stored persist " +
    "persists save saves load loads select insert inserts upsert upserts crud cache caches caching",
);
const SYNC_WORDS = wordSet(
  "http https rest grpc rpc call calls calling request requests graphql invoke invokes api json " +
    "xml soap smtp websocket websockets sync synchronous tcp",
);
const DEPENDENCY_WORDS = wordSet(
  "uses use using depends depend dependency dependencies import imports include includes extends " +
    "implements requires require inherits",
);

/** How a connection was drawn: dotted lines, UML dependency arrows and undirected links carry meaning. */
type EdgeStyle = "solid" | "dotted" | "dependency" | "undirected";

const DATA_STORE_KINDS: ReadonlySet<ComponentKind> = new Set(["database", "cache", "storage"]);

function connectionKind(
  text: string,
  style: EdgeStyle,
  fromKind: ComponentKind,
  toKind: ComponentKind,
): ConnectionKind {
  const tokens = text ? words(text) : [];
  const said = (set: ReadonlySet<string>) => tokens.some((token) => set.has(token));
  // What the label says beats how the line is drawn, which beats what the endpoints are; a queue endpoint outranks a
  // protocol name because "Sends e-mails [SMTP]" out of a queue is still delivered asynchronously.
  if (said(ASYNC_WORDS)) return "async";
  if (said(DATA_WORDS)) return "data";
  if (fromKind === "queue" || toKind === "queue") return "async";
  if (said(SYNC_WORDS)) return "sync";
  if (style === "dotted") return "async";
  if (DATA_STORE_KINDS.has(fromKind) || DATA_STORE_KINDS.has(toKind)) return "data";
  if (said(DEPENDENCY_WORDS) || style === "dependency" || style === "undirected") return "dependency";
  return "sync";
}

// ---------------------------------------------------------------------------------------------------------------
// Building the result
// ---------------------------------------------------------------------------------------------------------------

interface GroupRef {
  /** Mutable: DOT and D2 may give a cluster its title after its first member. */
  name: string;
  readonly parent: GroupRef | null;
}

function isWithin(group: GroupRef, ancestor: GroupRef | null): boolean {
  if (ancestor === null) return true;
  for (let current = group.parent; current; current = current.parent) {
    if (current === ancestor) return true;
  }
  return false;
}

class GroupStack {
  /** The effective group at each open block; blocks that are not groups repeat their parent's. */
  private readonly frames: (GroupRef | null)[] = [];

  current(): GroupRef | null {
    return this.frames[this.frames.length - 1] ?? null;
  }

  push(name: string | null): GroupRef | null {
    const parent = this.current();
    const group = name && this.frames.length < MAX_NESTING ? { name, parent } : parent;
    this.frames.push(group);
    return group;
  }

  pop(): void {
    this.frames.pop();
  }
}

interface DraftComponent {
  readonly id: string;
  name: string | null;
  hint: string | null;
  /** Technology (C4), consulted only when name and shape say nothing. */
  tech: string | null;
  group: GroupRef | null;
}

interface DraftConnection {
  readonly from: string;
  readonly to: string;
  readonly label: string | null;
  /** Words that inform the kind but are not the label, such as a C4 relation's technology. */
  readonly note: string | null;
  style: EdgeStyle;
}

type Direction = "forward" | "back" | "both" | "none";

interface NodeOptions {
  name?: string | null;
  hint?: string | null;
  tech?: string | null;
  group?: GroupRef | null;
  /** A mention rather than a declaration: fills in what is missing but never overwrites. */
  weak?: boolean;
}

interface EdgeOptions {
  label?: string | null;
  note?: string | null;
  style?: EdgeStyle;
  direction?: Direction;
  group?: GroupRef | null;
}

class DiagramBuilder {
  private readonly components = new Map<string, DraftComponent>();
  private readonly connections = new Map<string, DraftConnection>();

  has(id: string): boolean {
    return this.components.has(id);
  }

  /** Returns the component's id, or null when the id is empty or the component cap is reached. */
  node(rawId: string, options: NodeOptions = {}): string | null {
    const id = rawId.trim().slice(0, MAX_NAME_CHARS);
    if (!id) return null;
    let draft = this.components.get(id);
    if (!draft) {
      if (this.components.size >= MAX_COMPONENTS) return null;
      draft = { id, name: null, hint: null, tech: null, group: options.group ?? null };
      this.components.set(id, draft);
    } else if (options.group && isWithin(options.group, draft.group)) {
      draft.group = options.group;
    }
    const name = options.name ? cleanText(options.name) : "";
    if (name && (!options.weak || draft.name === null)) draft.name = name;
    if (options.hint && (!options.weak || draft.hint === null)) draft.hint = options.hint;
    if (options.tech && (!options.weak || draft.tech === null)) draft.tech = options.tech;
    return id;
  }

  /** Adds the endpoints as needed; returns the connections added (two for a bidirectional link). */
  edge(rawFrom: string, rawTo: string, options: EdgeOptions = {}): DraftConnection[] {
    const group = options.group ?? null;
    const first = this.node(rawFrom, { group, weak: true });
    const second = this.node(rawTo, { group, weak: true });
    if (first === null || second === null) return [];
    const label = options.label ? cleanText(options.label) || null : null;
    const direction = options.direction ?? "forward";
    const style = options.style ?? (direction === "none" ? "undirected" : "solid");
    const pairs: [string, string][] =
      direction === "back"
        ? [[second, first]]
        : direction === "both"
          ? [
              [first, second],
              [second, first],
            ]
          : [[first, second]];
    const added: DraftConnection[] = [];
    for (const [from, to] of pairs) {
      const key = `${from}\u0000${to}\u0000${label ?? ""}`;
      const existing = this.connections.get(key);
      if (existing) {
        added.push(existing);
        continue;
      }
      if (this.connections.size >= MAX_CONNECTIONS) break;
      const connection: DraftConnection = { from, to, label, note: options.note ?? null, style };
      this.connections.set(key, connection);
      added.push(connection);
    }
    return added;
  }

  /** `isContainer` drops nodes that only exist to hold others (D2 containers) unless a connection touches them. */
  build(isContainer?: (id: string) => boolean): { components: DiagramComponent[]; connections: DiagramConnection[] } {
    const connected = new Set<string>();
    for (const connection of this.connections.values()) {
      connected.add(connection.from);
      connected.add(connection.to);
    }
    const components: DiagramComponent[] = [];
    const kinds = new Map<string, ComponentKind>();
    for (const draft of this.components.values()) {
      if (isContainer?.(draft.id) && !connected.has(draft.id)) continue;
      const name = draft.name ?? draft.id;
      let kind = classifyComponentKind(name, draft.hint);
      if (kind === "component" && draft.tech) kind = kindFromName(draft.tech) ?? kind;
      // Ids are often more telling than display names ("ordersDb" shown as "Orders").
      if (kind === "component" && name !== draft.id) kind = kindFromName(draft.id) ?? kind;
      kinds.set(draft.id, kind);
      components.push({ id: draft.id, name, kind, group: draft.group?.name ?? null });
    }
    const connections: DiagramConnection[] = [];
    for (const draft of this.connections.values()) {
      const fromKind = kinds.get(draft.from);
      const toKind = kinds.get(draft.to);
      if (!fromKind || !toKind) continue;
      const text = [draft.label, draft.note].filter(Boolean).join(" ");
      connections.push({
        from: draft.from,
        to: draft.to,
        label: draft.label,
        kind: connectionKind(text, draft.style, fromKind, toKind),
      });
    }
    return { components, connections };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Format detection
// ---------------------------------------------------------------------------------------------------------------

interface PreparedSource {
  lines: string[];
  /** Index of the first meaningful line (after fences, front matter and leading comments). */
  start: number;
  /** The language named on a Markdown code fence, when the diagram was pasted in one. */
  fenceFormat: DiagramFormat | null;
}

const FENCE_FORMATS: Readonly<Record<string, DiagramFormat>> = {
  mermaid: "mermaid",
  plantuml: "plantuml",
  puml: "plantuml",
  uml: "plantuml",
  dot: "dot",
  graphviz: "dot",
  gv: "dot",
  d2: "d2",
};

const MERMAID_HEADER =
  /^(?:flowchart(?:-elk)?|graph|sequenceDiagram|classDiagram(?:-v2)?|stateDiagram(?:-v2)?|erDiagram|journey|gantt|pie|mindmap|timeline|gitGraph|C4Context|C4Container|C4Component|C4Dynamic|C4Deployment|architecture(?:-beta)?|block(?:-beta)?|quadrantChart|requirementDiagram|sankey(?:-beta)?|xychart(?:-beta)?|packet(?:-beta)?|kanban|zenuml)\b/;

function isSkippableLeadingLine(line: string): boolean {
  const trimmed = line.trim();
  return trimmed === "" || trimmed.startsWith("%%") || trimmed.startsWith("//") || /^#(?![{])/.test(trimmed);
}

function prepare(source: string, capLines = true): PreparedSource {
  let lines = splitLines(source, capLines);
  let start = 0;
  let fenceFormat: DiagramFormat | null = null;
  while (start < lines.length && (lines[start] ?? "").trim() === "") start++;
  const fence = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[start] ?? "");
  if (fence) {
    fenceFormat = FENCE_FORMATS[(fence[2] ?? "").toLowerCase()] ?? null;
    const marker = fence[1] ?? "```";
    let end = start + 1;
    while (end < lines.length && !(lines[end] ?? "").trim().startsWith(marker)) end++;
    lines = lines.slice(start + 1, end);
    start = 0;
  }
  while (start < lines.length && isSkippableLeadingLine(lines[start] ?? "")) start++;
  // Mermaid front matter (title, config) sits between two "---" lines before the diagram type.
  if ((lines[start] ?? "").trim() === "---") {
    let end = start + 1;
    while (end < lines.length && (lines[end] ?? "").trim() !== "---") end++;
    if (end < lines.length) {
      start = end + 1;
      while (start < lines.length && isSkippableLeadingLine(lines[start] ?? "")) start++;
    }
  }
  return { lines, start, fenceFormat };
}

function isDotGraphHeader(lines: readonly string[], start: number): boolean {
  const first = (lines[start] ?? "").trim();
  if (/^graph\b[^{;]*\{/i.test(first)) return true;
  if (!/^graph(?:\s+(?:"[^"]*"|[\w.]+))?\s*$/i.test(first)) return false;
  for (let index = start + 1; index < lines.length; index++) {
    const next = (lines[index] ?? "").trim();
    if (next) return next.startsWith("{");
  }
  return false;
}

/** Lines that only Mermaid flowchart syntax produces: "-->", "-.->", "==>", shaped nodes. */
const MERMAID_BODY_LINE =
  /^[\p{L}\p{N}_][\w.-]*(?:\[[^\]]*\]|\([^)]*\)+|\{[^}]*\})?\s*(?:-->|---|-\.+-|==>|===|--[ox]\s)/u;
const D2_EDGE_LINE = /^\s*(?:"[^"]+"\s*|[\p{L}\p{N}_][\p{L}\p{N}_. -]*?)(?:<->|->|<-|--)\s*(?:"[^"]+"|[\p{L}\p{N}_])/u;
const D2_STRONG_LINE =
  /^\s*(?:[^:{}]+:\s*[^{}]*\{\s*$|\}\s*$|[\w."' -]*\bshape\s*:\s*[\w-]+|direction\s*:\s*(?:up|down|left|right)\s*$|[\w"' -]+\.(?:shape|style|label|icon)\b)/;

function meaningfulLines(lines: readonly string[], start: number): string[] {
  const result: string[] = [];
  for (let index = start; index < lines.length && result.length < 2_000; index++) {
    const line = (lines[index] ?? "").trim();
    if (line && !line.startsWith("#") && !line.startsWith("%%")) result.push(line);
  }
  return result;
}

/**
 * Which text format a diagram is written in. Anything that is not recognisably Mermaid, PlantUML, DOT or D2 is
 * "labels": free text such as the OCR output of a diagram image.
 */
export function detectDiagramFormat(source: string): DiagramFormat {
  try {
    return detect(prepare(typeof source === "string" ? source : ""));
  } catch {
    return "labels";
  }
}

function detect({ lines, start, fenceFormat }: PreparedSource): DiagramFormat {
  const first = (lines[start] ?? "").trim();
  if (/^@start\w*/i.test(first)) return "plantuml";
  if (/^(?:strict\s+)?digraph\b/i.test(first) || /^strict\s+graph\b/i.test(first)) return "dot";
  if (/^graph\b/i.test(first)) return isDotGraphHeader(lines, start) ? "dot" : "mermaid";
  if (MERMAID_HEADER.test(first)) return "mermaid";
  if (fenceFormat) return fenceFormat;
  for (let index = start; index < Math.min(lines.length, start + 20); index++) {
    if (/^\s*@startuml\b/i.test(lines[index] ?? "")) return "plantuml";
  }
  const body = meaningfulLines(lines, start);
  if (body.length === 0) return "labels";
  const mermaidLines = body.filter((line) => MERMAID_BODY_LINE.test(line)).length;
  if (mermaidLines > 0 && mermaidLines * 2 >= body.length) return "mermaid";
  const strongD2 = body.some((line) => D2_STRONG_LINE.test(line));
  const d2Edges = body.filter((line) => D2_EDGE_LINE.test(line)).length;
  if (strongD2 || (d2Edges > 0 && d2Edges * 2 >= body.length)) return "d2";
  return "labels";
}

// ---------------------------------------------------------------------------------------------------------------
// Mermaid
// ---------------------------------------------------------------------------------------------------------------

function parseMermaid(lines: readonly string[], start: number, builder: DiagramBuilder): void {
  const first = (lines[start] ?? "").trim();
  if (/^(?:flowchart(?:-elk)?|graph)\b/i.test(first)) {
    const header = /^(?:flowchart(?:-elk)?|graph)(?:\s+(?:TB|TD|BT|RL|LR))?\s*;?/i.exec(first)?.[0] ?? "";
    parseFlowchart(lines, start, first.slice(header.length), builder);
  } else if (/^C4\w+/.test(first)) {
    parseC4Block(lines, start + 1, builder);
  } else if (/^architecture(?:-beta)?\b/.test(first)) {
    parseArchitecture(lines, start + 1, builder);
  } else if (/^sequenceDiagram\b/.test(first)) {
    parseSequence(lines, start + 1, builder);
  } else if (!MERMAID_HEADER.test(first)) {
    // No header: a flowchart body pasted on its own.
    parseFlowchart(lines, start, first, builder);
  }
  // Other diagram types (class, ER, Gantt, …) describe no deployable components.
}

/** Statements on one line are separated by ";" outside quotes and brackets. */
function splitStatements(line: string): string[] {
  if (!line.includes(";")) return [line];
  const statements: string[] = [];
  let depth = 0;
  let quoted = false;
  let begin = 0;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (char === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (char === "[" || char === "(" || char === "{") depth++;
    else if ((char === "]" || char === ")" || char === "}") && depth > 0) depth--;
    else if (char === ";" && depth === 0) {
      statements.push(line.slice(begin, index));
      begin = index + 1;
    }
  }
  statements.push(line.slice(begin));
  return statements;
}

const FLOWCHART_IGNORED =
  /^(?:classDef|class|style|linkStyle|click|direction|accTitle|accDescr|title|callback|link|%%)(?:\b|$)/;

function parseFlowchart(lines: readonly string[], start: number, firstRest: string, builder: DiagramBuilder): void {
  const groups = new GroupStack();
  const subgraphs = new Map<string, GroupRef>();
  let subgraphCount = 0;
  for (let index = start; index < lines.length; index++) {
    const line = index === start ? firstRest : (lines[index] ?? "");
    if (line.trim().startsWith("%%")) continue;
    for (const statement of splitStatements(line)) {
      const text = statement.trim();
      if (!text || FLOWCHART_IGNORED.test(text)) continue;
      const subgraph = /^subgraph\b\s*(.*)$/i.exec(text);
      if (subgraph) {
        const parent = groups.current();
        const rest = (subgraph[1] ?? "").trim();
        const titled = /^([^\s[\]"]+)\s*\[(.*)\]\s*$/.exec(rest);
        const id = titled?.[1] ?? (cleanText(rest) || `subgraph-${++subgraphCount}`);
        const title = (titled ? cleanText(titled[2] ?? "") : "") || id;
        const group = groups.push(title);
        if (group && group !== parent) subgraphs.set(id, group);
        continue;
      }
      if (/^end$/i.test(text)) {
        groups.pop();
        continue;
      }
      parseFlowStatement(text, builder, groups.current());
    }
  }
  // Edges may target a subgraph by id; such a node is shown as the subgraph's box, so it takes the subgraph's title.
  for (const [id, group] of subgraphs) {
    if (builder.has(id)) builder.node(id, { name: group.name, group: group.parent, weak: true });
  }
}

const MERMAID_ID = /[\p{L}\p{N}_$](?:[\p{L}\p{N}_$]|[-.](?=[\p{L}\p{N}_]))*/uy;
const MERMAID_CLASS_SUFFIX = /:::[\w-]+/y;
const MERMAID_AMPERSAND = /\s*&\s*/y;
/** "-- text -->", "== text ==>", "-. text .->". */
const MERMAID_TEXT_LINK =
  /\s*(<)?(--|==|-\.)(?![->.=|]|[ox]\s)\s*([^|]+?)\s*(-{2,}[>ox]?|={2,}[>ox]?|\.-+[>ox]?)(?=\s|[\p{L}\p{N}_"]|$)\s*/uy;
const MERMAID_LINK =
  /\s*(<|o(?=[-=])|x(?=[-=]))?(-{2,}>|-{2,}[ox](?![\p{L}\p{N}_])|-{3,}|={2,}>|={2,}[ox](?![\p{L}\p{N}_])|={3,}|-\.+->|-\.+-|~{3,})\s*(?:\|([^|]*)\|)?\s*/uy;

interface FlowLink {
  end: number;
  label: string | null;
  style: EdgeStyle;
  direction: Direction;
  invisible: boolean;
}

function readFlowLink(text: string, position: number): FlowLink | null {
  MERMAID_TEXT_LINK.lastIndex = position;
  const withText = MERMAID_TEXT_LINK.exec(text);
  if (withText) {
    const opening = withText[2] ?? "";
    const closing = withText[4] ?? "";
    const head = /[>ox]$/.test(closing);
    return {
      end: MERMAID_TEXT_LINK.lastIndex,
      label: withText[3] ?? null,
      style: opening === "-." ? "dotted" : head || withText[1] ? "solid" : "undirected",
      direction: withText[1] ? (head ? "both" : "back") : head ? "forward" : "none",
      invisible: false,
    };
  }
  MERMAID_LINK.lastIndex = position;
  const link = MERMAID_LINK.exec(text);
  if (!link) return null;
  const body = link[2] ?? "";
  const head = /[>ox]$/.test(body);
  const tail = Boolean(link[1]);
  return {
    end: MERMAID_LINK.lastIndex,
    label: link[3] ?? null,
    style: body.includes(".") ? "dotted" : head || tail ? "solid" : "undirected",
    direction: tail ? (head ? "both" : "back") : head ? "forward" : "none",
    invisible: body.startsWith("~"),
  };
}

const MERMAID_SHAPES: readonly (readonly [open: string, closers: readonly string[], hint: string | null])[] = [
  ["(((", [")))"], null],
  ["([", ["])"], null],
  ["[(", [")]"], "cylinder"],
  ["[[", ["]]"], null],
  ["[/", ["/]", "\\]"], null],
  ["[\\", ["\\]", "/]"], null],
  ["((", ["))"], null],
  ["{{", ["}}"], null],
  ["[", ["]"], null],
  ["(", [")"], null],
  ["{", ["}"], null],
  [">", ["]"], null],
];

function readMermaidShape(text: string, position: number): { label: string; hint: string | null; end: number } | null {
  if (text.startsWith("@{", position)) {
    const close = text.indexOf("}", position + 2);
    const end = close < 0 ? text.length : close;
    const body = text.slice(position + 2, end);
    const label = /\blabel\s*:\s*"([^"]*)"/.exec(body)?.[1] ?? /\blabel\s*:\s*([^,}]+)/.exec(body)?.[1] ?? "";
    const shape = /\bshape\s*:\s*([\w-]+)/.exec(body)?.[1] ?? null;
    return { label: cleanText(label), hint: shape, end: close < 0 ? text.length : close + 1 };
  }
  for (const [open, closers, hint] of MERMAID_SHAPES) {
    if (!text.startsWith(open, position)) continue;
    const labelStart = position + open.length;
    let searchFrom = labelStart;
    // A quoted label may contain the closing bracket, so the closer is looked for after the closing quote.
    const quote = /^\s*"/.exec(text.slice(labelStart, labelStart + 20));
    if (quote) {
      const closingQuote = text.indexOf('"', labelStart + quote[0].length);
      if (closingQuote >= 0) searchFrom = closingQuote + 1;
    }
    let best = -1;
    let bestLength = 0;
    for (const closer of closers) {
      const at = text.indexOf(closer, searchFrom);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
        bestLength = closer.length;
      }
    }
    if (best < 0) return { label: cleanText(text.slice(labelStart)), hint, end: text.length };
    return { label: cleanText(text.slice(labelStart, best)), hint, end: best + bestLength };
  }
  return null;
}

function readFlowNodes(
  text: string,
  position: number,
  builder: DiagramBuilder,
  group: GroupRef | null,
): { ids: string[]; end: number } | null {
  const ids: string[] = [];
  let cursor = position;
  for (;;) {
    while (text[cursor] === " " || text[cursor] === "\t") cursor++;
    MERMAID_ID.lastIndex = cursor;
    const idMatch = MERMAID_ID.exec(text);
    if (!idMatch) break;
    cursor = MERMAID_ID.lastIndex;
    const shape = readMermaidShape(text, cursor);
    if (shape) cursor = shape.end;
    MERMAID_CLASS_SUFFIX.lastIndex = cursor;
    if (MERMAID_CLASS_SUFFIX.exec(text)) cursor = MERMAID_CLASS_SUFFIX.lastIndex;
    const id = builder.node(idMatch[0], shape ? { name: shape.label, hint: shape.hint, group } : { group, weak: true });
    if (id !== null) ids.push(id);
    MERMAID_AMPERSAND.lastIndex = cursor;
    if (!MERMAID_AMPERSAND.exec(text)) break;
    cursor = MERMAID_AMPERSAND.lastIndex;
  }
  return cursor === position ? null : { ids, end: cursor };
}

function parseFlowStatement(text: string, builder: DiagramBuilder, group: GroupRef | null): void {
  let nodes = readFlowNodes(text, 0, builder, group);
  while (nodes) {
    const link = readFlowLink(text, nodes.end);
    if (!link) return;
    const next = readFlowNodes(text, link.end, builder, group);
    if (!next) return;
    if (!link.invisible) {
      for (const from of nodes.ids) {
        for (const to of next.ids) {
          builder.edge(from, to, { label: link.label, style: link.style, direction: link.direction, group });
        }
      }
    }
    nodes = next;
  }
}

// C4 (Mermaid C4Context / C4Container …, and the C4-PlantUML library, which uses the same macros)

const C4_ELEMENT =
  /^(?:Person|System|SystemDb|SystemQueue|Container|ContainerDb|ContainerQueue|Component|ComponentDb|ComponentQueue)(?:_Ext)?$/i;
const C4_TECHNOLOGY_ELEMENT = /^(?:Container|Component)/i;
const C4_BOUNDARY =
  /^(?:Boundary|System_Boundary|Enterprise_Boundary|Container_Boundary|Deployment_Node|Deployment_Node_[LR]|Node|Node_[LR])$/i;
const C4_RELATION =
  /^(?:Rel|BiRel|Rel_(?:U|Up|D|Down|L|Left|R|Right|Back|Neighbor)|BiRel_(?:U|Up|D|Down|L|Left|R|Right)|RelIndex)$/i;
const C4_CALL = /^\s*([A-Za-z_]\w*)\s*\((.*)\)\s*(\{)?\s*$/;

function splitArguments(text: string): string[] {
  const args: string[] = [];
  let current = "";
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (char === "," && !quoted) {
      args.push(current);
      current = "";
    } else {
      current += char;
    }
  }
  args.push(current);
  return args.map((arg) => arg.trim()).filter((arg) => !arg.startsWith("$"));
}

/** Handles one C4 macro line; returns false when the line is not one. */
function parseC4Line(line: string, builder: DiagramBuilder, groups: GroupStack): boolean {
  const call = C4_CALL.exec(line);
  if (!call) return false;
  const macro = call[1] ?? "";
  const args = splitArguments(call[2] ?? "").map(cleanText);
  if (C4_ELEMENT.test(macro)) {
    const [id, label] = args;
    if (id) {
      const tech = C4_TECHNOLOGY_ELEMENT.test(macro) ? (args[2] ?? null) : null;
      builder.node(id, { name: label || id, hint: macro, tech, group: groups.current() });
    }
    if (call[3]) groups.push(null);
    return true;
  }
  if (C4_BOUNDARY.test(macro)) {
    if (call[3]) groups.push(args[1] || args[0] || macro);
    return true;
  }
  if (C4_RELATION.test(macro)) {
    const [from, to, label, tech] = /^RelIndex$/i.test(macro) ? args.slice(1) : args;
    if (from && to) {
      const direction: Direction = /^BiRel/i.test(macro) ? "both" : /_Back$/i.test(macro) ? "back" : "forward";
      builder.edge(from, to, { label: label || null, note: tech || null, direction });
    }
    return true;
  }
  // Styling and layout macros (UpdateElementStyle, Lay_R, SHOW_LEGEND, AddRelTag, …) carry no architecture.
  if (/^(?:Update|Lay_|SHOW_|HIDE_|LAYOUT_|Add\w*Tag|Set\w*|increment|setIndex)/.test(macro)) {
    if (call[3]) groups.push(null);
    return true;
  }
  return false;
}

function parseC4Block(lines: readonly string[], start: number, builder: DiagramBuilder): void {
  const groups = new GroupStack();
  for (let index = start; index < lines.length; index++) {
    const line = (lines[index] ?? "").trim();
    if (!line || line.startsWith("%%")) continue;
    if (line.startsWith("}")) groups.pop();
    else parseC4Line(line, builder, groups);
  }
}

// architecture-beta

const ARCHITECTURE_DECLARATION =
  /^(group|service|junction)\s+([\w-]+)\s*(?:\(([^)]*)\))?\s*(?:\[([^\]]*)\])?\s*(?:in\s+([\w-]+))?\s*$/i;
const ARCHITECTURE_EDGE =
  /^([\w-]+)(?:\{group\})?\s*:\s*[LRTB]\s*(<)?-(?:-|\[([^\]]*)\]-)(>)?\s*[LRTB]\s*:\s*([\w-]+)(?:\{group\})?\s*$/i;

function parseArchitecture(lines: readonly string[], start: number, builder: DiagramBuilder): void {
  const groups = new Map<string, GroupRef>();
  const groupFor = (id: string | undefined): GroupRef | null => {
    if (!id) return null;
    let group = groups.get(id);
    if (!group) {
      group = { name: id, parent: null };
      groups.set(id, group);
    }
    return group;
  };
  for (let index = start; index < lines.length; index++) {
    const line = (lines[index] ?? "").trim();
    if (!line || line.startsWith("%%")) continue;
    const declaration = ARCHITECTURE_DECLARATION.exec(line);
    if (declaration) {
      const [, keyword = "", id = "", icon, label, parent] = declaration;
      if (keyword.toLowerCase() === "group") {
        if (!groups.has(id)) {
          groups.set(id, { name: cleanText(label ?? "") || id, parent: groupFor(parent) });
        }
      } else {
        builder.node(id, { name: label ?? null, hint: icon ?? null, group: groupFor(parent) });
      }
      continue;
    }
    const edge = ARCHITECTURE_EDGE.exec(line);
    if (edge) {
      const [, from = "", tail, label, head, to = ""] = edge;
      const direction: Direction = tail ? (head ? "both" : "back") : head ? "forward" : "none";
      builder.edge(from, to, { label: label ?? null, direction });
    }
  }
}

// sequenceDiagram

const SEQUENCE_PARTICIPANT = /^(?:create\s+)?(participant|actor)\s+(.+?)(?:\s+as\s+(.+))?$/i;
const SEQUENCE_MESSAGE = /^([^\s:<>+-][^:<>]*?)\s*(<<)?(--?)(>>|>|x|\))\s*[+-]?\s*([^\s:+-][^:]*?)\s*(?::\s*(.*))?$/;
const SEQUENCE_BLOCK = /^(?:loop|alt|opt|par|critical|break|rect)\b/i;
const BOX_COLOUR =
  /^(?:rgba?\([^)]*\)|transparent|aqua|purple|green|blue|red|yellow|orange|grey|gray|pink|white|black|lightblue|lightgreen|lightyellow|lightgrey|lightgray)\b\s*/i;

function parseSequence(lines: readonly string[], start: number, builder: DiagramBuilder): void {
  const groups = new GroupStack();
  for (let index = start; index < lines.length; index++) {
    const line = (lines[index] ?? "").trim();
    if (!line || line.startsWith("%%") || /^note\b/i.test(line)) continue;
    const box = /^box\b\s*(.*)$/i.exec(line);
    if (box) {
      groups.push(cleanText((box[1] ?? "").replace(BOX_COLOUR, "")) || "box");
      continue;
    }
    if (SEQUENCE_BLOCK.test(line)) {
      groups.push(null);
      continue;
    }
    if (/^end$/i.test(line)) {
      groups.pop();
      continue;
    }
    const participant = SEQUENCE_PARTICIPANT.exec(line);
    if (participant) {
      const keyword = (participant[1] ?? "").toLowerCase();
      builder.node(cleanText(participant[2] ?? ""), {
        name: participant[3] ?? null,
        hint: keyword === "actor" ? "actor" : null,
        group: groups.current(),
      });
      continue;
    }
    const message = SEQUENCE_MESSAGE.exec(line);
    if (!message) continue;
    const from = cleanText(message[1] ?? "");
    const to = cleanText(message[5] ?? "");
    // Dashed arrows are replies to an earlier call; counting them would add a reverse dependency that is not there.
    if (message[3] === "--" && message[4] !== ")") {
      builder.node(from, { group: groups.current(), weak: true });
      builder.node(to, { group: groups.current(), weak: true });
      continue;
    }
    builder.edge(from, to, {
      label: message[6] ?? null,
      style: message[4] === ")" ? "dotted" : "solid",
      direction: message[2] ? "both" : "forward",
      group: groups.current(),
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// PlantUML
// ---------------------------------------------------------------------------------------------------------------

const PLANTUML_ELEMENT =
  /^(actor|agent|artifact|boundary|card|circle|cloud|collections|component|control|database|entity|file|folder|frame|hexagon|interface|label|node|package|participant|person|queue|rectangle|stack|storage|usecase|namespace|process)\b\s*(.*)$/i;
const PLANTUML_IGNORED =
  /^(?:(?:skinparam|hide|show|scale|title|caption|autonumber|allowmixing|set|remove|activate|deactivate|return|newpage)\b|left to right|top to bottom|!|==|\.\.\.|\|\|)/i;
const PLANTUML_ARROW =
  /\s*(<\|?|<<|\*|o(?=[-.])|#|x(?=[-.])|\+|\})?([-.]+)(\[[^\]]*\]|(?:left|right|up|down|le|ri|do|l|r|u|d)(?=[-.]))?([-.]*)(\|>|>>|>|\*|o(?![\p{L}\p{N}_])|#|x(?![\p{L}\p{N}_])|\+|\{)?\s*/uy;
const PLANTUML_BARE = /[\p{L}\p{N}_$@](?:[\p{L}\p{N}_$@]|\.(?=[\p{L}\p{N}_]))*/uy;

interface PlantUmlName {
  text: string;
  /** "quote" for "…", "bracket" for […], ":" for :actor:, "(" for (use case), "bare" otherwise. */
  form: "quote" | "bracket" | "colon" | "paren" | "bare";
  end: number;
}

const PLANTUML_DELIMITERS: Readonly<Record<string, readonly [string, PlantUmlName["form"]]>> = {
  '"': ['"', "quote"],
  "[": ["]", "bracket"],
  ":": [":", "colon"],
  "(": [")", "paren"],
};

function readPlantUmlName(text: string, position: number): PlantUmlName | null {
  let cursor = position;
  while (text[cursor] === " " || text[cursor] === "\t") cursor++;
  const delimiter = PLANTUML_DELIMITERS[text[cursor] ?? ""];
  if (delimiter) {
    const close = text.indexOf(delimiter[0], cursor + 1);
    if (close < 0) return null;
    const name = cleanText(text.slice(cursor + 1, close));
    return name ? { text: name, form: delimiter[1], end: close + 1 } : null;
  }
  PLANTUML_BARE.lastIndex = cursor;
  const bare = PLANTUML_BARE.exec(text);
  return bare ? { text: bare[0], form: "bare", end: PLANTUML_BARE.lastIndex } : null;
}

const PLANTUML_FORM_HINTS: Readonly<Record<PlantUmlName["form"], string | null>> = {
  quote: null,
  bracket: "component",
  colon: "actor",
  paren: "usecase",
  bare: null,
};

class PlantUmlParser {
  private readonly groups = new GroupStack();
  /** Display names of aliased elements, so "[Checkout Service]" and its alias "checkout" are one component. */
  private readonly aliases = new Map<string, string>();

  constructor(private readonly builder: DiagramBuilder) {}

  parse(lines: readonly string[], start: number): void {
    let skipUntil: RegExp | null = null;
    for (let index = start; index < lines.length; index++) {
      let line = (lines[index] ?? "").trim();
      if (skipUntil) {
        if (skipUntil.test(line)) skipUntil = null;
        continue;
      }
      if (line.startsWith("/'")) {
        if (!line.includes("'/", 2)) skipUntil = /'\/\s*$/;
        continue;
      }
      if (/^@end/i.test(line)) break;
      if (!line || line.startsWith("'") || /^@start/i.test(line)) continue;
      const block = /^(note|legend|header|footer|rnote|hnote)\b/i.exec(line);
      if (block) {
        const keyword = (block[1] ?? "").toLowerCase();
        const singleLine = line.includes(":") || /^note\s+"/i.test(line) || /^(header|footer)\s+\S/i.test(line);
        if (!singleLine)
          skipUntil = new RegExp(`^end\\s*${keyword === "legend" ? "legend" : "(?:note|header|footer)"}`, "i");
        continue;
      }
      if (line.startsWith("}")) {
        this.groups.pop();
        line = line.slice(1).trim();
        if (!line) continue;
      }
      if (PLANTUML_IGNORED.test(line)) {
        if (line.endsWith("{")) this.groups.push(null);
        continue;
      }
      if (/^together\b/i.test(line)) {
        if (line.endsWith("{")) this.groups.push(null);
        continue;
      }
      if (parseC4Line(line, this.builder, this.groups)) continue;
      if (this.parseEdge(line)) continue;
      if (this.parseElement(line)) continue;
      if (line.endsWith("{")) this.groups.push(null);
    }
  }

  private resolve(name: PlantUmlName): string {
    return this.aliases.get(name.text) ?? name.text;
  }

  private parseElement(line: string): boolean {
    const element = PLANTUML_ELEMENT.exec(line);
    let keyword: string | null = null;
    let rest = line;
    if (element) {
      keyword = (element[1] ?? "").toLowerCase();
      rest = element[2] ?? "";
    } else if (!line.startsWith("[")) {
      return false;
    }
    const first = readPlantUmlName(rest, 0);
    if (!first) {
      if (keyword && rest.trim().startsWith("{")) this.groups.push(null);
      return keyword !== null;
    }
    let cursor = first.end;
    let id = first.text;
    let name = first.text;
    const alias = /^\s+as\s+/i.exec(rest.slice(cursor));
    if (alias) {
      const second = readPlantUmlName(rest, cursor + alias[0].length);
      if (second) {
        cursor = second.end;
        // "X as Y" names Y as the alias, unless Y is the quoted display name of a bare X.
        if (first.form === "bare" && second.form !== "bare") name = second.text;
        else id = second.text;
        if (name !== id) this.aliases.set(name, id);
      }
    }
    const tail = rest.slice(cursor);
    const stereotypes = [...tail.matchAll(/<<\s*([^>]+?)\s*>>/g)].map((match) => match[1] ?? "").join(" ");
    if (tail.trim().endsWith("{")) {
      this.groups.push(name);
      return true;
    }
    const hint = [keyword ?? PLANTUML_FORM_HINTS[first.form], stereotypes].filter(Boolean).join(" ") || null;
    this.builder.node(id, { name, hint, group: this.groups.current() });
    return true;
  }

  private parseEdge(line: string): boolean {
    const left = readPlantUmlName(line, 0);
    if (!left) return false;
    let cursor = left.end;
    const multiplicity = /^\s*"[^"]*"/.exec(line.slice(cursor));
    if (multiplicity) cursor += multiplicity[0].length;
    PLANTUML_ARROW.lastIndex = cursor;
    const arrow = PLANTUML_ARROW.exec(line);
    if (!arrow) return false;
    cursor = PLANTUML_ARROW.lastIndex;
    let right = readPlantUmlName(line, cursor);
    if (right?.form === "quote") {
      // A quoted string right after the arrow is the target's multiplicity when another name follows it.
      const after = readPlantUmlName(line, right.end);
      if (after && !line.slice(right.end).trimStart().startsWith(":")) right = after;
    }
    if (!right) return false;
    const label = /^\s*:\s*(.*)$/.exec(line.slice(right.end))?.[1] ?? null;
    const [, tail, body = "", modifier = "", bodyEnd = "", head] = arrow;
    const shaft = `${body}${bodyEnd}`;
    const dashed = shaft.includes(".") || /dashed|dotted/i.test(modifier);
    const uml = head === "|>" || tail === "<|" || head === "*" || tail === "*" || head === "o" || tail === "o";
    const forward = Boolean(head);
    const backward = Boolean(tail);
    const direction: Direction = forward && backward ? "both" : backward ? "back" : forward ? "forward" : "none";
    const style: EdgeStyle = uml || dashed ? "dependency" : direction === "none" ? "undirected" : "solid";
    const group = this.groups.current();
    for (const end of [left, right]) {
      this.builder.node(this.resolve(end), { hint: PLANTUML_FORM_HINTS[end.form], group, weak: true });
    }
    this.builder.edge(this.resolve(left), this.resolve(right), { label, style, direction, group });
    return true;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Graphviz DOT
// ---------------------------------------------------------------------------------------------------------------

interface DotToken {
  type: "id" | "op";
  value: string;
}

function tokenizeDot(text: string): DotToken[] {
  const tokens: DotToken[] = [];
  let index = 0;
  const length = text.length;
  while (index < length) {
    const char = text[index] ?? "";
    if (/\s/.test(char)) {
      index++;
    } else if (char === "/" && text[index + 1] === "/") {
      const end = text.indexOf("\n", index);
      index = end < 0 ? length : end;
    } else if (char === "/" && text[index + 1] === "*") {
      const end = text.indexOf("*/", index + 2);
      index = end < 0 ? length : end + 2;
    } else if (char === "#" && (index === 0 || text[index - 1] === "\n")) {
      const end = text.indexOf("\n", index);
      index = end < 0 ? length : end;
    } else if (char === '"') {
      let value = "";
      index++;
      while (index < length && text[index] !== '"') {
        if (text[index] === "\\" && text[index + 1] === '"') {
          value += '"';
          index += 2;
        } else if (text[index] === "\\" && text[index + 1] === "\n") {
          index += 2;
        } else {
          value += text[index];
          index++;
        }
      }
      index++;
      tokens.push({ type: "id", value });
    } else if (char === "<") {
      // HTML-like label: balanced angle brackets.
      let depth = 0;
      const begin = index;
      while (index < length) {
        if (text[index] === "<") depth++;
        else if (text[index] === ">" && --depth === 0) break;
        index++;
      }
      tokens.push({ type: "id", value: text.slice(begin + 1, index) });
      index++;
    } else if (char === "-" && (text[index + 1] === ">" || text[index + 1] === "-")) {
      tokens.push({ type: "op", value: text.slice(index, index + 2) });
      index += 2;
    } else if ("{}[]=;,:".includes(char)) {
      tokens.push({ type: "op", value: char });
      index++;
    } else {
      const match = /^(?:[\p{L}_][\p{L}\p{N}_]*|-?(?:\.\d+|\d+(?:\.\d*)?))/u.exec(text.slice(index, index + 500));
      if (match) {
        tokens.push({ type: "id", value: match[0] });
        index += match[0].length;
      } else {
        index++;
      }
    }
  }
  return tokens;
}

interface DotScope {
  group: GroupRef | null;
  nodeShape: string | null;
  edgeStyle: EdgeStyle | null;
  /** Set for cluster subgraphs, whose `label` attribute titles the group. */
  cluster: GroupRef | null;
  members: string[];
}

function dotLabel(value: string, shape: string | null): string {
  // Record labels ("<f0> left|<f1> right", "{a|b}") use fields, ports and braces as layout syntax.
  const text = shape && /record/i.test(shape) ? value.replace(/<[^>]*>/g, " ").replace(/[{}|]/g, " ") : value;
  return cleanText(text);
}

class DotParser {
  private index = 0;
  private readonly scopes: DotScope[] = [];
  private directed = true;

  constructor(
    private readonly tokens: readonly DotToken[],
    private readonly builder: DiagramBuilder,
  ) {}

  private peek(offset = 0): DotToken | undefined {
    return this.tokens[this.index + offset];
  }

  private isOp(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.type === "op" && token.value === value;
  }

  private isKeyword(value: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.type === "id" && token.value.toLowerCase() === value;
  }

  private scope(): DotScope {
    const top = this.scopes[this.scopes.length - 1];
    if (top) return top;
    const root: DotScope = { group: null, nodeShape: null, edgeStyle: null, cluster: null, members: [] };
    this.scopes.push(root);
    return root;
  }

  private push(name: string | null): void {
    const parent = this.scope();
    const isCluster = name !== null && /^cluster/i.test(name) && this.scopes.length < MAX_NESTING;
    const cluster = isCluster ? { name: name.replace(/^cluster[_-]?/i, "") || name, parent: parent.group } : null;
    this.scopes.push({
      group: cluster ?? parent.group,
      nodeShape: parent.nodeShape,
      edgeStyle: parent.edgeStyle,
      cluster,
      members: [],
    });
  }

  parse(): void {
    if (this.isKeyword("strict")) this.index++;
    if (this.isKeyword("digraph") || this.isKeyword("graph")) {
      this.directed = this.isKeyword("digraph");
      this.index++;
      if (this.peek()?.type === "id") this.index++;
      if (this.isOp("{")) this.index++;
    }
    this.scope();
    while (this.index < this.tokens.length) this.statement();
  }

  private statement(): void {
    const token = this.peek();
    if (!token) return;
    if (token.type === "op") {
      if (token.value === "}") {
        this.index++;
        const closed = this.scopes.length > 1 ? this.scopes.pop() : undefined;
        if (closed && (this.isOp("->") || this.isOp("--"))) this.edgeChain(closed.members);
      } else if (token.value === "{") {
        this.index++;
        this.push(null);
      } else {
        this.index++;
      }
      return;
    }
    const keyword = token.value.toLowerCase();
    if (keyword === "subgraph") {
      this.index++;
      let name: string | null = null;
      if (this.peek()?.type === "id") name = this.peek()?.value ?? null;
      if (name !== null) this.index++;
      if (this.isOp("{")) {
        this.index++;
        this.push(name);
      }
      return;
    }
    if ((keyword === "graph" || keyword === "node" || keyword === "edge") && this.isOp("[", 1)) {
      this.index++;
      const attributes = this.attributes();
      const scope = this.scope();
      if (keyword === "node" && attributes.has("shape")) scope.nodeShape = attributes.get("shape") ?? null;
      if (keyword === "edge" && attributes.has("style")) scope.edgeStyle = edgeStyleOf(attributes.get("style"));
      if (keyword === "graph" && scope.cluster && attributes.get("label")) {
        scope.cluster.name = cleanText(attributes.get("label") ?? "") || scope.cluster.name;
      }
      return;
    }
    if (this.isOp("=", 1)) {
      const value = this.peek(2);
      this.index += value?.type === "id" ? 3 : 2;
      const scope = this.scope();
      if (keyword === "label" && scope.cluster && value?.type === "id" && cleanText(value.value)) {
        scope.cluster.name = cleanText(value.value);
      }
      return;
    }
    const first = this.nodeId();
    if (first === null) return;
    if (this.isOp("->") || this.isOp("--")) {
      this.edgeChain([first]);
      return;
    }
    const attributes = this.attributes();
    const scope = this.scope();
    const shape = attributes.get("shape") ?? scope.nodeShape;
    const label = attributes.get("label");
    const id = this.builder.node(first, {
      name: label !== undefined && label !== "\\N" ? dotLabel(label, shape) : null,
      hint: shape,
      group: scope.group,
    });
    if (id !== null) scope.members.push(id);
  }

  /** A node id with its port ("a:p1:n") dropped. */
  private nodeId(): string | null {
    const token = this.peek();
    if (token?.type !== "id") {
      this.index++;
      return null;
    }
    this.index++;
    while (this.isOp(":") && this.peek(1)?.type === "id") this.index += 2;
    return token.value;
  }

  /** Nodes of an edge operand: one id, or every node named in "{ … }" / "subgraph x { … }". */
  private operand(): string[] {
    if (this.isKeyword("subgraph")) {
      this.index++;
      if (this.peek()?.type === "id") this.index++;
    }
    if (!this.isOp("{")) {
      const id = this.nodeId();
      return id === null ? [] : [id];
    }
    this.index++;
    const ids: string[] = [];
    let depth = 1;
    let inAttributes = false;
    while (this.index < this.tokens.length && depth > 0) {
      const token = this.peek();
      this.index++;
      if (!token) break;
      if (token.type === "op") {
        if (token.value === "{") depth++;
        else if (token.value === "}") depth--;
        else if (token.value === "[") inAttributes = true;
        else if (token.value === "]") inAttributes = false;
        continue;
      }
      const keyword = token.value.toLowerCase();
      if (inAttributes || this.isOp("=") || ["subgraph", "node", "edge", "graph"].includes(keyword)) continue;
      if (this.tokens[this.index - 2]?.value === "=") continue;
      ids.push(token.value);
    }
    return ids;
  }

  private edgeChain(firstOperand: string[]): void {
    const operands: string[][] = [firstOperand];
    while (this.isOp("->") || this.isOp("--")) {
      this.index++;
      operands.push(this.operand());
    }
    const attributes = this.attributes();
    const scope = this.scope();
    const style = attributes.has("style") ? edgeStyleOf(attributes.get("style")) : scope.edgeStyle;
    if (style === null && /invis/i.test(attributes.get("style") ?? "")) return;
    const dir = (attributes.get("dir") ?? (this.directed ? "forward" : "none")).toLowerCase();
    const direction: Direction =
      dir === "back" ? "back" : dir === "both" ? "both" : dir === "none" ? "none" : "forward";
    const label = attributes.get("label") ?? attributes.get("xlabel") ?? null;
    for (const ids of operands) {
      for (const id of ids) {
        const added = this.builder.node(id, { hint: scope.nodeShape, group: scope.group, weak: true });
        if (added !== null) scope.members.push(added);
      }
    }
    for (let index = 0; index + 1 < operands.length; index++) {
      for (const from of operands[index] ?? []) {
        for (const to of operands[index + 1] ?? []) {
          this.builder.edge(from, to, {
            label: label === null ? null : dotLabel(label, null),
            style: style ?? (direction === "none" ? "undirected" : "solid"),
            direction,
            group: scope.group,
          });
        }
      }
    }
  }

  /** One or more "[k=v, …]" lists, merged. */
  private attributes(): Map<string, string> {
    const attributes = new Map<string, string>();
    while (this.isOp("[")) {
      this.index++;
      while (this.index < this.tokens.length && !this.isOp("]")) {
        const key = this.peek();
        if (key?.type === "id" && this.isOp("=", 1) && this.peek(2)?.type === "id") {
          attributes.set(key.value.toLowerCase(), this.peek(2)?.value ?? "");
          this.index += 3;
        } else {
          if (this.isOp("{") || this.isOp("}")) return attributes;
          this.index++;
        }
      }
      this.index++;
    }
    return attributes;
  }
}

/** null for "invis", which hides an edge that only steers the layout. */
function edgeStyleOf(style: string | undefined): EdgeStyle | null {
  if (!style) return "solid";
  if (/invis/i.test(style)) return null;
  return /dashed|dotted/i.test(style) ? "dotted" : "solid";
}

// ---------------------------------------------------------------------------------------------------------------
// D2
// ---------------------------------------------------------------------------------------------------------------

const D2_RESERVED = wordSet(
  "shape label style icon near tooltip link width height top left direction constraint class " +
    "classes vars grid-rows grid-columns grid-gap vertical-gap horizontal-gap source-arrowhead " +
    "target-arrowhead layers scenarios steps filled opacity stroke fill stroke-dash stroke-width " +
    "font-size font-color font bold italic underline border-radius shadow multiple 3d animated " +
    "double-border text-transform label-position icon-position",
);

interface D2Scope {
  kind: "node" | "edge" | "style" | "ignore";
  /** Path of the node whose block this is ("node"/"style" on a node), relative keys are resolved against it. */
  path: string[];
  edges: DraftConnection[];
  /** SQL tables and UML classes list fields, not child shapes. */
  fields: boolean;
}

/** Splits a key on "." outside quotes and unquotes each segment. */
function d2Path(key: string): string[] {
  const segments: string[] = [];
  let current = "";
  let quote: string | null = null;
  for (const char of key) {
    if (quote) {
      if (char === quote) quote = null;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === ".") {
      segments.push(current.trim());
      current = "";
    } else {
      current += char;
    }
  }
  segments.push(current.trim());
  return segments.filter((segment) => segment.length > 0);
}

/** Splits "a -> b <- c" into endpoints and operators, outside quotes. */
function d2EdgeParts(key: string): { endpoints: string[]; operators: string[] } {
  const endpoints: string[] = [];
  const operators: string[] = [];
  let current = "";
  let quote: string | null = null;
  for (let index = 0; index < key.length; index++) {
    const char = key[index] ?? "";
    if (quote) {
      if (char === quote) quote = null;
      current += char;
      continue;
    }
    if (char === '"' || char === "'") {
      quote = char;
      current += char;
      continue;
    }
    const operator = ["<->", "-->", "->", "<-", "--"].find((candidate) => key.startsWith(candidate, index));
    if (operator) {
      endpoints.push(current.trim());
      operators.push(operator === "-->" ? "->" : operator);
      current = "";
      index += operator.length - 1;
      continue;
    }
    current += char;
  }
  endpoints.push(current.trim());
  return { endpoints, operators };
}

/** Index of the first ":" outside quotes, or -1. */
function d2Colon(text: string): number {
  let quote: string | null = null;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === ":") {
      return index;
    }
  }
  return -1;
}

class D2Parser {
  private readonly scopes: D2Scope[] = [{ kind: "node", path: [], edges: [], fields: false }];
  private readonly containers = new Set<string>();
  private readonly groups = new Map<string, GroupRef>();
  private readonly labels = new Map<string, string>();

  constructor(private readonly builder: DiagramBuilder) {}

  isContainer(id: string): boolean {
    return this.containers.has(id);
  }

  parse(text: string): void {
    let statement = "";
    /** Last non-blank character of the statement so far; rescanning the statement for it would be quadratic. */
    let lastNonBlank = "";
    let quote: string | null = null;
    const length = text.length;
    for (let index = 0; index < length; index++) {
      const char = text[index] ?? "";
      const previousNonBlank = lastNonBlank;
      if (char === "\n" || char === ";" || char === "{" || char === "}") lastNonBlank = "";
      else if (char !== " " && char !== "\t" && char !== "\r") lastNonBlank = char;
      if (quote) {
        statement += char;
        if (char === "\\") {
          statement += text[index + 1] ?? "";
          index++;
        } else if (char === quote) {
          quote = null;
        }
        continue;
      }
      if (char === '"' || char === "'") {
        quote = char;
        statement += char;
      } else if (char === "#" && /^\s?$/.test(statement[statement.length - 1] ?? "")) {
        const end = text.indexOf("\n", index);
        index = (end < 0 ? length : end) - 1;
      } else if (char === "|" && previousNonBlank === ":") {
        // Block string (|md … |): its pipes and braces are content, not syntax.
        let pipes = 1;
        while (text[index + pipes] === "|") pipes++;
        const close = text.indexOf("|".repeat(pipes), index + pipes);
        index = (close < 0 ? length : close + pipes) - 1;
        statement += '""';
      } else if (char === "\n" || char === ";") {
        this.statement(statement, false);
        statement = "";
      } else if (char === "{") {
        this.open(this.statement(statement, true));
        statement = "";
      } else if (char === "}") {
        this.statement(statement, false);
        statement = "";
        if (this.scopes.length > 1) this.scopes.pop();
      } else {
        statement += char;
      }
    }
    this.statement(statement, false);
  }

  private open(scope: D2Scope | null): void {
    const parent = this.scopes[this.scopes.length - 1];
    const depthExceeded = this.scopes.length >= MAX_NESTING;
    this.scopes.push(
      scope && !depthExceeded ? scope : { kind: "ignore", path: parent?.path ?? [], edges: [], fields: false },
    );
  }

  private groupFor(path: readonly string[]): GroupRef | null {
    if (path.length < 2) return null;
    let group: GroupRef | null = null;
    for (let depth = 1; depth < path.length && depth <= MAX_NESTING; depth++) {
      const id = path.slice(0, depth).join(".");
      this.containers.add(id);
      let next = this.groups.get(id);
      if (!next) {
        next = { name: this.labels.get(id) ?? path[depth - 1] ?? id, parent: group };
        this.groups.set(id, next);
      }
      group = next;
    }
    return group;
  }

  private setLabel(id: string, label: string): void {
    this.labels.set(id, label);
    const group = this.groups.get(id);
    if (group) group.name = label;
  }

  /** Handles one statement; when it opens a block, returns the scope for that block (null: ignore the block). */
  private statement(raw: string, opens: boolean): D2Scope | null {
    const text = raw.trim();
    const scope = this.scopes[this.scopes.length - 1];
    if (!text || !scope || scope.kind === "ignore") return null;
    const colon = d2Colon(text);
    const key = (colon < 0 ? text : text.slice(0, colon)).trim();
    const rawValue = colon < 0 ? "" : text.slice(colon + 1).trim();
    const value = cleanText(rawValue);
    if (!key) return null;
    if (scope.kind === "style" || scope.kind === "edge") {
      const path = d2Path(key).map((segment) => segment.toLowerCase());
      if (path[path.length - 1] === "stroke-dash" && Number.parseFloat(value) > 0) {
        for (const edge of scope.edges) edge.style = "dotted";
      }
      if (opens && path.length === 1 && path[0] === "style") return { ...scope, kind: "style" };
      return null;
    }
    // Globs, imports and edge references ("(a -> b)[0]") restyle what is already declared.
    if (key.startsWith("(") || key.startsWith("...") || key.startsWith("@") || key.includes("*")) return null;
    const { endpoints, operators } = d2EdgeParts(key);
    if (operators.length > 0) return this.edges(endpoints, operators, value, scope, opens);
    const segments = d2Path(key);
    const lowered = segments.map((segment) => segment.toLowerCase());
    const reservedAt = lowered.findIndex((segment) => D2_RESERVED.has(segment));
    if (reservedAt >= 0) {
      const owner = [...scope.path, ...segments.slice(0, reservedAt)];
      const ownerId = owner.join(".");
      const keyword = lowered[reservedAt];
      const last = reservedAt === segments.length - 1;
      if (owner.length > 0 && last && keyword === "shape" && value) {
        this.builder.node(ownerId, { hint: value, group: this.groupFor(owner) });
        if ((value === "sql_table" || value === "class") && reservedAt === 0) scope.fields = true;
      } else if (owner.length > 0 && last && keyword === "label" && value) {
        this.builder.node(ownerId, { name: value, group: this.groupFor(owner) });
        this.setLabel(ownerId, value);
      }
      return null;
    }
    if (scope.fields || value === "null") return null;
    const path = [...scope.path, ...segments];
    const id = this.builder.node(path.join("."), { name: value || null, group: this.groupFor(path) });
    if (id !== null && value) this.setLabel(id, value);
    return opens && id !== null ? { kind: "node", path, edges: [], fields: false } : null;
  }

  private edges(
    endpoints: readonly string[],
    operators: readonly string[],
    label: string,
    scope: D2Scope,
    opens: boolean,
  ): D2Scope | null {
    const ids: (string | null)[] = endpoints.map((endpoint) => {
      const segments = d2Path(endpoint);
      if (segments.length === 0 || segments.some((segment) => D2_RESERVED.has(segment.toLowerCase()))) return null;
      const path = [...scope.path, ...segments];
      return this.builder.node(path.join("."), { group: this.groupFor(path), weak: true });
    });
    const added: DraftConnection[] = [];
    operators.forEach((operator, index) => {
      const from = ids[index];
      const to = ids[index + 1];
      if (!from || !to) return;
      const direction: Direction =
        operator === "<->" ? "both" : operator === "<-" ? "back" : operator === "--" ? "none" : "forward";
      added.push(...this.builder.edge(from, to, { label: label || null, direction }));
    });
    return opens ? { kind: "edge", path: scope.path, edges: added, fields: false } : null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Labels (OCR output, free text)
// ---------------------------------------------------------------------------------------------------------------

/** Bounded repetitions: a long run of dashes or spaces in OCR noise must not make splitting quadratic. */
const LABEL_ARROW = /\s{0,8}(<-{1,8}>|<={1,8}>|↔|⇄|⟷|<-{1,8}|<={1,8}|←|⇐|⟵|-{1,8}>|={1,8}>|→|⇒|⟶|➔|➜|➡|⮕)\s{0,8}/u;
const LABEL_CELL_SEPARATOR = /\s{2,}|\t|\||[-=_*+]{3,}/;
const BOX_DRAWING = /[\u2500-\u259F]+/g;
const LABEL_CHARACTER = /[\p{L}\p{N}\s\-_./&()'’:,+#@]/u;

function cleanLabel(raw: string): string | null {
  let text = cleanText(raw)
    .replace(/^(?:[-*•·▪◦‣]|\d+[.)])\s+/u, "")
    .replace(/[:;,.]+$/, "")
    .trim();
  if (/^\[.*\]$|^\(.*\)$|^<.*>$/.test(text)) text = text.slice(1, -1).trim();
  if (!text || text.length > MAX_LABEL_CHARS) return null;
  if (text.split(/\s+/).length > MAX_LABEL_WORDS) return null;
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  if (letters < 2) return null;
  let labelLike = 0;
  for (const char of text) if (LABEL_CHARACTER.test(char)) labelLike++;
  // OCR noise and binary garbage are mostly symbols; real labels are mostly letters and spaces.
  return labelLike >= text.length * 0.8 ? text : null;
}

/** A component id from its name: lower-case letters and digits joined by "-" (empty for a name without any). */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80);
}

function parseLabels(lines: readonly string[], builder: DiagramBuilder): void {
  const add = (cell: string): string | null => {
    const name = cleanLabel(cell);
    if (!name) return null;
    const id = slug(name);
    return id ? builder.node(id, { name, weak: true }) : null;
  };
  const cells = (piece: string): string[] =>
    piece
      .split(LABEL_CELL_SEPARATOR)
      .map((cell) => cell.trim())
      .filter(Boolean);
  for (const rawLine of lines) {
    const line = rawLine.replace(BOX_DRAWING, "  ").trim();
    if (!line) continue;
    const parts = line.split(LABEL_ARROW);
    if (parts.length === 1) {
      for (const cell of cells(line)) add(cell);
      continue;
    }
    // parts alternate text, arrow, text, …; the cells touching an arrow are its ends, any others stand alone.
    const pieces: string[][] = [];
    for (let index = 0; index < parts.length; index += 2) pieces.push(cells(parts[index] ?? ""));
    pieces.forEach((piece, pieceIndex) => {
      piece.forEach((cell, cellIndex) => {
        const isLeftEnd = cellIndex === piece.length - 1 && pieceIndex < pieces.length - 1;
        const isRightEnd = cellIndex === 0 && pieceIndex > 0;
        if (!isLeftEnd && !isRightEnd) add(cell);
      });
    });
    for (let index = 0; index + 1 < pieces.length; index++) {
      const left = pieces[index];
      const right = pieces[index + 1];
      const arrow = parts[index * 2 + 1] ?? "";
      const from = left && left.length > 0 ? add(left[left.length - 1] ?? "") : null;
      const to = right?.[0] !== undefined ? add(right[0]) : null;
      if (from === null || to === null) continue;
      const both = /^<.*>$|[↔⇄⟷]|^<=+>$/u.test(arrow.trim());
      const back = !both && /^(<|←|⇐|⟵)/u.test(arrow.trim());
      builder.edge(from, to, { direction: both ? "both" : back ? "back" : "forward" });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing entry point
// ---------------------------------------------------------------------------------------------------------------

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
        new DotParser(tokenizeDot(body), builder).parse();
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

// ---------------------------------------------------------------------------------------------------------------
// Architecture pattern
// ---------------------------------------------------------------------------------------------------------------

class Topology {
  readonly byId = new Map<string, DiagramComponent>();
  private readonly outgoing = new Map<string, Set<string>>();
  private readonly incoming = new Map<string, Set<string>>();

  constructor(
    readonly components: readonly DiagramComponent[],
    readonly connections: readonly DiagramConnection[],
  ) {
    for (const component of components) this.byId.set(component.id, component);
    for (const connection of connections) {
      if (connection.from === connection.to) continue;
      if (!this.byId.has(connection.from) || !this.byId.has(connection.to)) continue;
      this.link(this.outgoing, connection.from, connection.to);
      this.link(this.incoming, connection.to, connection.from);
    }
  }

  private link(map: Map<string, Set<string>>, key: string, value: string): void {
    let set = map.get(key);
    if (!set) {
      set = new Set();
      map.set(key, set);
    }
    set.add(value);
  }

  successors(id: string): ReadonlySet<string> {
    return this.outgoing.get(id) ?? new Set();
  }

  predecessors(id: string): ReadonlySet<string> {
    return this.incoming.get(id) ?? new Set();
  }

  neighbors(id: string): string[] {
    return [...new Set([...this.successors(id), ...this.predecessors(id)])];
  }

  kind(id: string): ComponentKind | undefined {
    return this.byId.get(id)?.kind;
  }

  names(ids: Iterable<string>): string[] {
    return [...ids].map((id) => this.byId.get(id)?.name ?? id);
  }

  ofKind(...kinds: ComponentKind[]): DiagramComponent[] {
    return this.components.filter((component) => kinds.includes(component.kind));
  }
}

interface PatternScore {
  pattern: ArchitecturePattern;
  points: number;
  evidence: string[];
}

/** Breaks ties: the more specific pattern first. */
const PATTERN_PRIORITY: readonly ArchitecturePattern[] = [
  "microservices",
  "event-driven",
  "layered",
  "hexagonal",
  "mvc",
  "serverless",
  "pipeline",
  "client-server",
  "monolith",
];

function eventDriven(topology: Topology): PatternScore | null {
  let points = 0;
  const evidence: string[] = [];
  for (const queue of topology.ofKind("queue")) {
    const producers = [...topology.predecessors(queue.id)];
    const consumers = [...topology.successors(queue.id)];
    if (producers.length + consumers.length < 2) continue;
    const description =
      `${queue.name} is a queue with ${plural(producers.length, "producer")}` +
      `${producers.length ? ` (${listNames(topology.names(producers))})` : ""}` +
      ` and ${plural(consumers.length, "consumer")}` +
      `${consumers.length ? ` (${listNames(topology.names(consumers))})` : ""}`;
    if (producers.length >= 2 || consumers.length >= 2) {
      points += 3 + Math.min(producers.length + consumers.length - 2, 3);
    } else {
      points += 1;
    }
    evidence.push(description);
  }
  const asynchronous = topology.connections.filter((connection) => connection.kind === "async").length;
  if (asynchronous >= 3) {
    points += 1;
    evidence.push(`${asynchronous} of ${topology.connections.length} connections are asynchronous`);
  }
  return points > 0 ? { pattern: "event-driven", points, evidence } : null;
}

function microservices(topology: Topology): PatternScore | null {
  let points = 0;
  const evidence: string[] = [];
  const services = topology.ofKind("service");
  const owners = new Map<string, string[]>();
  for (const service of services) {
    for (const neighbor of topology.neighbors(service.id)) {
      if (topology.kind(neighbor) !== "database") continue;
      owners.set(neighbor, [...(owners.get(neighbor) ?? []), service.id]);
    }
  }
  const owning: string[] = [];
  for (const service of services) {
    const own = topology
      .neighbors(service.id)
      .filter((neighbor) => topology.kind(neighbor) === "database" && owners.get(neighbor)?.length === 1);
    if (own.length > 0) owning.push(`${service.name} → ${listNames(topology.names(own))}`);
  }
  if (owning.length >= 3) {
    points += 3 + Math.min(owning.length - 3, 2);
    evidence.push(`${owning.length} services each own a database (${listNames(owning)})`);
  }
  for (const gateway of topology.ofKind("gateway")) {
    const targets = [...topology.successors(gateway.id)].filter((id) => {
      const kind = topology.kind(id);
      return kind === "service" || kind === "function";
    });
    if (targets.length >= 3) {
      points += 3 + Math.min(targets.length - 3, 2);
      evidence.push(`${gateway.name} fans out to ${targets.length} services (${listNames(topology.names(targets))})`);
    }
  }
  const gateways = topology.ofKind("gateway");
  if (points === 0 && topology.connections.length === 0 && gateways.length > 0 && services.length >= 3) {
    // Labels read from an image have no arrows; a gateway in front of several services is still a strong hint.
    points += 2;
    evidence.push(
      `${listNames(gateways.map((gateway) => gateway.name))} in front of ${services.length} services ` +
        `(${listNames(services.map((service) => service.name))}), but no connections to confirm it`,
    );
  } else if (points === 0 && services.length >= 4) {
    points += 1;
    evidence.push(`${services.length} separate services (${listNames(services.map((service) => service.name))})`);
  }
  for (const [database, users] of owners) {
    if (users.length < 2 || points === 0) continue;
    points -= 1;
    evidence.push(
      `but ${topology.byId.get(database)?.name ?? database} is shared by ${listNames(topology.names(users))}`,
    );
  }
  return points > 0 ? { pattern: "microservices", points, evidence } : null;
}

function roleMatches(topology: Topology, role: ReadonlySet<string>): string[] {
  const matches = topology.components
    .filter((component) => words(component.name).some((word) => role.has(word)))
    .map((component) => component.name);
  const groups = new Set(
    topology.components
      .map((component) => component.group)
      .filter((group): group is string => group !== null && words(group).some((word) => role.has(word))),
  );
  return [...matches, ...[...groups].map((group) => `group ${group}`)];
}

const MVC_ROLES: readonly (readonly [string, ReadonlySet<string>])[] = [
  ["controllers", new Set(["controller", "controllers"])],
  ["models", new Set(["model", "models"])],
  ["views", new Set(["view", "views", "template", "templates"])],
];

function mvc(topology: Topology): PatternScore | null {
  const found = MVC_ROLES.map(([role, vocabulary]) => [role, roleMatches(topology, vocabulary)] as const).filter(
    ([, matches]) => matches.length > 0,
  );
  if (!found.some(([role]) => role === "controllers") || found.length < 2) return null;
  const total = found.reduce((sum, [, matches]) => sum + matches.length, 0);
  const points = (found.length === 3 ? 4 : 2) + Math.min(total - found.length, 2);
  return {
    pattern: "mvc",
    points,
    evidence: found.map(([role, matches]) => `${role}: ${listNames(matches)}`),
  };
}

const LAYER_WORDS = new Set(["layer", "layers", "tier", "tiers"]);
const LAYER_RANKS: readonly (readonly [rank: number, strong: readonly string[], weak: readonly string[]])[] = [
  [0, ["presentation"], ["ui", "frontend", "web", "client", "view", "views", "interface"]],
  [1, ["business", "bll"], ["application", "app", "service", "services", "logic", "api"]],
  [2, [], ["domain", "core", "model"]],
  [3, ["persistence", "dal"], ["data", "repository", "repositories", "infrastructure", "storage", "database", "db"]],
];

/** The layer rank a group or component name stands for, when it names a layer. */
function layerRank(name: string): number | null {
  const tokens = words(name);
  const named = tokens.some((token) => LAYER_WORDS.has(token));
  if (adjacent(tokens, "data", "access")) return 3;
  for (const [rank, strong, weak] of LAYER_RANKS) {
    if (tokens.some((token) => strong.includes(token))) return rank;
    if (named && tokens.some((token) => weak.includes(token))) return rank;
  }
  return null;
}

function layered(topology: Topology): PatternScore | null {
  const layerOf = new Map<string, number>();
  const layerNames = new Map<number, string>();
  let namedLayers = false;
  for (const component of topology.components) {
    const fromGroup = component.group === null ? null : layerRank(component.group);
    const source = fromGroup !== null ? component.group : component.name;
    const rank = fromGroup ?? layerRank(component.name);
    if (rank === null || source === null) continue;
    layerOf.set(component.id, rank);
    if (!layerNames.has(rank)) layerNames.set(rank, source);
    if (words(source).some((token) => LAYER_WORDS.has(token))) namedLayers = true;
  }
  if (layerNames.size < 2) return null;
  let down = 0;
  let up = 0;
  for (const connection of topology.connections) {
    const from = layerOf.get(connection.from);
    const to = layerOf.get(connection.to);
    if (from === undefined || to === undefined || from === to) continue;
    if (from < to) down++;
    else up++;
  }
  if (!(down > up || layerNames.size >= 3)) return null;
  const ordered = [...layerNames.entries()].sort(([a], [b]) => a - b).map(([, name]) => name);
  const evidence = [`${layerNames.size} layers: ${ordered.join(" → ")}`];
  if (down + up > 0) {
    evidence.push(`${down} of ${down + up} cross-layer connections point downward`);
  }
  const points = layerNames.size + (down > 0 && up === 0 ? 2 : down > up ? 1 : 0) + (namedLayers ? 1 : 0);
  return { pattern: "layered", points, evidence };
}

const HEXAGONAL_ROLES: readonly (readonly [string, ReadonlySet<string>])[] = [
  ["adapters", new Set(["adapter", "adapters", "inbound", "outbound", "driving", "driven"])],
  ["ports", new Set(["port", "ports"])],
  ["core", new Set(["hexagon", "core"])],
];

function hexagonal(topology: Topology): PatternScore | null {
  const found = HEXAGONAL_ROLES.map(([role, vocabulary]) => [role, roleMatches(topology, vocabulary)] as const).filter(
    ([, matches]) => matches.length > 0,
  );
  if (!found.some(([role]) => role === "adapters") || found.length < 2) return null;
  const total = found.reduce((sum, [, matches]) => sum + matches.length, 0);
  return {
    pattern: "hexagonal",
    points: 2 + Math.min(total - 2, 4),
    evidence: found.map(([role, matches]) => `${role}: ${listNames(matches)}`),
  };
}

const STAGE_WORDS = wordSet(
  "ingest ingestion extract transform transformer load loader etl parse parser enrich validate " +
    "validation clean normalize aggregate sink source stage step collect collector filter export " +
    "index train build deploy",
);

/** The longest run of components where each has at most one predecessor and one successor. */
function longestChain(topology: Topology): string[] {
  const linear = (id: string) => topology.predecessors(id).size <= 1 && topology.successors(id).size <= 1;
  const visited = new Set<string>();
  let best: string[] = [];
  for (const component of topology.components) {
    const id = component.id;
    if (visited.has(id) || !linear(id)) continue;
    const [predecessor] = topology.predecessors(id);
    // Not the start of a chain: the walk from its predecessor's chain reaches it (a pure cycle has no start).
    if (predecessor !== undefined && linear(predecessor)) continue;
    const chain = [id];
    visited.add(id);
    let [next] = topology.successors(id);
    while (next !== undefined && !visited.has(next) && linear(next)) {
      chain.push(next);
      visited.add(next);
      [next] = topology.successors(next);
    }
    if (chain.length > best.length) best = chain;
  }
  return best;
}

function pipeline(topology: Topology): PatternScore | null {
  const chain = longestChain(topology);
  if (chain.length < 3) return null;
  const names = topology.names(chain);
  const stages = names.filter((name) => words(name).some((word) => STAGE_WORDS.has(word))).length;
  const points =
    Math.min(chain.length - 1, 5) + (chain.length >= topology.components.length * 0.8 ? 1 : 0) + (stages >= 2 ? 1 : 0);
  const evidence = [`linear chain of ${chain.length} stages: ${names.join(" → ")}`];
  if (stages >= 2) evidence.push(`${stages} stages are named like processing steps`);
  return { pattern: "pipeline", points, evidence };
}

function serverless(topology: Topology): PatternScore | null {
  const functions = topology.ofKind("function");
  const services = topology.ofKind("service");
  const managed = topology.ofKind("storage", "queue", "cache", "database");
  if (functions.length < 2 || functions.length <= services.length || managed.length === 0) return null;
  const gateways = topology.ofKind("gateway");
  const points = 2 + Math.min(functions.length - 2, 2) + (managed.length >= 2 ? 1 : 0) + (gateways.length > 0 ? 1 : 0);
  return {
    pattern: "serverless",
    points,
    evidence: [
      `${functions.length} functions (${listNames(functions.map((item) => item.name))}) and ` +
        `${services.length === 0 ? "no" : `only ${services.length}`} long-running services`,
      `managed services: ${listNames(managed.map((item) => item.name))}`,
    ],
  };
}

const SERVER_KINDS: ReadonlySet<ComponentKind> = new Set(["service", "component", "function"]);

/** The only server-side component, when there is exactly one. */
function soleServer(topology: Topology): DiagramComponent | null {
  const servers = topology.components.filter((component) => SERVER_KINDS.has(component.kind));
  return servers.length === 1 ? (servers[0] ?? null) : null;
}

function clientServer(topology: Topology): PatternScore | null {
  const server = soleServer(topology);
  const clients = topology.ofKind("client");
  if (!server || clients.length === 0) return null;
  const neighbors = topology.neighbors(server.id);
  const reached = clients.filter((client) =>
    topology
      .neighbors(client.id)
      .some(
        (id) => id === server.id || (topology.kind(id) === "gateway" && topology.neighbors(id).includes(server.id)),
      ),
  );
  if (reached.length === 0) return null;
  const others = neighbors.filter((id) => topology.kind(id) !== "client" && topology.kind(id) !== "gateway");
  if (others.length >= 3) return null;
  const stores = others.filter((id) => DATA_STORE_KINDS.has(topology.kind(id) ?? "component"));
  const clientNames = listNames(reached.map((client) => client.name));
  if (stores.length === 0) {
    return { pattern: "client-server", points: 2, evidence: [`${clientNames} → ${server.name}`] };
  }
  return {
    pattern: "client-server",
    points: 4 + (stores.length === 1 && others.length === 1 ? 1 : 0),
    evidence: [`${clientNames} → ${server.name} → ${listNames(topology.names(stores))}`],
  };
}

function monolith(topology: Topology): PatternScore | null {
  let points = 0;
  const evidence: string[] = [];
  const server = soleServer(topology);
  if (server) {
    const others = topology.neighbors(server.id).filter((id) => topology.kind(id) !== "client");
    if (others.length >= 3) {
      points += 3 + Math.min(others.length - 3, 2);
      evidence.push(
        `${server.name} is the only service and connects to ${plural(others.length, "component")} ` +
          `(${listNames(topology.names(others))})`,
      );
    }
  }
  const named = roleMatches(topology, new Set(["monolith", "monolithic"]));
  if (named.length > 0) {
    points += 2;
    evidence.push(`named as a monolith: ${listNames(named)}`);
  }
  return points > 0 ? { pattern: "monolith", points, evidence } : null;
}

const PATTERN_RULES: readonly ((topology: Topology) => PatternScore | null)[] = [
  microservices,
  eventDriven,
  layered,
  hexagonal,
  mvc,
  serverless,
  pipeline,
  clientServer,
  monolith,
];

function confidenceFor(points: number): PatternGuess["confidence"] {
  return points >= 5 ? "high" : points >= 3 ? "medium" : "low";
}

/**
 * The architecture pattern a diagram most likely shows. Each rule scores what it finds and explains it with the
 * components involved; the highest score wins (ties go to the more specific pattern), and the runners-up are named in
 * the evidence. Confidence grows with the evidence and drops a step when another pattern scores as high.
 */
export function guessArchitecturePattern(
  components: DiagramComponent[],
  connections: DiagramConnection[],
): PatternGuess {
  const topology = new Topology(
    Array.isArray(components) ? components.slice(0, MAX_COMPONENTS) : [],
    Array.isArray(connections) ? connections.slice(0, MAX_CONNECTIONS) : [],
  );
  if (topology.components.length === 0) {
    return { pattern: "unknown", confidence: "low", evidence: ["no components found"] };
  }
  const scores = PATTERN_RULES.map((rule) => rule(topology))
    .filter((score): score is PatternScore => score !== null && score.points > 0)
    .sort((a, b) => b.points - a.points || PATTERN_PRIORITY.indexOf(a.pattern) - PATTERN_PRIORITY.indexOf(b.pattern));
  const [winner, ...others] = scores;
  if (!winner) {
    return {
      pattern: "unknown",
      confidence: "low",
      evidence: [
        `no pattern rule matched ${plural(topology.components.length, "component")} and ` +
          `${plural(topology.connections.length, "connection")}`,
      ],
    };
  }
  let confidence = confidenceFor(winner.points);
  const runnerUp = others[0];
  if (runnerUp && runnerUp.points >= winner.points) confidence = confidence === "high" ? "medium" : "low";
  const evidence = [...winner.evidence];
  for (const other of others) {
    if (other.points >= 2) evidence.push(`also consistent with ${other.pattern}: ${other.evidence[0] ?? ""}`);
  }
  return { pattern: winner.pattern, confidence, evidence };
}

// ---------------------------------------------------------------------------------------------------------------
// Analysis
// ---------------------------------------------------------------------------------------------------------------

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
