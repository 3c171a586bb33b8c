/**
 * What kind of file a path names, read from the path alone: its language (by extension or well-known file name),
 * the naming style of its stem, and whether it is a test. Used by the change statistics of coding_analyze_patterns.
 */
export type NamingConvention = "snake_case" | "kebab-case" | "camelCase" | "PascalCase" | "lowercase" | "other";

export const OTHER_LANGUAGE = "Other";

const LANGUAGE_BY_EXTENSION: Readonly<Record<string, string>> = {
  py: "Python",
  pyi: "Python",
  ipynb: "Jupyter Notebook",
  ts: "TypeScript",
  tsx: "TypeScript",
  mts: "TypeScript",
  cts: "TypeScript",
  js: "JavaScript",
  jsx: "JavaScript",
  mjs: "JavaScript",
  cjs: "JavaScript",
  go: "Go",
  rs: "Rust",
  java: "Java",
  kt: "Kotlin",
  kts: "Kotlin",
  scala: "Scala",
  groovy: "Groovy",
  rb: "Ruby",
  php: "PHP",
  cs: "C#",
  fs: "F#",
  cpp: "C++",
  cc: "C++",
  cxx: "C++",
  hpp: "C++",
  hh: "C++",
  c: "C",
  h: "C",
  m: "Objective-C",
  mm: "Objective-C",
  swift: "Swift",
  dart: "Dart",
  ex: "Elixir",
  exs: "Elixir",
  erl: "Erlang",
  clj: "Clojure",
  hs: "Haskell",
  ml: "OCaml",
  lua: "Lua",
  r: "R",
  jl: "Julia",
  zig: "Zig",
  pl: "Perl",
  sql: "SQL",
  md: "Markdown",
  mdx: "Markdown",
  json: "JSON",
  jsonc: "JSON",
  yaml: "YAML",
  yml: "YAML",
  toml: "TOML",
  xml: "XML",
  sh: "Shell",
  bash: "Shell",
  zsh: "Shell",
  ps1: "PowerShell",
  css: "CSS",
  scss: "SCSS",
  sass: "Sass",
  less: "Less",
  html: "HTML",
  htm: "HTML",
  vue: "Vue",
  svelte: "Svelte",
  astro: "Astro",
  tf: "Terraform",
  proto: "Protocol Buffers",
  graphql: "GraphQL",
  gql: "GraphQL",
  prisma: "Prisma",
};

/** Files identified by their whole name rather than an extension. */
const LANGUAGE_BY_FILE_NAME: Readonly<Record<string, string>> = {
  dockerfile: "Dockerfile",
  makefile: "Makefile",
  gemfile: "Ruby",
  rakefile: "Ruby",
};

/** A path as recorded by different clients (backslashes, ./ and / prefixes) in one form. */
export function normalizePath(filePath: string): string {
  return filePath
    .trim()
    .replace(/\\/g, "/")
    .replace(/^(?:\.\/)+/, "")
    .replace(/^\/+/, "");
}

function baseName(filePath: string): string {
  const segments = filePath.split("/");
  return segments[segments.length - 1] ?? filePath;
}

export function languageForPath(filePath: string): string {
  const name = baseName(normalizePath(filePath));
  const byName = LANGUAGE_BY_FILE_NAME[name.toLowerCase()];
  if (byName) return byName;
  if (/^dockerfile\./i.test(name) || /\.dockerfile$/i.test(name)) return "Dockerfile";
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return OTHER_LANGUAGE;
  return LANGUAGE_BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? OTHER_LANGUAGE;
}

/**
 * The part of a file name that carries the naming style: up to the first dot,
 * so `auth.test.ts` → `auth` and `next.config.mjs` → `next`. A leading dot
 * (`.eslintrc.json`) is skipped, and so are surrounding underscores (`__init__`).
 */
export function namingStem(filePath: string): string {
  const name = baseName(normalizePath(filePath)).replace(/^\.+/, "");
  const dot = name.indexOf(".");
  const stem = dot >= 0 ? name.slice(0, dot) : name;
  return stem.replace(/^_+|_+$/g, "");
}

export function classifyNamingConvention(stem: string): NamingConvention {
  if (/^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/.test(stem)) return "snake_case";
  if (/^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/.test(stem)) return "kebab-case";
  if (/^[a-z][a-z0-9]*$/.test(stem)) return "lowercase";
  if (/^[a-z][A-Za-z0-9]*$/.test(stem)) return "camelCase";
  // All-caps names (README, LICENSE) are not PascalCase.
  if (/^[A-Z][A-Za-z0-9]*$/.test(stem) && /[a-z]/.test(stem)) return "PascalCase";
  return "other";
}

export function isTestFilePath(filePath: string): boolean {
  const path = `/${normalizePath(filePath)}`;
  const name = baseName(path);
  const stemWithoutExtension = name.includes(".") ? name.slice(0, name.lastIndexOf(".")) : name;
  return (
    /^test_/i.test(name) ||
    /_test$/i.test(stemWithoutExtension) ||
    /\.(?:test|spec)\./i.test(name) ||
    /[a-z0-9]Tests?$/.test(stemWithoutExtension) ||
    /\/(?:tests?|spec|__tests__)\//i.test(path)
  );
}
