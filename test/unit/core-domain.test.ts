import { describe, expect, it } from "vitest";
import { buildProjectContext, estimateTokens } from "../../src/domain/context/context";
import { buildSessionDigest } from "../../src/domain/sessions/digest";
import { truncateMiddle } from "../../src/domain/core/limits";
import type { ContextSnapshot } from "../../src/domain/context/ports";
import type { Decision, ErrorRecord, FileChange } from "../../src/domain/core/records";

const T0 = Date.UTC(2026, 10, 24, 9, 0, 0);

function change(filePath: string, action: string, reason: string): FileChange {
  return {
    id: `c-${filePath}-${reason}`,
    projectId: "p",
    sessionId: "s",
    userId: "u",
    filePath,
    action,
    diff: null,
    diffTruncated: false,
    reason,
    relatedFiles: [],
    lineRange: null,
    implementsDecisionId: null,
    createdAt: T0,
  };
}

function error(id: string, searchTerms: string, extra: Partial<ErrorRecord> = {}): ErrorRecord {
  return {
    id,
    projectId: "p",
    sessionId: null,
    userId: "u",
    errorType: "TypeError",
    message: "m",
    stackTrace: null,
    stackTraceTruncated: false,
    filePath: null,
    lineNumber: null,
    solution: null,
    resolved: false,
    occurrences: 1,
    fingerprint: id,
    searchTerms,
    tags: [],
    firstSeen: T0,
    lastSeen: T0,
    resolvedAt: null,
    createdAt: T0,
    source: "user",
    lastCommit: null,
    lastCiJob: null,
    vectorModel: null,
    vectorIndexedAt: null,
    ...extra,
  };
}

describe("truncateMiddle", () => {
  it("keeps short text and cuts long text to the limit with a marker", () => {
    expect(truncateMiddle("abc", 10)).toEqual({ text: "abc", truncated: false, originalLength: 3 });
    const cut = truncateMiddle("H".repeat(500) + "T".repeat(500), 200);
    expect(cut.truncated).toBe(true);
    expect(cut.text.length).toBeLessThanOrEqual(200);
    expect(cut.text.startsWith("HHH")).toBe(true);
    expect(cut.text.endsWith("TTT")).toBe(true);
    expect(cut.text).toContain("characters truncated");
  });
});

describe("session digest", () => {
  it("summarises files, errors, decisions and follow-ups deterministically", () => {
    const decision: Decision = {
      id: "d",
      projectId: "p",
      sessionId: "s",
      userId: "u",
      decision: "Use JWT",
      rationale: "Stateless",
      alternatives: [],
      impact: null,
      confidence: 0.9,
      relatedFiles: [],
      tags: [],
      createdAt: T0,
    };
    const activity = {
      changes: [
        change("src/a.py", "edit", "fix a"),
        change("src/a.py", "refactor", "tidy a"),
        change("b.py", "create", "new"),
      ],
      errors: [error("e1", "x", { resolved: true, solution: "do y", occurrences: 3 }), error("e2", "z")],
      decisions: [decision],
    };
    const digest = buildSessionDigest(
      { description: "Auth", tags: ["feature"], startedAt: T0 },
      activity,
      T0 + 95 * 60_000,
      {
        success: true,
        status: "ended",
      },
    );
    expect(digest.durationMinutes).toBe(95);
    expect(digest.counts).toEqual({ fileChanges: 3, errors: 2, decisions: 1 });
    expect(digest.filesTouched[0]).toEqual({ filePath: "src/a.py", actions: ["edit", "refactor"], changes: 2 });
    expect(digest.markdown).toContain("Ended successfully after 95 min");
    expect(digest.markdown).toContain("(seen 3 times) — resolved: do y");
    expect(digest.markdown).toContain("coding_resolve_error");
    expect(digest.markdown).toContain("No test changes");
    expect(
      buildSessionDigest({ description: "Auth", tags: ["feature"], startedAt: T0 }, activity, T0 + 95 * 60_000, {
        success: true,
        status: "ended",
      }),
    ).toEqual(digest);
  });
});

describe("project context budget", () => {
  it("never exceeds max_tokens and counts what it left out", () => {
    const snapshot: ContextSnapshot = {
      recentChanges: Array.from({ length: 50 }, (_, i) => change(`src/f${i}.ts`, "edit", "a reason ".repeat(10))),
      openErrors: [],
      resolvedErrors: [],
      decisions: [],
      hotFiles: [],
      knownPaths: ["package.json", "src/index.ts"],
      totals: { changes: 50, errors: 0, openErrors: 0, decisions: 0, sessions: 0 },
    };
    for (const maxTokens of [200, 500, 1500]) {
      const context = buildProjectContext("p", snapshot, null, { focus: null, maxTokens });
      expect(estimateTokens(context.markdown)).toBeLessThanOrEqual(maxTokens);
      expect(context.recentChanges.length + (context.omitted.recentChanges ?? 0)).toBe(50);
    }
  });
});
