/**
 * The architecture pattern a diagram shows (microservices, event-driven, layered, …), guessed by deterministic rules
 * whose evidence names the components that triggered them, so a caller can check the guess instead of trusting it.
 */

import { plural } from "../core/plural";
import { DATA_STORE_KINDS } from "./classify";
import {
  MAX_COMPONENTS,
  MAX_CONNECTIONS,
  type ArchitecturePattern,
  type ComponentKind,
  type DiagramComponent,
  type DiagramConnection,
  type PatternGuess,
} from "./model";
import { adjacent, listNames, wordSet, words } from "./text";
import { Topology } from "./topology";

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
