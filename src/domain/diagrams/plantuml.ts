/**
 * PlantUML component, deployment, use-case and sequence diagrams, and C4-PlantUML macros.
 *
 * Hand-written because no maintained PlantUML parser runs in a Worker: PlantUML is a Java program (`plantuml`,
 * `node-plantuml` shell out to it), and `plantuml-parser` is a Node command-line package (fast-glob, yargs,
 * require-dir) whose grammar its authors call not feature-complete (checked with `npm view`, December 2026).
 * PlantUML has no formal grammar either, so a line-by-line reader that skips what it does not know fits it best.
 */

import { GroupStack, type DiagramBuilder, type Direction } from "./builder";
import { parseC4Line } from "./c4";
import type { EdgeStyle } from "./classify";
import { cleanText } from "./text";

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

export class PlantUmlParser {
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
