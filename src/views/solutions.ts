import type { AdviceResult } from "../domain/llm/solution-advice";
import { heldApprovalNote, llmResultSchema, llmResultView } from "./llm";

/** The model's advice: root cause, fix steps, confidence, alternatives (or its free text when not JSON). */
export const adviceSchema = llmResultSchema({});

export function adviceView(result: AdviceResult) {
  return llmResultView(result, (ready) => ({
    fields: ready.advice ?? { text: ready.text },
    budgetWarning: ready.budget.warning,
  }));
}

export function renderAdvice(result: AdviceResult): string {
  if (result.state === "skipped") return `AI advice not available: ${result.reason}.`;
  if (result.state === "approval_required") return heldApprovalNote("AI advice for this error", result.approval);
  const advice = result.advice;
  const warning = result.budget.warning ? `\n⚠️ ${result.budget.warning}` : "";
  if (!advice) return `AI advice (${result.model}):\n${result.text}${warning}`;
  return (
    [
      `AI advice (${result.model}, confidence ${advice.confidence}): ${advice.root_cause}`,
      ...advice.fix_steps.map((step, index) => `  ${index + 1}. ${step}`),
      ...(advice.alternatives.length ? [`  Alternatives: ${advice.alternatives.join("; ")}`] : []),
      ...(advice.debugging_tips.length ? [`  Debugging: ${advice.debugging_tips.join("; ")}`] : []),
      ...(advice.prevention ? [`  Prevention: ${advice.prevention}`] : []),
    ].join("\n") + warning
  );
}
