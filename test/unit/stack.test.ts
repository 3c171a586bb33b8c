import { describe, expect, it } from "vitest";
import { inferStack } from "../../src/domain/errors/stack";

function names(paths: string[]): string[] {
  return inferStack(paths).map((item) => item.name);
}

describe("inferStack", () => {
  it("infers a Cloudflare Worker in TypeScript with evidence, most evidenced first", () => {
    expect(
      inferStack([
        "package.json",
        "tsconfig.json",
        "wrangler.jsonc",
        "src/index.ts",
        "src/domain/redaction.ts",
        "src/domain/stack.ts",
        "vitest.config.ts",
        ".github/workflows/ci.yml",
        "src/index.ts",
      ]),
    ).toEqual([
      {
        name: "TypeScript",
        evidence: ["tsconfig.json", "src/index.ts", "src/domain/redaction.ts"],
        fileCount: 5,
      },
      { name: "Cloudflare Workers", evidence: ["wrangler.jsonc"], fileCount: 1 },
      { name: "GitHub Actions", evidence: [".github/workflows/ci.yml"], fileCount: 1 },
      { name: "Node.js", evidence: ["package.json"], fileCount: 1 },
      { name: "Vitest", evidence: ["vitest.config.ts"], fileCount: 1 },
    ]);
  });

  it("infers a Django project", () => {
    expect(
      inferStack([
        "manage.py",
        "requirements.txt",
        "app/models.py",
        "app/views.py",
        "Dockerfile",
        "docker-compose.yml",
      ]),
    ).toEqual([
      { name: "Python", evidence: ["manage.py", "requirements.txt", "app/models.py"], fileCount: 4 },
      { name: "Docker", evidence: ["Dockerfile", "docker-compose.yml"], fileCount: 2 },
      { name: "Django", evidence: ["manage.py"], fileCount: 1 },
    ]);
  });

  it("recognises frameworks and tools from their files", () => {
    const cases: Array<[string, string]> = [
      ["go.mod", "Go"],
      ["Cargo.toml", "Rust"],
      ["wrangler.toml", "Cloudflare Workers"],
      ["next.config.mjs", "Next.js"],
      ["vite.config.ts", "Vite"],
      ["web/App.jsx", "React"],
      ["pom.xml", "Maven"],
      ["pom.xml", "Java"],
      ["pyproject.toml", "Python"],
      ["Gemfile", "Ruby"],
      ["composer.json", "PHP"],
      ["infra/main.tf", "Terraform"],
      ["build.gradle.kts", "Gradle"],
      ["src/App.vue", "Vue"],
      ["Dockerfile.dev", "Docker"],
      ["config/routes.rb", "Ruby on Rails"],
      ["prisma/schema.prisma", "Prisma"],
    ];
    for (const [path, expected] of cases) {
      expect(names([path]), path).toContain(expected);
    }
  });

  it("does not mistake a Gradle Kotlin script for Kotlin source", () => {
    expect(names(["build.gradle.kts"])).toEqual(["Gradle"]);
  });

  it("only counts workflow files under .github/workflows", () => {
    expect(names([".github/dependabot.yml", "docs/workflows/ci.yml"])).toEqual([]);
  });

  it("normalises windows separators and ./ prefixes and deduplicates", () => {
    expect(inferStack([".\\src\\main.go", "src/main.go", "./src/main.go"])).toEqual([
      { name: "Go", evidence: ["src/main.go"], fileCount: 1 },
    ]);
  });

  it("returns nothing for unknown or empty input", () => {
    expect(inferStack([])).toEqual([]);
    expect(inferStack(["LICENSE", "notes.txt", ""])).toEqual([]);
  });
});
