import type { AnswerType } from "./answers/extract-answer.ts";

/** One dataset item, the same shape whatever the source file. */
export interface EvalItem {
  /** Stable id within the dataset (used by `--resume` and to pair methods' results). */
  id: string;
  /** The question as shown to a model; for multiple choice the options are inline. */
  question: string;
  /** Gold answer: a letter for `choice`, a number or LaTeX for `number`/`math`; "" when none. */
  answer: string;
  answerType: AnswerType;
  /** Option texts in letter order (multiple choice only). */
  choices?: string[];
  /** The rest of the record (subject, category, tests, contexts...) for methods that need it. */
  meta: Record<string, unknown>;
}
