/**
 * Import statements of a Python module without a Python parser: a small tokenizer that knows strings (all
 * prefixes, triple quotes), comments, brackets and line continuations, so imports inside strings or comments
 * never count, while imports in `try`/`if`/function bodies and parenthesised multi-line lists do.
 */

export interface PythonImport {
  /** Dotted module as written, without leading dots: "a.b" for `import a.b` or `from a.b import c`. */
  module: string;
  /** Leading dots of a relative import (0 = absolute). */
  level: number;
  /** For `from m import x, y`: the imported names ("*" for a star import); empty for `import m`. */
  names: string[];
  line: number;
  /** Inside an `if TYPE_CHECKING:` block: read by type checkers only, never executed. Absent when false. */
  typeOnly?: true;
}

/** `column`: characters from the start of the physical line, which is the indentation for a line's first token. */
type Token = { kind: "name" | "op" | "newline"; text: string; line: number; column: number };

/** Logical-line tokens: strings and comments dropped, newlines only outside brackets and continuations. */
function tokenize(source: string): Token[] | { error: string } {
  const tokens: Token[] = [];
  let depth = 0;
  let line = 1;
  let index = 0;
  let lineStart = 0;
  const length = source.length;
  while (index < length) {
    const char = source[index] as string;
    if (char === "\n") {
      if (depth === 0) tokens.push({ kind: "newline", text: "\n", line, column: index - lineStart });
      line += 1;
      index += 1;
      lineStart = index;
      continue;
    }
    if (char === "#") {
      while (index < length && source[index] !== "\n") index += 1;
      continue;
    }
    if (char === "\\" && source[index + 1] === "\n") {
      line += 1;
      index += 2;
      continue;
    }
    if (char === "\\" && source[index + 1] === "\r" && source[index + 2] === "\n") {
      line += 1;
      index += 3;
      continue;
    }
    // String literal, with an optional prefix (r, b, u, f, rb, br, fr, rf…).
    const prefix = /^[rRbBuUfF]{0,2}(?=['"])/.exec(source.slice(index, index + 3));
    if (prefix && (prefix[0].length > 0 || char === "'" || char === '"')) {
      const start = index + prefix[0].length;
      const quote = source[start] as string;
      const triple = source.slice(start, start + 3) === quote.repeat(3);
      const raw = /r/i.test(prefix[0]);
      let position = start + (triple ? 3 : 1);
      let closed = false;
      while (position < length) {
        const current = source[position];
        if (current === "\\" && !raw) {
          if (source[position + 1] === "\n") line += 1;
          position += 2;
          continue;
        }
        if (current === "\\" && raw) {
          position += 2;
          continue;
        }
        if (current === "\n") {
          if (!triple) break;
          line += 1;
        }
        if (triple ? source.slice(position, position + 3) === quote.repeat(3) : current === quote) {
          position += triple ? 3 : 1;
          closed = true;
          break;
        }
        position += 1;
      }
      if (!closed && triple) return { error: `unterminated triple-quoted string starting on line ${line}` };
      index = position;
      continue;
    }
    if (/[A-Za-z_\u00c0-\uffff]/.test(char)) {
      let end = index + 1;
      while (end < length && /[\w\u00c0-\uffff]/.test(source[end] as string)) end += 1;
      tokens.push({ kind: "name", text: source.slice(index, end), line, column: index - lineStart });
      index = end;
      continue;
    }
    if ("([{".includes(char)) depth += 1;
    if (")]}".includes(char)) depth = Math.max(0, depth - 1);
    if (!/\s/.test(char)) tokens.push({ kind: "op", text: char, line, column: index - lineStart });
    index += 1;
  }
  tokens.push({ kind: "newline", text: "\n", line, column: 0 });
  return tokens;
}

export function extractPythonImports(
  source: string,
): { ok: true; imports: PythonImport[] } | { ok: false; reason: string } {
  const tokens = tokenize(source);
  if (!Array.isArray(tokens)) return { ok: false, reason: tokens.error };
  const imports: PythonImport[] = [];
  // Statements start after a newline, a `;` or a `:` (the body of `try:`, `if x: import y`, `def f(): …`).
  let statementStart = true;
  let lineStart = true;
  // Indentation of the `if TYPE_CHECKING:` whose block we are in: lines indented deeper belong to it.
  let typeCheckingIndent: number | null = null;
  const typeOnly = () => (typeCheckingIndent === null ? {} : { typeOnly: true as const });
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] as Token;
    if (token.kind === "newline") {
      statementStart = true;
      lineStart = true;
      continue;
    }
    if (lineStart) {
      lineStart = false;
      // A line back at the `if`'s indentation (its `else:`, or the next statement) ends the block.
      if (typeCheckingIndent !== null && token.column <= typeCheckingIndent) typeCheckingIndent = null;
      if (token.text === "if" && typeCheckingIndent === null && isTypeCheckingTest(tokens, index + 1)) {
        typeCheckingIndent = token.column;
      }
    }
    if (token.kind === "op" && (token.text === ";" || token.text === ":")) {
      statementStart = true;
      continue;
    }
    if (!statementStart) continue;
    statementStart = false;
    if (token.kind !== "name") continue;
    if (token.text === "import") {
      // import a.b as c, d
      let position = index + 1;
      for (;;) {
        const dotted = readDotted(tokens, position);
        if (!dotted.name) break;
        imports.push({ module: dotted.name, level: 0, names: [], line: token.line, ...typeOnly() });
        position = dotted.next;
        if (tokens[position]?.text === "as") position += 2;
        if (tokens[position]?.text !== ",") break;
        position += 1;
      }
      index = position - 1;
    } else if (token.text === "from") {
      let position = index + 1;
      let level = 0;
      while (tokens[position]?.text === ".") {
        level += 1;
        position += 1;
      }
      const dotted = readDotted(tokens, position);
      position = dotted.next;
      if (tokens[position]?.text !== "import") continue;
      position += 1;
      const names: string[] = [];
      if (tokens[position]?.text === "(") position += 1;
      while (position < tokens.length) {
        const current = tokens[position] as Token;
        if (current.kind === "newline" || current.text === ")" || current.text === ";") break;
        if (current.text === "*") names.push("*");
        else if (current.kind === "name" && current.text !== "as" && tokens[position - 1]?.text !== "as") {
          names.push(current.text);
        }
        position += 1;
      }
      imports.push({ module: dotted.name, level, names, line: token.line, ...typeOnly() });
      index = position - 1;
    }
  }
  return { ok: true, imports };
}

/** `TYPE_CHECKING:` or `<module>.TYPE_CHECKING:` (typing, typing_extensions, an alias) after an `if`. */
function isTypeCheckingTest(tokens: Token[], start: number): boolean {
  const dotted = readDotted(tokens, start);
  return (
    (dotted.name === "TYPE_CHECKING" || dotted.name.endsWith(".TYPE_CHECKING")) && tokens[dotted.next]?.text === ":"
  );
}

function readDotted(tokens: Token[], start: number): { name: string; next: number } {
  const parts: string[] = [];
  let position = start;
  while (tokens[position]?.kind === "name" && tokens[position]?.text !== "import") {
    parts.push((tokens[position] as Token).text);
    position += 1;
    if (tokens[position]?.text !== ".") break;
    position += 1;
  }
  return { name: parts.join("."), next: position };
}
