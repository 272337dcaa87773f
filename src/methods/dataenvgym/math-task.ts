import { checkAnswer } from "../../evals/answers/check-answer.ts";
import { type AnswerType, extractAnswer } from "../../evals/answers/extract-answer.ts";
import type { EvalItem } from "../../evals/eval-item.ts";
import type { Task, TaskInstance } from "./types.ts";

/** The line every MATH training target ends with: what the Minerva-style scorer reads. */
export const finalAnswerLine = (answer: string): string =>
  `Final Answer: The final answer is $\\boxed{${answer}}$.`;

/** A worked solution followed by the final-answer line (the MATH agents' datum response). */
export function mathTarget(answer: string, reasoning = ""): string {
  const body = reasoning.trim();
  return body === "" ? finalAnswerLine(answer) : `${body}\n${finalAnswerLine(answer)}`;
}

/**
 * A math task (GSM8K numbers, MATH LaTeX) scored by the eval harness's answer checker: the last
 * `\boxed{}` (else "answer is ...", else for numbers the last number) against the gold answer.
 */
export class MathTask implements Task {
  readonly instances: TaskInstance[];

  constructor(
    readonly name: string,
    items: readonly EvalItem[],
    readonly answerType: AnswerType = items[0]?.answerType ?? "math",
    /** The slice of an item (MATH: its type); default the item's `meta.skill` / `meta.type`. */
    sliceOf: (item: EvalItem) => string | undefined = (item) =>
      (item.meta["skill"] ?? item.meta["type"] ?? item.meta["subject"]) as string | undefined,
  ) {
    this.instances = items.map((item) => {
      const skill = sliceOf(item);
      const solution = item.meta["solution"];
      return {
        taskName: name,
        id: item.id,
        instruction: item.question,
        gold: item.answer,
        ...(skill !== undefined ? { skill } : {}),
        ...(typeof solution === "string" ? { meta: { solution } } : {}),
      };
    });
  }

  async score(instance: TaskInstance, response: string): Promise<boolean> {
    return checkAnswer(this.answerOf(response), instance.gold, this.answerType);
  }

  target(answer: string, reasoning?: string): string {
    return mathTarget(answer, reasoning);
  }

  answerOf(response: string): string | undefined {
    const answer = extractAnswer(response, this.answerType);
    return answer === undefined || answer.trim() === "" ? undefined : answer;
  }

  reference(instance: TaskInstance): string {
    // GSM8K solutions end in "#### n": the reasoning is kept, the answer line replaces that mark
    const solution = String(instance.meta?.["solution"] ?? "").replace(/####.*$/s, "");
    return mathTarget(instance.gold, solution);
  }
}
