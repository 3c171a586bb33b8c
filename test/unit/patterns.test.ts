import { describe, expect, it } from "vitest";
import {
  analyzePatterns,
  classifyNamingConvention,
  isTestFilePath,
  languageForPath,
  namingStem,
  renderPatternReport,
  type PatternErrorRecord,
  type PatternFileChange,
} from "../../src/domain/context/change-statistics";

const PATHS = [
  "src/auth/token_service.py",
  "src/auth/token_service.py",
  "src/auth/token_service.py",
  "src/api/userRoutes.ts",
  "src/api/userRoutes.ts",
  "tests/test_auth.py",
  "tests/test_auth.py",
  "web/components/UserCard.tsx",
  "web/components/user-card.css",
  "README.md",
  "src/db/models.py",
  "src/api/user.test.ts",
];

function changesFor(paths: readonly string[]): PatternFileChange[] {
  return paths.map((filePath, index) => ({
    filePath,
    action: index % 3 === 0 ? "create" : "modify",
    createdAt: 1_700_000_000_000 + index * 60_000,
  }));
}

const ERRORS: PatternErrorRecord[] = [
  { errorType: "TypeError", occurrences: 3, resolved: false, tags: ["class:null-data", "api"] },
  { errorType: "TypeError", occurrences: 1, resolved: true, tags: ["class:null-data"] },
  { errorType: "KeyError", occurrences: 1, resolved: false },
  { errorType: "ImportError", occurrences: 2, resolved: true },
];

describe("analyzePatterns", () => {
  it("refuses to analyse fewer than 10 changes", () => {
    expect(analyzePatterns(changesFor(PATHS.slice(0, 9)), ERRORS)).toEqual({
      status: "insufficient_data",
      changeCount: 9,
      required: 10,
      message: "Insufficient data for pattern analysis: 9 file changes recorded, at least 10 needed.",
    });
    expect(analyzePatterns([], []).status).toBe("insufficient_data");
  });

  it("analyses exactly 10 changes", () => {
    expect(analyzePatterns(changesFor(PATHS.slice(0, 10)), []).status).toBe("ok");
  });

  it("reports measured statistics", () => {
    expect(analyzePatterns(changesFor(PATHS), ERRORS)).toEqual({
      status: "ok",
      changeCount: 12,
      distinctFileCount: 8,
      firstChangeAt: 1_700_000_000_000,
      lastChangeAt: 1_700_000_660_000,
      languages: [
        { language: "Python", changes: 6, share: 0.5 },
        { language: "TypeScript", changes: 4, share: 0.333 },
        { language: "CSS", changes: 1, share: 0.083 },
        { language: "Markdown", changes: 1, share: 0.083 },
      ],
      actions: [
        { action: "modify", count: 8, share: 0.667 },
        { action: "create", count: 4, share: 0.333 },
      ],
      hotFiles: [
        { filePath: "src/auth/token_service.py", changes: 3 },
        { filePath: "src/api/userRoutes.ts", changes: 2 },
        { filePath: "tests/test_auth.py", changes: 2 },
        { filePath: "README.md", changes: 1 },
        { filePath: "src/api/user.test.ts", changes: 1 },
        { filePath: "src/db/models.py", changes: 1 },
        { filePath: "web/components/UserCard.tsx", changes: 1 },
        { filePath: "web/components/user-card.css", changes: 1 },
      ],
      recurringErrorTypes: [
        { errorType: "TypeError", records: 2, occurrences: 4, unresolved: 1 },
        { errorType: "ImportError", records: 1, occurrences: 2, unresolved: 0 },
      ],
      // Only `class:` tags are classes; an error counts in each class it carries.
      errorClasses: [{ name: "null-data", records: 2, occurrences: 4, unresolved: 1 }],
      namingConventions: [
        { convention: "lowercase", files: 2, share: 0.25, examples: ["models", "user"] },
        { convention: "snake_case", files: 2, share: 0.25, examples: ["token_service", "test_auth"] },
        { convention: "PascalCase", files: 1, share: 0.125, examples: ["UserCard"] },
        { convention: "camelCase", files: 1, share: 0.125, examples: ["userRoutes"] },
        { convention: "kebab-case", files: 1, share: 0.125, examples: ["user-card"] },
        { convention: "other", files: 1, share: 0.125, examples: ["README"] },
      ],
      testFileCount: 2,
      testFileShare: 0.25,
      directories: [
        { directory: "src", changes: 7, share: 0.583 },
        { directory: "tests", changes: 2, share: 0.167 },
        { directory: "web", changes: 2, share: 0.167 },
        { directory: ".", changes: 1, share: 0.083 },
      ],
    });
  });

  it("limits hot files to 10 and directories to 5", () => {
    const paths = Array.from({ length: 14 }, (_, index) => `dir${index}/file${index}.go`);
    const report = analyzePatterns(changesFor([...paths, ...paths.slice(0, 2)]), []);
    if (report.status !== "ok") throw new Error("expected an analysis");
    expect(report.hotFiles).toHaveLength(10);
    expect(report.hotFiles.slice(0, 3)).toEqual([
      { filePath: "dir0/file0.go", changes: 2 },
      { filePath: "dir1/file1.go", changes: 2 },
      { filePath: "dir10/file10.go", changes: 1 },
    ]);
    expect(report.directories.map((entry) => entry.directory)).toEqual(["dir0", "dir1", "dir10", "dir11", "dir12"]);
    expect(report.languages).toEqual([{ language: "Go", changes: 16, share: 1 }]);
  });

  it("treats windows and ./-prefixed paths like repository-relative ones", () => {
    const report = analyzePatterns(
      changesFor([...Array(5).fill("src\\main.rs"), ...Array(5).fill("./src/main.rs")]),
      [],
    );
    if (report.status !== "ok") throw new Error("expected an analysis");
    expect(report.hotFiles).toEqual([{ filePath: "src/main.rs", changes: 10 }]);
    expect(report.distinctFileCount).toBe(1);
  });

  it("reports no recurring error types when every type occurred once", () => {
    const report = analyzePatterns(changesFor(PATHS), [
      { errorType: "KeyError", occurrences: 1, resolved: false },
      { errorType: "ValueError", occurrences: 1, resolved: true },
    ]);
    if (report.status !== "ok") throw new Error("expected an analysis");
    expect(report.recurringErrorTypes).toEqual([]);
  });
});

