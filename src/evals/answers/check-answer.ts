import { letterOf } from "./choice.ts";
import type { AnswerType } from "./extract-answer.ts";
import {
  mathEquivalent,
  type NumericTolerance,
  numbersClose,
  setMembers,
} from "./math-equivalent.ts";
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
      const p = choiceOf(predicted);
      return p !== undefined && p === choiceOf(gold);
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
  if (type === "choice") return choiceOf(answer) ?? answer.trim();
  if (type === "text") return normalizeText(answer);
  const normalized = normalizeMath(answer);
  // a set's members in a fixed order, so "1, -2" and "x = -2, x = 1" share a bucket
  const members = setMembers(normalized);
  if (members)
    return `{${members
      .map((m) => canonicalAnswer(m, type))
      .sort()
      .join(",")}}`;
  const expression = normalized === "" ? undefined : parseMathExpression(normalized);
  if (expression && expression.variables.size === 0) {
    const value = expression.evaluate(new Map());
    // 10 significant digits: equal values from different spellings land in one bucket
    if (Number.isFinite(value)) return String(Number(value.toPrecision(10)));
  }
  return normalized;
}

/** The option letter of an answer, also inside LaTeX wrappers: "\\text{(B)}", "$\\boxed{B}$". */
function choiceOf(answer: string): string | undefined {
  return letterOf(answer) ?? letterOf(normalizeMath(answer));
}

function normalizeText(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .replace(/\b(a|an|the)\b/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}
