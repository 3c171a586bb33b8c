/**
 * Graphviz DOT: nodes with labels and shapes, cluster subgraphs (as groups), edge chains and their attributes.
 *
 * The source is parsed by @ts-graphviz/ast (a PEG grammar of the DOT language, plain JavaScript, so it runs in a
 * Worker), and this file maps its syntax tree onto DotGraph, which knows what each statement means for the diagram.
 */

import {
  parse,
  type AttributeASTNode,
  type ClusterStatementASTNode,
  type CommentASTNode,
  type EdgeTargetASTNode,
  type GraphASTNode,
  type LiteralASTNode,
} from "@ts-graphviz/ast";
import type { DiagramBuilder } from "./builder";
import { DotGraph, type DotAttributes } from "./dot-graph";
import { readDotLeniently } from "./dot-lenient";

/**
 * Reads a DOT source (leading comments and fences already removed) into the builder.
 *
 * Sources the grammar rejects go to the lenient reader instead. The grammar is strict where we promise to be
 * forgiving: one syntax error (a truncated paste, a stray character) rejects the whole graph, where a reader of
 * diagrams should still take everything around the damage. It also lacks valid DOT that real diagrams use: a subgraph
 * as an edge operand (`api -- { orders cache [label="Redis"] }`, covered by the unit tests; the grammar only takes
 * `{ a b }` there), `"a" + "b"` concatenation, several attribute lists on one statement, quoted strings over several
 * lines, a body without the `digraph { … }` around it (pasted into a ```dot fence), and more than one graph per file.
 */
export function parseDot(body: string, builder: DiagramBuilder): void {
  const graph = parseGraph(body);
  if (!graph) {
    readDotLeniently(body, builder);
    return;
  }
  const dot = new DotGraph(builder);
  dot.directed = graph.directed;
  readStatements(graph.children, dot);
}

function parseGraph(body: string): GraphASTNode | null {
  try {
    // The grammar's default caps (100,000 AST nodes, edge chains of 1,000) bound its memory and stack; a graph past
    // them is far beyond the 500 components kept, and the lenient reader takes its first part.
    const graph = parse(body).children.find((child): child is GraphASTNode => child.type === "Graph");
    return graph && !misreadsSubgraphOperand(graph.children) ? graph : null;
  } catch {
    return null;
  }
}

/**
 * True when the grammar accepted `a -> subgraph x { … }` by reading `subgraph` as a node id (and the block as a
 * separate statement): the lenient reader gets that edge right.
 */
function misreadsSubgraphOperand(statements: readonly ClusterStatementASTNode[]): boolean {
  return statements.some((statement) => {
    if (statement.type === "Subgraph") return misreadsSubgraphOperand(statement.children);
    if (statement.type !== "Edge") return false;
    return statement.targets.some((target) =>
      (target.type === "NodeRef" ? [target] : target.children).some(
        (ref) => ref.id.quoted === false && ref.id.value.toLowerCase() === "subgraph",
      ),
    );
  });
}

function readStatements(statements: readonly ClusterStatementASTNode[], dot: DotGraph): void {
  for (const statement of statements) {
    switch (statement.type) {
      case "Attribute":
        dot.attribute(statement.key.value.toLowerCase(), text(statement.value));
        break;
      case "AttributeList":
        dot.defaults(statement.kind.toLowerCase(), attributes(statement.children));
        break;
      case "Node":
        dot.node(text(statement.id), attributes(statement.children));
        break;
      case "Edge":
        dot.edges(statement.targets.map(operand), attributes(statement.children));
        break;
      case "Subgraph":
        dot.open(statement.id ? text(statement.id) : null);
        readStatements(statement.children, dot);
        dot.close();
        break;
      case "Comment":
        break;
    }
  }
}

/** The node ids an edge operand names; a port ("a:p1:n") is where the edge attaches, not part of the node. */
function operand(target: EdgeTargetASTNode): string[] {
  return target.type === "NodeRef" ? [text(target.id)] : target.children.map((ref) => text(ref.id));
}

function attributes(children: readonly (AttributeASTNode | CommentASTNode)[]): DotAttributes {
  const map = new Map<string, string>();
  for (const child of children) {
    if (child.type === "Attribute") map.set(child.key.value.toLowerCase(), text(child.value));
  }
  return map;
}

/**
 * A literal's text. The grammar unescapes `\"` but keeps a backslash before a newline, which DOT drops: it continues
 * the string on the next line.
 */
function text(literal: LiteralASTNode): string {
  return literal.quoted === true ? literal.value.replace(/\\\n/g, "") : literal.value;
}