describe("helpers", () => {
  it("maps extensions and special file names to languages", () => {
    expect(languageForPath("a/b.py")).toBe("Python");
    expect(languageForPath("x.TSX")).toBe("TypeScript");
    expect(languageForPath("config.yml")).toBe("YAML");
    expect(languageForPath("Dockerfile")).toBe("Dockerfile");
    expect(languageForPath("docker/Dockerfile.prod")).toBe("Dockerfile");
    expect(languageForPath("LICENSE")).toBe("Other");
    expect(languageForPath(".gitignore")).toBe("Other");
  });

  it("classifies naming conventions", () => {
    expect(classifyNamingConvention("user_service")).toBe("snake_case");
    expect(classifyNamingConvention("user-service")).toBe("kebab-case");
    expect(classifyNamingConvention("userService")).toBe("camelCase");
    expect(classifyNamingConvention("UserService")).toBe("PascalCase");
    expect(classifyNamingConvention("users")).toBe("lowercase");
    expect(classifyNamingConvention("README")).toBe("other");
    expect(classifyNamingConvention("Mixed_style-name")).toBe("other");
  });

  it("takes the naming stem up to the first dot", () => {
    expect(namingStem("src/auth.test.ts")).toBe("auth");
    expect(namingStem("next.config.mjs")).toBe("next");
    expect(namingStem("pkg/__init__.py")).toBe("init");
    expect(namingStem(".eslintrc.json")).toBe("eslintrc");
  });

  it("recognises test files", () => {
    for (const path of [
      "tests/test_auth.py",
      "pkg/auth_test.go",
      "src/auth.test.ts",
      "src/auth.spec.js",
      "app/tests/models.py",
      "src/__tests__/auth.ts",
      "src/test/java/com/x/AuthTest.java",
      "test/unit/patterns.test.ts",
    ]) {
      expect(isTestFilePath(path), path).toBe(true);
    }
    for (const path of ["src/auth.ts", "src/contest.py", "src/latest.ts", "src/testing_utils.py", "attestation.go"]) {
      expect(isTestFilePath(path), path).toBe(false);
    }
  });
});

describe("renderPatternReport", () => {
  it("renders the insufficient-data message", () => {
    expect(renderPatternReport(analyzePatterns(changesFor(PATHS.slice(0, 3)), []))).toBe(
      "Insufficient data for pattern analysis: 3 file changes recorded, at least 10 needed.",
    );
  });

  it("renders every measured section as markdown", () => {
    expect(renderPatternReport(analyzePatterns(changesFor(PATHS), ERRORS))).toBe(
      [
        "## Project patterns",
        "",
        "Measured from 12 file changes across 8 files.",
        "",
        "### Languages (by changes)",
        "",
        "| Language | Changes | Share |",
        "| --- | ---: | ---: |",
        "| Python | 6 | 50.0% |",
        "| TypeScript | 4 | 33.3% |",
        "| CSS | 1 | 8.3% |",
        "| Markdown | 1 | 8.3% |",
        "",
        "### Change actions",
        "",
        "- modify: 8 (66.7%)",
        "- create: 4 (33.3%)",
        "",
        "### Most changed files",
        "",
        "1. `src/auth/token_service.py`: 3 changes",
        "2. `src/api/userRoutes.ts`: 2 changes",
        "3. `tests/test_auth.py`: 2 changes",
        "4. `README.md`: 1 change",
        "5. `src/api/user.test.ts`: 1 change",
        "6. `src/db/models.py`: 1 change",
        "7. `web/components/UserCard.tsx`: 1 change",
        "8. `web/components/user-card.css`: 1 change",
        "",
        "### Top-level directories (by changes)",
        "",
        "- `src/`: 7 changes (58.3%)",
        "- `tests/`: 2 changes (16.7%)",
        "- `web/`: 2 changes (16.7%)",
        "- (repository root): 1 change (8.3%)",
        "",
        "### File naming",
        "",
        "- lowercase: 2 files (25.0%), e.g. `models`, `user`",
        "- snake_case: 2 files (25.0%), e.g. `token_service`, `test_auth`",
        "- PascalCase: 1 file (12.5%), e.g. `UserCard`",
        "- camelCase: 1 file (12.5%), e.g. `userRoutes`",
        "- kebab-case: 1 file (12.5%), e.g. `user-card`",
        "- other: 1 file (12.5%), e.g. `README`",
        "",
        "### Tests",
        "",
        "2 of 8 changed files look like test files (25.0%).",
        "",
        "### Recurring error types",
        "",
        "- `TypeError`: 4 occurrences in 2 records, 1 unresolved",
        "- `ImportError`: 2 occurrences in 1 record, 0 unresolved",
        "",
        "### Error classes (the team's)",
        "",
        "- `null-data`: 4 occurrences in 2 records, 1 unresolved",
      ].join("\n"),
    );
  });

  it("says so when no error type recurs", () => {
    const rendered = renderPatternReport(analyzePatterns(changesFor(PATHS), []));
    expect(rendered.endsWith("### Recurring error types\n\nNo error type has been recorded more than once.")).toBe(
      true,
    );
  });
});
