import type { AnswerType } from "../../evals/answers/extract-answer.ts";
import type { ChatMessage } from "../../model/language-model.ts";

/** How answers must end, per answer type. */
export function answerFormat(type: AnswerType): string {
  return type === "choice"
    ? 'Think step by step, then finish with "The answer is (X)", where X is the letter of the correct option.'
    : 'Think step by step, then finish with "The answer is \\boxed{X}", where X is the final answer.';
}

/** An expert's (and a profiled model's) prompt. */
export function expertMessages(question: string, type: AnswerType): ChatMessage[] {
  return [{ role: "user", content: `Question: ${question.trim()}\n\n${answerFormat(type)}` }];
}

const synthesis =
  "Below are responses from several models to the question that follows. Synthesize them into one " +
  "high-quality answer. Evaluate them critically: some may be biased or wrong, so do not simply copy " +
  "any of them or go with the majority; check the reasoning and give an accurate, well-reasoned answer.";

/** Keeps only what follows the last `</think>` (reasoning traces would overflow the context). */
export function stripReasoning(text: string): string {
  const at = text.lastIndexOf("</think>");
  return (at >= 0 ? text.slice(at + "</think>".length) : text).trim();
}

/** The aggregator's prompt over k expert responses (spec §3.8). */
export function aggregatorMessages(
  question: string,
  responses: readonly string[],
  type: AnswerType,
): ChatMessage[] {
  const blocks = responses
    .map((r, j) => `### Model ${j + 1}'s response:\n${stripReasoning(r)}`)
    .join("\n\n");
  return [
    {
      role: "user",
      content: `${synthesis}\n\n${blocks}\n\nQuestion: ${question.trim()}\n\n${answerFormat(type)}`,
    },
  ];
}

/** The aggregation benchmark's prompt (spec §3.4): the question first, then three responses. */
export function benchmarkMessages(
  question: string,
  responses: readonly string[],
  type: AnswerType,
): ChatMessage[] {
  const blocks = responses.map((r, j) => `### Model${j + 1}:\n${stripReasoning(r)}`).join("\n\n");
  return [
    {
      role: "user",
      content: `Question: ${question.trim()}\n\n${answerFormat(type)}\n\n${synthesis}\n\n${blocks}`,
    },
  ];
}
