/**
 * The resolution settings a repository declares: tsconfig/jsconfig `baseUrl`, `paths` and `extends`, and
 * package.json `imports`. Only these settings are kept from config files; the rest of their content is not.
 */
import { parse, printParseErrorCode, type ParseError } from "jsonc-parser";
import { normalizePath, type TsPaths } from "./resolve";

export type ConfigFacts =
  | {
      kind: "tsconfig";
      extends: string[];
      /** As written, relative to the config's own directory. Undefined = not set here (inherit). */
      baseUrl?: string;
      paths?: Record<string, string[]>;
    }
  | { kind: "package"; imports: Record<string, string[]> };

/** Config files kept for resolution: tsconfig*.json, jsconfig*.json and package.json. */
export function isConfigPath(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return name === "package.json" || /^(ts|js)config(\..+)?\.json$/.test(name);
}

/**
 * tsconfig files are JSON with comments and trailing commas (what TypeScript itself accepts); package.json is
 * plain JSON, read the same lenient way since only its `imports` matter here.
 */
export function parseConfig(
  path: string,
  text: string,
): { ok: true; facts: ConfigFacts } | { ok: false; reason: string } {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  const [error] = errors;
  if (error) {
    return { ok: false, reason: `invalid JSON: ${printParseErrorCode(error.error)} at offset ${error.offset}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, reason: "expected a JSON object" };
  }
  const object = value as Record<string, unknown>;
  if (path.endsWith("package.json"))
    return { ok: true, facts: { kind: "package", imports: packageImports(object.imports) } };

  const extendsField = object.extends;
  const extendsList = (Array.isArray(extendsField) ? extendsField : [extendsField]).filter(
    (item): item is string => typeof item === "string",
  );
  const options = object.compilerOptions;
  const facts: ConfigFacts = { kind: "tsconfig", extends: extendsList };
  if (typeof options === "object" && options !== null) {
    const { baseUrl, paths } = options as Record<string, unknown>;
    if (typeof baseUrl === "string") facts.baseUrl = baseUrl;
    if (typeof paths === "object" && paths !== null && !Array.isArray(paths)) {
      facts.paths = Object.fromEntries(
        Object.entries(paths as Record<string, unknown>).map(([pattern, targets]) => [
          pattern,
          Array.isArray(targets) ? targets.filter((target): target is string => typeof target === "string") : [],
        ]),
      );
    }
  }
  return { ok: true, facts };
}

/**
 * package.json `imports` with every target string of a condition object, in the order written (so `types`
 * or `source` pointing at sources is tried as well as `default` pointing at a build); `null` targets dropped.
 */
function packageImports(field: unknown): Record<string, string[]> {
  if (typeof field !== "object" || field === null || Array.isArray(field)) return {};
  const result: Record<string, string[]> = {};
  const collect = (value: unknown, into: string[]) => {
    if (typeof value === "string") into.push(value);
    else if (Array.isArray(value)) for (const item of value) collect(item, into);
    else if (typeof value === "object" && value !== null) for (const item of Object.values(value)) collect(item, into);
  };
  for (const [key, value] of Object.entries(field as Record<string, unknown>)) {
    if (!key.startsWith("#")) continue;
    const targets: string[] = [];
    collect(value, targets);
    result[key] = [...new Set(targets)];
  }
  return result;
}

function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/**
 * Answers, for any source file, which tsconfig governs it (the nearest tsconfig.json or jsconfig.json in its
 * directory or above, `extends` merged) and which package.json `imports` apply (the nearest package.json).
 * Memoised per directory: a repository has few configs and many files.
 */
export class ProjectConfig {
  private readonly tsPathsByDirectory = new Map<string, TsPaths | null>();
  private readonly importsByDirectory = new Map<string, Record<string, string[]>>();

  constructor(private readonly configs: ReadonlyMap<string, ConfigFacts>) {}

  tsPathsFor(file: string): TsPaths | null {
    return this.lookUp(
      dirname(file),
      this.tsPathsByDirectory,
      (directory) => {
        for (const name of ["tsconfig.json", "jsconfig.json"]) {
          const path = directory ? `${directory}/${name}` : name;
          if (this.configs.get(path)?.kind === "tsconfig") return this.mergedTsPaths(path, new Set());
        }
        return undefined;
      },
      null,
    );
  }

  packageImportsFor(file: string): Record<string, string[]> {
    return this.lookUp(
      dirname(file),
      this.importsByDirectory,
      (directory) => {
        const path = directory ? `${directory}/package.json` : "package.json";
        const facts = this.configs.get(path);
        if (facts?.kind !== "package") return undefined;
        // Targets are relative to the package.json; make them relative to the repository root.
        return Object.fromEntries(
          Object.entries(facts.imports).map(([key, targets]) => [
            key,
            targets.map((target) => normalizePath(directory ? `${directory}/${target}` : target)),
          ]),
        );
      },
      {},
    );
  }

  /** The nearest directory (this one or above) where `find` answers, memoised for every directory passed. */
  private lookUp<T>(start: string, memo: Map<string, T>, find: (directory: string) => T | undefined, fallback: T): T {
    const visited: string[] = [];
    let directory: string | null = start;
    let result = fallback;
    while (directory !== null) {
      const known = memo.get(directory);
      if (known !== undefined || memo.has(directory)) {
        result = known as T;
        break;
      }
      visited.push(directory);
      const found = find(directory);
      if (found !== undefined) {
        result = found;
        break;
      }
      directory = directory === "" ? null : dirname(directory);
    }
    for (const seen of visited) memo.set(seen, result);
    return result;
  }

  /**
   * A tsconfig with its `extends` chain applied, as TypeScript does: later bases override earlier ones and the
   * file itself wins; `baseUrl` is relative to the config that sets it, and `paths` targets are relative to the
   * effective `baseUrl`, or without one to the config that declares `paths`.
   */
  private mergedTsPaths(path: string, visiting: Set<string>): TsPaths | null {
    const options = this.effectiveOptions(path, visiting);
    if (!options || (options.baseUrl === null && options.paths === null)) return null;
    return {
      baseUrl: options.baseUrl,
      pathsBase: options.baseUrl ?? options.pathsDirectory,
      paths: options.paths ?? {},
    };
  }

  private effectiveOptions(
    path: string,
    visiting: Set<string>,
  ): { baseUrl: string | null; paths: Record<string, string[]> | null; pathsDirectory: string } | null {
    const facts = this.configs.get(path);
    if (facts?.kind !== "tsconfig" || visiting.has(path)) return null;
    visiting.add(path);
    const directory = dirname(path);
    let options = {
      baseUrl: null as string | null,
      paths: null as Record<string, string[]> | null,
      pathsDirectory: directory,
    };
    for (const base of facts.extends) {
      const basePath = this.extendsTarget(path, base);
      const inherited = basePath ? this.effectiveOptions(basePath, visiting) : null;
      if (inherited) {
        options = {
          baseUrl: inherited.baseUrl ?? options.baseUrl,
          paths: inherited.paths ?? options.paths,
          pathsDirectory: inherited.paths ? inherited.pathsDirectory : options.pathsDirectory,
        };
      }
    }
    visiting.delete(path);
    if (facts.baseUrl !== undefined)
      options.baseUrl = normalizePath(directory ? `${directory}/${facts.baseUrl}` : facts.baseUrl);
    if (facts.paths !== undefined) options = { ...options, paths: facts.paths, pathsDirectory: directory };
    return options;
  }

  /** `extends` names a file of the repository ("./base", "../tsconfig.base.json"); package configs are external. */
  private extendsTarget(from: string, target: string): string | null {
    if (!target.startsWith(".") && !target.startsWith("/")) return null;
    const directory = dirname(from);
    const base = normalizePath(directory ? `${directory}/${target}` : target);
    for (const candidate of [base, `${base}.json`, `${base}/tsconfig.json`]) {
      if (this.configs.get(candidate)?.kind === "tsconfig") return candidate;
    }
    return null;
  }
}
