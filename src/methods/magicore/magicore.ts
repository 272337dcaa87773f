import type { AnswerType } from "../../evals/answers/extract-answer.ts";
import { mathEquivalent } from "../../evals/answers/math-equivalent.ts";
import type { MagicoreAgents, Tagged } from "./agents.ts";
import {
  classifyDifficulty,
  type Difficulty,
  type EmptyMajority,
  type HardRule,
} from "./classify.ts";
import {
  makeSolution,
  type RewardStats,
  rewardStats,
  type ScoredAnswer,
  type Solution,
  scoredAnswer,
} from "./solution.ts";
import { renderScoredSolution, splitSteps } from "./steps.ts";
import { majorityAnswer, topK, weightedVote } from "./vote.ts";

/** MAgICoRe settings; defaults are the official code's. */
export interface MagicoreOptions {
  /** Solutions per problem per iteration (default 40). */
  k?: number;
  /** Maximum refinement iterations (default 3; the paper's headline uses 1). */
  iterations?: number;
  /** How low quality and low confidence combine (default "and", as the code). */
  hardRule?: HardRule;
  /** Pool classified and refined in the next iteration (default "refined", code parity). */
  nextPool?: "refined" | "mergedTopK";
  /** Empty majority set (the code's NaN bug): see EmptyMajority (default "recompute"). */
  emptyMajority?: EmptyMajority;
  /**
   * Answer when a later iteration is easy: "revote" over that iteration's pool (code parity,
   * default) or "keep" the answer of the previous iteration.
   */
  easyAnswer?: "revote" | "keep";
  /** Dataset μ/σ of R; when left out, computed from the first solution of each given problem. */
  stats?: RewardStats;
}

/** One problem to solve. */
export interface MagicoreProblem {
  id: string;
  question: string;
  answerType: AnswerType;
  /** Options of a multiple-choice question (letters beyond it are not answers). */
  choiceCount?: number;
}

/** One iteration's decision for one problem. */
export interface IterationTrace extends Difficulty {
  iteration: number;
  /** Answer after this iteration. */
  answer: string | null;
  /** Refined solutions' answers (hard iterations only). */
  refinedAnswers?: (string | null)[];
  /**
   * The pool this iteration triaged: each solution's answer, ORM and PRM step scores. Left out
   * when it is the previous iteration's `refined` (the default `nextPool`).
   */
  pool?: ScoredAnswer[];
  /** The refined solutions' scores, in pool order (hard iterations only). */
  refined?: ScoredAnswer[];
}

/** The outcome for one problem: the answer, the final pool, and the decisions made. */
export interface MagicoreResult {
  id: string;
  answer: string | null;
  /** RM-weighted vote over the k initial samples (the "RM-weighted SC" baseline on the same samples). */
  initialAnswer: string | null;
  /** Majority answer of the initial samples. */
  majority: string | null;
  pool: Solution[];
  trace: IterationTrace[];
  /** Model calls by role. */
  calls: { solver: number; reviewer: number; refiner: number };
  /** Initial samples (reused by the self-consistency / best-of-k baselines). */
  initialPool: Solution[];
}

/** Parses a solution text into its canonical answer (null when none). */
export type AnswerParser = (text: string, type: AnswerType, choiceCount?: number) => string | null;

/**
 * Scores solution texts with the ORM and PRM (batched over all problems) into Solutions.
 * Unparseable answers get PRM `[0]` without calling the PRM.
 */
export async function annotate(
  batches: readonly { problem: MagicoreProblem; texts: readonly string[] }[],
  agents: MagicoreAgents,
  parse: AnswerParser,
): Promise<Solution[][]> {
  const parsed = batches.map(({ problem, texts }) =>
    texts.map((text) => ({
      text,
      steps: splitSteps(text),
      answer: parse(text, problem.answerType, problem.choiceCount),
    })),
  );
  const ormJobs: Tagged<{ question: string; solution: string }>[] = [];
  const prmJobs: Tagged<{ question: string; steps: string[] }>[] = [];
  const prmIndex: Array<[number, number]> = [];
  batches.forEach(({ problem }, b) => {
    parsed[b]!.forEach((s, i) => {
      ormJobs.push({
        problemId: problem.id,
        value: { question: problem.question, solution: s.text },
      });
      if (s.answer !== null && s.steps.length > 0) {
        prmJobs.push({
          problemId: problem.id,
          value: { question: problem.question, steps: s.steps },
        });
        prmIndex.push([b, i]);
      }
    });
  });
  const [orm, prm] = await Promise.all([agents.orm(ormJobs), agents.prm(prmJobs)]);
  const stepScores = new Map<string, number[]>();
  prmIndex.forEach(([b, i], j) => {
    stepScores.set(`${b}:${i}`, prm[j]!);
  });
  let at = 0;
  return parsed.map((solutions, b) =>
    solutions.map((s, i) =>
      makeSolution(s.text, s.steps, s.answer, orm[at++]!, stepScores.get(`${b}:${i}`) ?? [0]),
    ),
  );
}

/**
 * MAgICoRe over a set of problems (spec §3): k solver samples each, ORM + PRM annotation, μ/σ from
 * the first solution of each problem (unless given), then per problem up to `iterations` rounds of
 * easy/hard triage; hard problems get a Reviewer and a Refiner call per solution, the refined
 * solutions are scored, and the answer is the RM-weighted vote over the top k of old ∪ refined.
 * Work is batched by phase across problems. `initial` lets callers pass existing samples (shared
 * with baselines) instead of calling the solver.
 */
