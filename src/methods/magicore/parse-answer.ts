import { lastBoxed } from "../../evals/answers/boxed.ts";
import { canonicalAnswer } from "../../evals/answers/check-answer.ts";
import { choiceLetters, extractChoice, letterOf } from "../../evals/answers/choice.ts";
import { type AnswerType, extractAnswer } from "../../evals/answers/extract-answer.ts";

/**
 * A solution's answer in canonical form (the vote bucket), or null. Math: last `\boxed{}`;
 * numbers: the boxed number (else "answer is" / last number); choice: a boxed letter, else the
 * last `X)`-style letter, else the last bare capital among the options.
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
  const raw = extractAnswer(text, type);
  if (raw === undefined || raw.trim() === "") return null;
  return canonicalAnswer(raw, type);
}
