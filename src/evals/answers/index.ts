export { braceGroup, lastBoxed } from "./boxed.ts";
export { canonicalAnswer, checkAnswer } from "./check-answer.ts";
export { choiceLetters, extractChoice, letterOf } from "./choice.ts";
export { type AnswerType, extractAnswer, lastNumber } from "./extract-answer.ts";
export { mathEquivalent, type NumericTolerance, numbersClose } from "./math-equivalent.ts";
export { type MathExpression, parseMathExpression } from "./math-expression.ts";
export { normalizeMath } from "./normalize-math.ts";
