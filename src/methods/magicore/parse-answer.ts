import { lastBoxed } from "../../evals/answers/boxed.ts";
import { canonicalAnswer } from "../../evals/answers/check-answer.ts";
import { choiceLetters, extractChoice, letterOf } from "../../evals/answers/choice.ts";
import { type AnswerType, extractAnswer } from "../../evals/answers/extract-answer.ts";

/**
 * A solution's answer in canonical form (the vote bucket), or null. Math and numbers: the last
 * `\boxed{}`, else what follows the last "answer is"; choice: a boxed letter, else the last
 * `X)`-style letter, else the last bare capital among the options.
 */
export function parseAnswer(text: string, type: AnswerType, choiceCount = 10): string | null {
  if (type === "choice") {
    const boxed = lastBoxed(text);
    const letters = choiceLetters(choiceCount);
    const fromBox =
      boxed === undefined ? undefined : letterOf(boxed.replace(/\\text\{(.*)\}/, "$1"));
    const letter = fromBox && letters.includes(fromBox) ? fromBox : extractChoice(text, letters);
    return letter ?? null;
  }
  // the official parser reads boxed answers only; "The answer is …" is a lenient extra. The last
  // bare number is NOT used: with "Step i:" headers it would mostly be a step number.
  const boxed = lastBoxed(text);
  const raw =
    boxed !== undefined
      ? extractAnswer(`\\boxed{${boxed}}`, type)
      : /answer is/i.test(text)
        ? extractAnswer(text.slice(text.search(/answer is(?![\s\S]*answer is)/i)), type)
        : undefined;
  if (raw === undefined || raw.trim() === "") return null;
  return canonicalAnswer(raw, type);
}
