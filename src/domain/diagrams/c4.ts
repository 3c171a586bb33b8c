/** C4 macros: Mermaid's C4Context / C4Container … diagrams and the C4-PlantUML library use the same ones. */

import { GroupStack, type DiagramBuilder, type Direction } from "./builder";
import { cleanText } from "./text";

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
export function parseC4Line(line: string, builder: DiagramBuilder, groups: GroupStack): boolean {
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

export function parseC4Block(lines: readonly string[], start: number, builder: DiagramBuilder): void {
  const groups = new GroupStack();
  for (let index = start; index < lines.length; index++) {
    const line = (lines[index] ?? "").trim();
    if (!line || line.startsWith("%%")) continue;
    if (line.startsWith("}")) groups.pop();
    else parseC4Line(line, builder, groups);
  }
}
