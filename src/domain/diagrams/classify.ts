/**
 * What a component is (client, gateway, database, …) from its name and shape, and what a connection carries (sync,
 * async, data, dependency) from its label, how it is drawn and what it joins.
 */

import { MAX_NAME_CHARS, type ComponentKind, type DiagramConnection } from "./model";
import { adjacent, words, wordList, wordSet } from "./text";

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

export function kindFromName(text: string): ComponentKind | null {
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
export type EdgeStyle = "solid" | "dotted" | "dependency" | "undirected";

export const DATA_STORE_KINDS: ReadonlySet<ComponentKind> = new Set(["database", "cache", "storage"]);

export function connectionKind(
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
