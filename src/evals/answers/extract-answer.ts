import { lastBoxed } from "./boxed.ts";
import { choiceLetters, extractChoice } from "./choice.ts";
import { parseMathExpression } from "./math-expression.ts";
import { normalizeMath } from "./normalize-math.ts";

/**
 * How a dataset's answers are compared: `math` (LaTeX/number equivalence), `number` (numeric with
 * tolerance), `choice` (an option letter), `text` (normalized exact match), `none` (no gold:
 * methods that score themselves, e.g. code execution or faithfulness metrics).
 */
export type AnswerType = "math" | "number" | "choice" | "text" | "none";

/** Last number in a text ("1,234.5", "-3", ".5"), commas dropped; undefined if none. */
export function lastNumber(text: string): string | undefined {
  const matches = [...text.matchAll(/-?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?/g)]
    .map((m) => m[0])
    .filter((s) => /\d/.test(s));
  const last = matches.at(-1);
  return last === undefined ? undefined : last.replace(/,/g, "").replace(/\.$/, "");
}

/**
 * The final answer a response gives, or undefined when it gives none. Math: the last `\boxed{}`,
 * else the text after the last "answer is". Number: the boxed value or "answer is" value, else
 * the last number. Choice: the option letter (see `extractChoice`). Text: the text after the last
 * "answer is", else the whole trimmed response.
 */
export function extractAnswer(
  response: string,
  type: AnswerType,
  options: { choiceCount?: number } = {},
): string | undefined {
  if (type === "choice") return extractChoice(response, choiceLetters(options.choiceCount ?? 10));
  const boxed = lastBoxed(response);
  const stated = /answer is[:\s]*\$?([^\n$]*?)\$?\s*(?:\.\s*)?$/im;
  if (type === "math") {
    if (boxed !== undefined) return boxed.trim();
    const m = [...response.matchAll(new RegExp(stated.source, "gim"))].at(-1);
    return m?.[1]?.trim() || undefined;
  }
  if (type === "number") {
    if (boxed !== undefined) {
      // "\frac{3}{4}" is a number too; only prose inside the box falls back to its last number
      const expression = parseMathExpression(normalizeMath(boxed));
      if (expression && expression.variables.size === 0) return boxed.trim();
      return lastNumber(boxed) ?? boxed.trim();
    }
    const m = [...response.matchAll(/answer is[:\s]*\$?\s*(-?[\d,]*\.?\d+)/gi)].at(-1);
    if (m?.[1]) return m[1].replace(/,/g, "");
    const gsm = /####\s*(-?[\d,]*\.?\d+)/.exec(response);
    if (gsm?.[1]) return gsm[1].replace(/,/g, "");
    return lastNumber(response);
  }
  if (type === "text") {
    const m = [...response.matchAll(/answer is[:\s]*(.+)/gi)].at(-1);
    return (m?.[1] ?? response).trim() || undefined;
  }
  return undefined;
}
