/**
 * Technology stack inferred from file paths alone (no file contents are read).
 *
 * Each technology is reported only with the paths that prove it, so the
 * result can be checked by a reader rather than trusted.
 */

export interface StackItem {
  name: string;
  /** Up to `MAX_STACK_EVIDENCE` example paths, in input order. */
  evidence: string[];
  /** Total number of distinct paths that matched (used for ordering). */
  fileCount: number;
}

export const MAX_STACK_EVIDENCE = 3;

interface PathFacts {
  /** Forward slashes, no leading `./` or `/`, original case. */
  path: string;
  /** Lowercased path, prefixed with `/` so directory tests can use `/dir/`. */
  lowerPath: string;
  /** Lowercased file name. */
  name: string;
  /** Lowercased last extension without the dot, or "" when none. */
  extension: string;
}

interface StackRule {
  name: string;
  matches: (facts: PathFacts) => boolean;
}

function extensionIn(...extensions: string[]): StackRule["matches"] {
  const set = new Set(extensions);
  return (facts) => set.has(facts.extension);
}

function nameIn(...names: string[]): StackRule["matches"] {
  const set = new Set(names);
  return (facts) => set.has(facts.name);
}

/** `next.config.js`, `next.config.mjs`, `next.config.ts`, … */
function configFile(baseName: string): StackRule["matches"] {
  const pattern = new RegExp(`^${baseName.replace(/[.]/g, "\\.")}\\.config\\.[a-z]+$`);
  return (facts) => pattern.test(facts.name);
}

function anyOf(...predicates: Array<StackRule["matches"]>): StackRule["matches"] {
  return (facts) => predicates.some((predicate) => predicate(facts));
}

function underDirectory(directory: string): StackRule["matches"] {
  const needle = `/${directory.toLowerCase()}/`;
  return (facts) => facts.lowerPath.includes(needle);
}