export async function runMagicore(
  problems: readonly MagicoreProblem[],
  agents: MagicoreAgents,
  parse: AnswerParser,
  options: MagicoreOptions = {},
  initial?: ReadonlyMap<string, Solution[]>,
): Promise<MagicoreResult[]> {
  const k = options.k ?? 40;
  const iterations = options.iterations ?? 3;
  const nextPool = options.nextPool ?? "refined";
  const calls = new Map(problems.map((p) => [p.id, { solver: 0, reviewer: 0, refiner: 0 }]));

  const pools = await initialPools(problems, agents, parse, k, calls, initial);
  const stats = options.stats ?? rewardStats(pools.map((pool) => pool[0]!).filter(Boolean));

  const state = problems.map((problem, i) => {
    const pool = pools[i]!;
    const answer = weightedVote(pool);
    return {
      problem,
      initialPool: pool,
      majority: majorityAnswer(pool.map((s) => s.answer)),
      initialAnswer: answer,
      answer,
      work: pool,
      merged: pool,
      done: false,
      trace: [] as IterationTrace[],
    };
  });

  for (let t = 0; t < iterations; t++) {
    const hard: typeof state = [];
    for (const s of state) {
      if (s.done) continue;
      const decision = classifyDifficulty(s.work, s.majority, stats, {
        equivalent: answersEquivalent(s.problem.answerType),
        ...(options.hardRule ? { rule: options.hardRule } : {}),
        ...(options.emptyMajority ? { emptyMajority: options.emptyMajority } : {}),
      });
      // the scores of the pool triaged, unless it is the last iteration's refined pool (recorded
      // there): a record stays small with k = 40
      const pool = t === 0 || nextPool !== "refined" ? { pool: s.work.map(scoredAnswer) } : {};
      if (!decision.hard) {
        if (t > 0 && (options.easyAnswer ?? "revote") === "revote") s.answer = weightedVote(s.work);
        s.trace.push({ iteration: t + 1, ...decision, answer: s.answer, ...pool });
        s.done = true;
        continue;
      }
      s.trace.push({ iteration: t + 1, ...decision, answer: null, ...pool });
      hard.push(s);
    }
    if (hard.length === 0) break;

    const scoredJobs = hard.flatMap((s) =>
      s.work.map((sol) => ({
        problemId: s.problem.id,
        value: { question: s.problem.question, scored: renderScoredSolution(sol.steps, sol.prm) },
      })),
    );
    const feedback = await agents.review(scoredJobs);
    const refinedTexts = await agents.refine(
      scoredJobs.map((job, j) => ({ ...job, value: { ...job.value, feedback: feedback[j]! } })),
    );
    let at = 0;
    const batches = hard.map((s) => {
      const texts = refinedTexts.slice(at, at + s.work.length);
      at += s.work.length;
      const c = calls.get(s.problem.id)!;
      c.reviewer += s.work.length;
      c.refiner += s.work.length;
      return { problem: s.problem, texts };
    });
    const refined = await annotate(batches, agents, parse);
    hard.forEach((s, i) => {
      const fresh = refined[i]!;
      const merged = topK([...s.work, ...fresh], k);
      s.answer = weightedVote(merged);
      const trace = s.trace.at(-1)!;
      trace.answer = s.answer;
      trace.refinedAnswers = fresh.map((f) => f.answer);
      trace.refined = fresh.map(scoredAnswer);
      s.merged = merged;
      s.work = nextPool === "refined" ? fresh : merged;
    });
  }

  return state.map((s) => ({
    id: s.problem.id,
    answer: s.answer,
    initialAnswer: s.initialAnswer,
    majority: s.majority,
    pool: s.merged,
    trace: s.trace,
    calls: calls.get(s.problem.id)!,
    initialPool: s.initialPool,
  }));
}

/** Condition 1's answer equivalence: math equivalence for math/number answers, else identity. */
function answersEquivalent(type: AnswerType) {
  return (a: string | null, b: string | null) =>
    a === b || (a !== null && b !== null && type !== "choice" && mathEquivalent(a, b));
}

async function initialPools(
  problems: readonly MagicoreProblem[],
  agents: MagicoreAgents,
  parse: AnswerParser,
  k: number,
  calls: Map<string, { solver: number }>,
  initial?: ReadonlyMap<string, Solution[]>,
): Promise<Solution[][]> {
  const missing = problems.filter((p) => !initial?.has(p.id));
  // a pool passed in was still sampled by the solver once (possibly shared with a baseline)
  for (const p of problems) if (initial?.has(p.id)) calls.get(p.id)!.solver += 1;
  const texts =
    missing.length === 0
      ? []
      : await agents.solve(
          missing.map((p) => ({ problemId: p.id, value: { question: p.question, k } })),
        );
  for (const p of missing) calls.get(p.id)!.solver += 1;
  const annotated = await annotate(
    missing.map((problem, i) => ({ problem, texts: texts[i]! })),
    agents,
    parse,
  );
  const byId = new Map(missing.map((p, i) => [p.id, annotated[i]!]));
  return problems.map((p) => initial?.get(p.id) ?? byId.get(p.id)!);
}
