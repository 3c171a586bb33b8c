import { describe, expect, it } from "vitest";
import { estimateTokens } from "../../src/domain/context/context";
import {
  compactActivity,
  sessionSummaryRequest,
  SESSION_SUMMARY_INPUT_TOKENS,
} from "../../src/domain/llm/session-summary-input";
import type { Decision, ErrorRecord, FileChange } from "../../src/domain/core/records";
import { PROMPTS } from "../../src/composition/prompts";
import { messageText } from "../../src/domain/llm/types";

const session = {
  description: "Refactor billing and fix flaky invoice tests",
  tags: ["billing"],
  startedAt: 0,
  endedAt: 3 * 3_600_000,
  success: true,
  status: "ended" as const,
};

/** A busy 100-event session: 80 changes over 30 files in 6 directories, 12 errors (some recurring), 8 decisions. */
function busySession() {
  const dirs = ["src/billing", "src/billing/pdf", "src/api", "src/db/migrations", "tests/billing", "docs"];
  const changes: FileChange[] = Array.from({ length: 80 }, (_, i) => ({
    id: `c${i}`,
    projectId: "p",
    sessionId: "s",
    userId: "u",
    filePath: `${dirs[i % dirs.length]}/module_${i % 30}.py`,
    action: ["edit", "create", "refactor", "test"][i % 4] ?? "edit",
    diff: "+".repeat(2000),
    diffTruncated: false,
    reason: `Step ${i}: ${"rework the invoice rounding and currency handling so totals match the ledger ".repeat(2)}`,
    relatedFiles: [],
    lineRange: null,
    implementsDecisionId: null,
    createdAt: i,
  }));
  const errors = Array.from({ length: 12 }, (_, i) => ({
    id: `e${i}`,
    errorType: ["TypeError", "KeyError", "AssertionError", "IntegrityError"][i % 4] ?? "Error",
    message: `invoice ${i % 6} total mismatch: expected Decimal('10.00') but got ${i}`,
    solution: i % 2 ? "Quantize with ROUND_HALF_EVEN before summing" : null,
    resolved: i % 2 === 1,
    occurrences: 1 + (i % 3),
  })) as ErrorRecord[];
  const decisions = Array.from({ length: 8 }, (_, i) => ({
    id: `d${i}`,
    decision: `Decision ${i}: store amounts as integer cents`,
    rationale: "Floats lose cents when summing many lines; integers are exact.",
    alternatives: ["Decimal everywhere", "float with rounding"],
  })) as Decision[];
  return { changes, errors, decisions };
}

describe("session summary input", () => {
  it("fits a 100-event session in the token budget and still names every error, decision and file group", () => {
    const activity = busySession();
    const request = sessionSummaryRequest(PROMPTS.sessionSummary, session, activity);
    const input = messageText(request.messages[0]?.content ?? "");
    expect(estimateTokens(input)).toBeLessThanOrEqual(SESSION_SUMMARY_INPUT_TOKENS);
    for (const dir of [
      "src/billing/",
      "src/billing/pdf/",
      "src/api/",
      "src/db/migrations/",
      "tests/billing/",
      "docs/",
    ]) {
      expect(input).toContain(`- ${dir} (`);
    }
    for (const error of activity.errors) expect(input).toContain(error.errorType);
    for (const decision of activity.decisions) expect(input).toContain(decision.decision);
    // The full detail level would not fit; the compaction stepped down but kept every name.
    expect(estimateTokens(compactActivity(session, activity, "full"))).toBeGreaterThan(SESSION_SUMMARY_INPUT_TOKENS);
    expect(request.system).toContain("## Next steps");
  });

  it("folds a recurring error into one line with its count", () => {
    const error = { errorType: "TypeError", message: "x is None", solution: null, resolved: false, occurrences: 2 };
    const text = compactActivity(
      session,
      { changes: [], errors: [error, error] as ErrorRecord[], decisions: [] },
      "full",
    );
    expect(text).toContain("Errors (1):");
    expect(text).toContain("TypeError: x is None — open (seen 4 times)");
  });
});
