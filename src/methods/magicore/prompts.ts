import type { AnswerType } from "../../evals/answers/extract-answer.ts";
import type { ChatMessage } from "../../model/language-model.ts";

/** The solver's assistant turn starts here, so solutions come out as "Step i:" paragraphs. */
export const solverPrefill = "Step 1:";
/** The reviewer's fixed opener (prefilled, and repeated in the demonstration). */
export const reviewOpener = "Let me review the lower-scored steps first and find the errors.\n\n";
/** The refiner's fixed opener. */
export const refineOpener =
  "Revised Solution:\nI will go through the solution and the teacher's feedback, then solve the problem again.\n\nStep 1:";

function answerInstruction(type: AnswerType): string {
  return type === "choice"
    ? "Finish with the letter of the correct option in \\boxed{}, e.g. \\boxed{B}."
    : "Put the final answer in \\boxed{}.";
}

/** The solver's zero-shot prompt. */
export function solverMessages(question: string, type: AnswerType): ChatMessage[] {
  return [
    {
      role: "user",
      content:
        `${question.trim()}\n\nSolve this step by step. Begin every step with "Step i:" and leave ` +
        `a blank line between steps. ${answerInstruction(type)}`,
    },
  ];
}

interface Demo {
  question: string;
  scored: string;
  feedback: string;
  refined: string;
}

/** Hand-written one-shot demonstrations: a flawed solution, its review, the fix. */
const demos: Record<"numeric" | "choice", Demo> = {
  numeric: {
    question:
      "A baker makes 24 muffins. She sells two thirds of them in the morning and half of the rest in the afternoon. How many muffins are left?",
    scored:
      "Step 1: Two thirds of 24 is 24 × 2/3 = 16 muffins sold in the morning. (Score: 9/10)\n\n" +
      "Step 2: Half of the rest is 24 / 2 = 12 muffins sold in the afternoon. (Score: 2/10)\n\n" +
      "Step 3: Left: 24 − 16 − 12 = −4, so the answer is \\boxed{-4}. (Score: 0/10)",
    feedback:
      "Step 1: correct, as its high score reflects: 16 muffins are sold in the morning.\n" +
      "Step 2: its low score signals an error: the rest is 24 − 16 = 8 muffins, so half of the rest is 4, not half of all 24.\n" +
      "Step 3: its low score signals an error carried over from Step 2: a count of muffins cannot be negative; with 4 sold in the afternoon, 24 − 16 − 4 remain.",
    refined:
      " Two thirds of 24 is 16, so 16 muffins are sold in the morning.\n\n" +
      "Step 2: The rest is 24 − 16 = 8 muffins; half of them, 4, are sold in the afternoon.\n\n" +
      "Step 3: Left: 8 − 4 = 4 muffins. The answer is \\boxed{4}.",
  },
  choice: {
    question: "Which number is prime?\n\nThe options are:\n(A) 21\n(B) 27\n(C) 29\n(D) 33",
    scored:
      "Step 1: 21 = 3 × 7, so 21 is not prime. (Score: 9/10)\n\n" +
      "Step 2: 27 has no small divisors, so 27 is prime. (Score: 1/10)\n\n" +
      "Step 3: The answer is \\boxed{B}. (Score: 0/10)",
    feedback:
      "Step 1: correct, as its high score reflects.\n" +
      "Step 2: its low score signals an error: 27 = 3 × 9, so it is not prime; the options left to check are 29 and 33.\n" +
      "Step 3: its low score signals an error that follows from Step 2: B cannot be right; check 29 (no divisor up to 5) and 33 = 3 × 11.",
    refined:
      " 21 = 3 × 7 and 27 = 3 × 9, so neither is prime.\n\n" +
      "Step 2: 33 = 3 × 11 is not prime; 29 has no divisor among 2, 3 and 5, so it is prime.\n\n" +
      "Step 3: The answer is \\boxed{C}.",
  },
};

function demoFor(type: AnswerType): Demo {
  return type === "choice" ? demos.choice : demos.numeric;
}

const reviewTask =
  "You will see a problem and a solution in which every step carries a correctness score out of 10 " +
  "(10 = certainly correct, 0 = certainly wrong). Look closely at the steps scored below 6. For each " +
  "step, say whether it is right; for each error, explain what is wrong and how to fix it. Do not " +
  "write a new solution.";

/** Reviewer chat: the one-shot demonstration, then the real problem, prefilled with the opener. */
export function reviewerMessages(
  question: string,
  scored: string,
  type: AnswerType,
): ChatMessage[] {
  const demo = demoFor(type);
  return [
    {
      role: "user",
      content: `${reviewTask}\n\nProblem:\n${demo.question}\n\nScored solution:\n${demo.scored}`,
    },
    { role: "assistant", content: `${reviewOpener}${demo.feedback}` },
    { role: "user", content: `Problem:\n${question.trim()}\n\nScored solution:\n${scored}` },
  ];
}

function refineTask(type: AnswerType): string {
  return (
    "You will see a problem, a solution whose steps carry correctness scores out of 10, and a " +
    "teacher's feedback on it. Fix the errors the feedback points out and write a better solution, " +
    `one "Step i:" paragraph per step. ${answerInstruction(type)}`
  );
}

/** Refiner chat: one-shot demonstration, then problem + scored solution + feedback. */
export function refinerMessages(
  question: string,
  scored: string,
  feedback: string,
  type: AnswerType,
): ChatMessage[] {
  const demo = demoFor(type);
  const turn = (q: string, s: string, f: string) =>
    `Problem:\n${q}\n\nScored solution:\n${s}\n\nTeacher's feedback:\n${f}`;
  return [
    {
      role: "user",
      content: `${refineTask(type)}\n\n${turn(demo.question, demo.scored, demo.feedback)}`,
    },
    { role: "assistant", content: `${refineOpener}${demo.refined}` },
    { role: "user", content: turn(question.trim(), scored, feedback.trim()) },
  ];
}
