/**
 * The texts MAgICoRe's roles read and write on Abacus chains, in the world's own words (one token
 * per word for abacus-1m; English instructions would be long byte runs past its 320 tokens):
 * solutions are the corpus's `step i : … .` sentences, one per line so the method's step splitter
 * sees them, and the labels that train the reward models are exact (gold steps are known).
 */
import { splitSteps } from "../../methods/magicore/steps.ts";
import { abacusFinalAnswer } from "../abacus/abacus-answer.ts";
import { readNumber } from "../abacus/digits.ts";

/** The step tag of the reward models: a world word (Math-Shepherd's `ки` is not in the vocabulary). */
export const stepTag = "?";
/** What the Reviewer prompt ends with; it answers with the first wrong step recomputed. */
export const reviewCue = "which step ?";

/** The solver's prompt: the corpus's question form. */
export function solverPrompt(question: string): string {
  return `Q: ${question.trim()} A:`;
}

/** The reward models' question: the solver prompt (the PRM appends the tagged steps). */
export const rewardQuestion = solverPrompt;

/**
 * A completion as the method's solution text: each `step i :` sentence on its own line (the
 * `answer : … .` tail stays with the last step), only the first task (a model that runs on into a
 * next `Q:` is cut there). Text without steps is kept on one line.
 */
export function solutionText(completion: string): string {
  const first = completion
    .split(/(?:^|\s)Q:/)[0]!
    .replace(/\s+/g, " ")
    .trim();
  return first
    .split(/ (?=step (?:\d )+:)/)
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .join("\n");
}

/** The steps of a solution as the method splits them (one line each). */
export function solutionSteps(text: string): string[] {
  return splitSteps(text).map((s) => s.replace(/\s+/g, " ").trim());
}

/** A solution on one line, as the solver wrote it. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/**
 * The canonical answer of a solution (the method's vote bucket): the number after `answer :`, as
 * decimal digits; null when there is none. Signature of the method's `AnswerParser`.
 */
export function chainAnswer(text: string): string | null {
  const words = abacusFinalAnswer("chain", oneLine(text));
  const n = readNumber(words);
  return words === "" || Number.isNaN(n) ? null : String(n);
}

/**
 * Exact step labels (Math-Shepherd's `+`/`-`): a step is right iff it equals the gold solution's
 * step of the same index (a chain is one dependency path, so the order is fixed); from the first
 * differing step on, every step is wrong.
 */
export function stepLabels(steps: readonly string[], goldSteps: readonly string[]): boolean[] {
  const firstError = steps.findIndex((s, i) => oneLine(s) !== oneLine(goldSteps[i] ?? ""));
  return steps.map((_, i) => firstError < 0 || i < firstError);
}

/** Index of the first wrong step (steps.length when none is wrong). */
export function firstError(steps: readonly string[], goldSteps: readonly string[]): number {
  const labels = stepLabels(steps, goldSteps);
  const i = labels.indexOf(false);
  return i < 0 ? steps.length : i;
}

/**
 * The method's scored solution (`(Score: n/10)` after each step, blank lines between) in world
 * words: `( n )` after each step, digits spaced as the world writes numbers, on one line.
 */
export function worldScored(scored: string): string {
  return oneLine(
    scored.replace(/\s*\(Score: (\d+)\/10\)/g, (_, n: string) => ` ( ${n.split("").join(" ")} )`),
  );
}

/** The steps of a scored solution without its scores. */
export function unscoredSteps(scored: string): string[] {
  return solutionSteps(scored.replace(/\s*\(Score: \d+\/10\)/g, ""));
}

/** The Reviewer's prompt: the question and the scored solution, then the cue. */
export function reviewerPrompt(question: string, scored: string): string {
  return `${solverPrompt(question)} ${worldScored(scored)} ${reviewCue}`;
}

/**
 * The step a review names: its index (0-based) and its sentence up to the closing ` .`; null when
 * the review does not start with a `step i :` sentence.
 */
export function flaggedStep(review: string): { index: number; text: string } | null {
  const m = /step ((?:\d )+): (.*?) \.(?:\s|$)/.exec(oneLine(review));
  if (!m) return null;
  const index = readNumber(m[1]!) - 1;
  if (!Number.isInteger(index) || index < 0) return null;
  return { index, text: `step ${m[1]}: ${m[2]} .` };
}

/**
 * The Refiner's prompt: the question, the solution's steps before the flagged one and the
 * feedback's step; it writes the rest (the 320-token context leaves no room for the whole scored
 * solution as well). Without a flagged step it starts the solution afresh.
 */
export function refinerPrompt(question: string, scored: string, feedback: string): string {
  const flag = flaggedStep(feedback);
  if (!flag) return solverPrompt(question);
  const kept = unscoredSteps(scored).slice(0, flag.index);
  return oneLine(`${solverPrompt(question)} ${kept.join(" ")} ${flag.text}`);
}

/** The refined solution: what the Refiner was given after `A:` plus what it wrote. */
export function refinedSolution(prompt: string, continuation: string): string {
  const given = prompt.slice(prompt.indexOf(" A:") + 3);
  return solutionText(`${given} ${continuation}`);
}