const RULES: readonly StackRule[] = [
  // Languages
  {
    name: "TypeScript",
    matches: anyOf(extensionIn("ts", "tsx", "mts", "cts"), (f) => /^tsconfig(?:\..+)?\.json$/.test(f.name)),
  },
  { name: "JavaScript", matches: extensionIn("js", "jsx", "mjs", "cjs") },
  {
    name: "Python",
    matches: anyOf(
      extensionIn("py", "pyi", "ipynb"),
      nameIn("pyproject.toml", "setup.py", "setup.cfg", "pipfile", "pipfile.lock", "poetry.lock", "uv.lock"),
      (f) => /^requirements.*\.txt$/.test(f.name),
    ),
  },
  { name: "Go", matches: anyOf(extensionIn("go"), nameIn("go.mod", "go.sum", "go.work")) },
  { name: "Rust", matches: anyOf(extensionIn("rs"), nameIn("cargo.toml", "cargo.lock")) },
  // A Maven build (pom.xml) is evidence of a JVM project; Java is by far its most common language.
  { name: "Java", matches: anyOf(extensionIn("java"), nameIn("pom.xml")) },
  {
    name: "Kotlin",
    matches: anyOf(
      extensionIn("kt"),
      (f) => f.extension === "kts" && !f.name.startsWith("build.gradle") && !f.name.startsWith("settings.gradle"),
    ),
  },
  { name: "Scala", matches: anyOf(extensionIn("scala", "sc"), nameIn("build.sbt")) },
  {
    name: "Ruby",
    matches: anyOf(extensionIn("rb", "erb", "rake"), nameIn("gemfile", "gemfile.lock", "rakefile", ".ruby-version")),
  },
  { name: "PHP", matches: anyOf(extensionIn("php"), nameIn("composer.json", "composer.lock")) },
  { name: "C#", matches: anyOf(extensionIn("cs", "csproj", "sln")) },
  { name: "C", matches: extensionIn("c", "h") },
  { name: "C++", matches: extensionIn("cpp", "cc", "cxx", "hpp", "hh", "hxx") },
  { name: "Swift", matches: anyOf(extensionIn("swift"), nameIn("package.swift")) },
  { name: "Dart", matches: anyOf(extensionIn("dart"), nameIn("pubspec.yaml")) },
  { name: "Elixir", matches: anyOf(extensionIn("ex", "exs", "heex"), nameIn("mix.exs")) },
  { name: "Haskell", matches: anyOf(extensionIn("hs", "cabal"), nameIn("stack.yaml")) },
  { name: "Lua", matches: extensionIn("lua") },
  { name: "Zig", matches: anyOf(extensionIn("zig"), nameIn("build.zig")) },
  { name: "Shell", matches: extensionIn("sh", "bash", "zsh") },
  { name: "SQL", matches: extensionIn("sql") },
  { name: "CSS", matches: extensionIn("css") },
  { name: "Sass", matches: extensionIn("scss", "sass") },
  { name: "HTML", matches: extensionIn("html", "htm") },

  // Runtimes and package managers
  {
    name: "Node.js",
    matches: nameIn(
      "package.json",
      "package-lock.json",
      "yarn.lock",
      "pnpm-lock.yaml",
      ".nvmrc",
      ".node-version",
      ".npmrc",
    ),
  },
  { name: "Bun", matches: nameIn("bun.lockb", "bun.lock", "bunfig.toml") },
  { name: "Deno", matches: nameIn("deno.json", "deno.jsonc", "deno.lock") },
  { name: "pnpm workspace", matches: nameIn("pnpm-workspace.yaml") },
  { name: "Turborepo", matches: nameIn("turbo.json") },
  { name: "Poetry", matches: nameIn("poetry.lock") },
  { name: ".NET", matches: anyOf(extensionIn("csproj", "fsproj", "sln"), nameIn("global.json", "nuget.config")) },

  // Frameworks
  { name: "React", matches: extensionIn("tsx", "jsx") },
  { name: "Next.js", matches: anyOf(configFile("next"), nameIn("next-env.d.ts")) },
  { name: "Nuxt", matches: configFile("nuxt") },
  { name: "Remix", matches: configFile("remix") },
  { name: "Astro", matches: anyOf(extensionIn("astro"), configFile("astro")) },
  { name: "Vue", matches: anyOf(extensionIn("vue"), configFile("vue")) },
  { name: "Svelte", matches: anyOf(extensionIn("svelte"), configFile("svelte")) },
  { name: "Angular", matches: nameIn("angular.json") },
  { name: "Django", matches: nameIn("manage.py") },
  {
    name: "Ruby on Rails",
    matches: (f) => f.lowerPath.endsWith("/config/routes.rb") || f.lowerPath.endsWith("/bin/rails"),
  },
  { name: "Laravel", matches: (f) => f.name === "artisan" },
  { name: "Flutter", matches: nameIn("pubspec.yaml") },
  { name: "Tailwind CSS", matches: configFile("tailwind") },

  // Build tools
  { name: "Vite", matches: configFile("vite") },
  { name: "Webpack", matches: configFile("webpack") },
  { name: "Rollup", matches: configFile("rollup") },
  { name: "esbuild", matches: configFile("esbuild") },
  { name: "Maven", matches: nameIn("pom.xml", "mvnw") },
  {
    name: "Gradle",
    matches: nameIn("build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradlew"),
  },
  { name: "CMake", matches: anyOf(nameIn("cmakelists.txt"), extensionIn("cmake")) },
  { name: "Make", matches: nameIn("makefile", "gnumakefile") },

  // Testing and code quality
  { name: "Vitest", matches: anyOf(configFile("vitest"), (f) => /^vitest\.workspace\.[a-z]+$/.test(f.name)) },
  { name: "Jest", matches: configFile("jest") },
  { name: "Playwright", matches: configFile("playwright") },
  { name: "Cypress", matches: anyOf(configFile("cypress"), nameIn("cypress.json")) },
  { name: "pytest", matches: anyOf(nameIn("pytest.ini", "conftest.py")) },
  { name: "ESLint", matches: anyOf(configFile("eslint"), (f) => f.name.startsWith(".eslintrc")) },
  { name: "Prettier", matches: anyOf(configFile("prettier"), (f) => f.name.startsWith(".prettierrc")) },
  { name: "Biome", matches: nameIn("biome.json", "biome.jsonc") },

  // Data
  { name: "Prisma", matches: extensionIn("prisma") },
  { name: "Drizzle ORM", matches: configFile("drizzle") },
  { name: "Alembic", matches: nameIn("alembic.ini") },

  // Infrastructure and deployment
  { name: "Cloudflare Workers", matches: nameIn("wrangler.toml", "wrangler.json", "wrangler.jsonc") },
  {
    name: "Docker",
    matches: anyOf(
      nameIn("dockerfile", ".dockerignore", "docker-compose.yml", "docker-compose.yaml", "compose.yml", "compose.yaml"),
      (f) => f.name.startsWith("dockerfile.") || f.extension === "dockerfile",
    ),
  },
  { name: "Terraform", matches: extensionIn("tf", "tfvars") },
  { name: "Helm", matches: nameIn("chart.yaml") },
  { name: "Vercel", matches: nameIn("vercel.json") },
  { name: "Netlify", matches: nameIn("netlify.toml") },
  { name: "Supabase", matches: (f) => f.lowerPath.includes("/supabase/config.toml") },

  // CI
  { name: "GitHub Actions", matches: (f) => /\/\.github\/workflows\/[^/]+\.ya?ml$/.test(f.lowerPath) },
  { name: "GitLab CI", matches: nameIn(".gitlab-ci.yml") },
  { name: "CircleCI", matches: underDirectory(".circleci") },
];

function pathFacts(rawPath: string): PathFacts {
  const path = rawPath
    .trim()
    .replace(/\\/g, "/")
    .replace(/^(?:\.\/)+/, "")
    .replace(/^\/+/, "");
  const segments = path.split("/");
  const name = (segments[segments.length - 1] ?? path).toLowerCase();
  const dot = name.lastIndexOf(".");
  return {
    path,
    lowerPath: `/${path.toLowerCase()}`,
    name,
    extension: dot > 0 ? name.slice(dot + 1) : "",
  };
}

/**
 * Languages, frameworks and tools evidenced by the given paths. Sorted by the
 * number of matching files (descending), then by name.
 */
export function inferStack(filePaths: readonly string[]): StackItem[] {
  const distinctFacts: PathFacts[] = [];
  const seen = new Set<string>();
  for (const rawPath of filePaths) {
    const facts = pathFacts(rawPath);
    if (facts.path.length === 0 || seen.has(facts.path)) continue;
    seen.add(facts.path);
    distinctFacts.push(facts);
  }

  const items: StackItem[] = [];
  for (const rule of RULES) {
    const matching = distinctFacts.filter(rule.matches);
    if (matching.length === 0) continue;
    items.push({
      name: rule.name,
      evidence: matching.slice(0, MAX_STACK_EVIDENCE).map((facts) => facts.path),
      fileCount: matching.length,
    });
  }
  return items.sort((a, b) => b.fileCount - a.fileCount || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
