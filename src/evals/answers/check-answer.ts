import { letterOf } from "./choice.ts";
import type { AnswerType } from "./extract-answer.ts";
import { mathEquivalent, type NumericTolerance, numbersClose } from "./math-equivalent.ts";
import { parseMathExpression } from "./math-expression.ts";
import { normalizeMath } from "./normalize-math.ts";

/**
 * Whether a predicted answer (already extracted) matches the gold answer under the dataset's
 * answer type. A missing prediction is wrong.
 */
export function checkAnswer(
  predicted: string | undefined,
  gold: string,
  type: AnswerType,
  tolerance: NumericTolerance = {},
): boolean {
  if (predicted === undefined) return false;
  switch (type) {
    case "choice": {
      const p = letterOf(predicted);
      return p !== undefined && p === letterOf(gold);
    }
    case "number": {
      const p = Number(normalizeMath(predicted));
      const g = Number(normalizeMath(gold));
      if (Number.isFinite(p) && Number.isFinite(g)) return numbersClose(p, g, tolerance);
      return mathEquivalent(predicted, gold, tolerance);
    }
    case "math":
      return mathEquivalent(predicted, gold, tolerance);
    case "text":
      return normalizeText(predicted) === normalizeText(gold);
    case "none":
      return false;
  }
}

/**
 * Canonical bucket key for voting, so "1/2" and "\frac{1}{2}" fall in one bucket: letters for
 * choices, the normalized text otherwise (numbers in their shortest decimal form).
 */
export function canonicalAnswer(answer: string, type: AnswerType): string {
  if (type === "choice") return letterOf(answer) ?? answer.trim();
  if (type === "text") return normalizeText(answer);
  const normalized = normalizeMath(answer);
  const expression = normalized === "" ? undefined : parseMathExpression(normalized);
  if (expression && expression.variables.size === 0) {
    const value = expression.evaluate(new Map());
    // 10 significant digits: equal values from different spellings land in one bucket
    if (Number.isFinite(value)) return String(Number(value.toPrecision(10)));
  }
  return normalized;
}

function normalizeText(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .replace(/\b(a|an|the)\b/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}
