/**
 * Chain problems for MAgICoRe's testbed measurement and the training examples of its four
 * trained roles, built from solver samples with exact labels (magicore-format.ts).
 */
import type { EvalItem } from "../../evals/eval-item.ts";
import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import { renderScoredSolution } from "../../methods/magicore/steps.ts";
import { type ChainShape, chainTask } from "../abacus/chain-skill.ts";
import { readNumber } from "../abacus/digits.ts";
import {
  chainAnswer,
  firstError,
  flaggedStep,
  oneLine,
  refinerPrompt,
  reviewerPrompt,
  rewardQuestion,
  solutionSteps,
  solutionText,
  stepTag,
} from "./magicore-format.ts";

/** One chain problem: the question, the answer (decimal) and the gold solution (one step a line). */
export interface ChainProblem {
  id: string;
  question: string;
  answer: string;
  gold: string;
}

/** `n` chains of `shape` from the `purpose` stream of `seed` (training and test never share one). */
export function chainProblems(
  seed: number,
  purpose: "train" | "test",
  n: number,
  shape: ChainShape,
): ChainProblem[] {
  const rng = new SeededRandom(deriveSeed(seed, `magicore-${purpose}`));
  return Array.from({ length: n }, (_, i) => {
    const task = chainTask(rng, shape);
    return {
      id: `${purpose}-chain-${String(i).padStart(4, "0")}`,
      question: task.question,
      answer: String(readNumber(task.answer)),
      gold: solutionText(task.solution),
    };
  });
}

/** Test problems as eval items (numeric answers; the method never sees the gold solution). */
export function chainItems(problems: readonly ChainProblem[]): EvalItem[] {
  return problems.map((p) => ({
    id: p.id,
    question: p.question,
    answer: p.answer,
    answerType: "number" as const,
    meta: {},
  }));
}

/** A training pair in the trainer's SFT form. */
export interface Example {
  prompt: string;
  completion: string;
}

/** The text `MathShepherdPrm` scores up to step `upTo`'s tag (its `taggedText`, tag `?`). */
export function taggedPrefix(question: string, steps: readonly string[], upTo: number): string {
  const tagged = steps.slice(0, upTo + 1).map((s) => `${s.trim()} ${stepTag}`);
  return `${rewardQuestion(question).trim()} ${tagged.join("\n")}`;
}

const label = (right: boolean) => (right ? " +" : " -");

/** A solver sample of a training problem. */
export interface Sample {
  problem: ChainProblem;
  text: string;
}

/** ORM examples: the whole solution as one tagged step, `+` iff its answer is right. */
export function ormExamples(samples: readonly Sample[]): Example[] {
  return samples.map(({ problem, text }) => ({
    prompt: taggedPrefix(problem.question, [oneLine(text)], 0),
    completion: label(chainAnswer(text) === problem.answer),
  }));
}

/**
 * PRM examples (exact first-error labels): per sample, its first wrong step (`-`) and one earlier
 * step (`+`, drawn by `rng`); a right solution gives its last step (`+`).
 */
export function prmExamples(samples: readonly Sample[], rng: SeededRandom): Example[] {
  return samples.flatMap(({ problem, text }) => {
    const steps = solutionSteps(text);
    if (steps.length === 0) return [];
    const e = firstError(steps, solutionSteps(problem.gold));
    const out: Example[] = [];
    if (e < steps.length)
      out.push({ prompt: taggedPrefix(problem.question, steps, e), completion: label(false) });
    const right = e;
    if (right > 0) {
      const j = e < steps.length ? rng.int(right) : right - 1;
      out.push({ prompt: taggedPrefix(problem.question, steps, j), completion: label(true) });
    }
    return out;
  });
}

/**
 * Reviewer and Refiner examples from wrong samples whose first error is a step the gold solution
 * has: the Reviewer reads the solution scored by the trained PRM (`stepScores`) and writes the
 * gold step there; the Refiner gets that feedback and writes the gold continuation.
 */
export function critiqueExamples(
  samples: readonly Sample[],
  stepScores: readonly number[][],
): { reviewer: Example[]; refiner: Example[] } {
  const reviewer: Example[] = [];
  const refiner: Example[] = [];
  samples.forEach(({ problem, text }, i) => {
    const steps = solutionSteps(text);
    const gold = solutionSteps(problem.gold);
    const e = firstError(steps, gold);
    if (chainAnswer(text) === problem.answer || e >= gold.length) return;
    const flag = flaggedStep(gold[e]!);
    if (!flag) return;
    const scored = renderScoredSolution(steps, stepScores[i]!);
    reviewer.push({
      prompt: reviewerPrompt(problem.question, scored),
      completion: ` ${flag.text}`,
    });
    const prompt = refinerPrompt(problem.question, scored, flag.text);
    const given = oneLine(prompt.slice(prompt.indexOf(" A:") + 3));
    const goldLine = oneLine(problem.gold);
    if (!goldLine.startsWith(given)) return;
    const rest = goldLine.slice(given.length).trim();
    if (rest !== "") refiner.push({ prompt, completion: ` ${rest}` });
  });
  return { reviewer, refiner };
}
