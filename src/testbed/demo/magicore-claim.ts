/**
 * The pre-registered decision rule of `chorus demo magicore` (docs/magicore.md, "Testbed
 * measurement"): read from the eval run's records, with paired bootstrap CIs over problems.
 */
import { checkAnswer } from "../../evals/answers/check-answer.ts";
import { bootstrapMean, type Interval } from "../../evals/bootstrap.ts";
import type { EvalRecord } from "../../evals/eval-record.ts";

export const magicoreClaim =
  "one MAgICoRe iteration beats SC@k and Best-of-k at <= 50% of SC@3k's generated tokens; accuracy does not drop over iterations 1->3; AND triage refines <= 30% of problems with accuracy >= OR triage";

/** The eval's method names (MAgICoRe first). */
export const magicoreMethods = {
  magicore: "magicore",
  or: "magicore-or",
  sc: "self-consistency",
  bestOfK: "best-of-k",
  rmVote: "rm-vote",
  sc3k: "self-consistency-3k",
  rmVote3k: "rm-vote-3k",
} as const;

/** The pre-registered precondition: single-sample solver accuracy on the test chains. */
export const minSingleSample = 0.2;

export interface MagicoreCheck {
  name: string;
  pass: boolean;
  detail: string;
}

/** One MAgICoRe iteration as the trace records it (the fields the verdict reads). */
interface TraceStep {
  iteration: number;
  hard: boolean;
  answer: string | null;
  pool?: { answer: string | null; orm: number; prm: number[] }[];
}

export interface MagicoreVerdict {
  n: number;
  singleSampleAccuracy: number;
  precondition: boolean;
  /** Accuracy (with bootstrap CI) of every method, plus MAgICoRe after iterations 1, 2, 3. */
  accuracy: Record<string, Interval>;
  /** MAgICoRe@1 minus SC@k and minus Best-of-k, paired. */
  delta: { sc: Interval; bestOfK: Interval; rmVote: Interval; iter3MinusIter1: Interval };
  /** Generated tokens per problem of every method, and of MAgICoRe@1. */
  tokensPerProblem: Record<string, number>;
  /** Share of problems refined (hard) per iteration, AND and OR triage. */
  refinedShare: { and: number[]; or: number };
  checks: MagicoreCheck[];
  reproduced: boolean;
  /** Null-world reading: AND refines ≤ 5% and |MAgICoRe@1 − RM-vote| ≤ 2 points. */
  noRefinement: boolean;
}

const pct = (x: number) => (100 * x).toFixed(1);
const ci = (d: Interval) => `${pct(d.mean)} [${pct(d.low)}, ${pct(d.high)}] points`;

/** The answer after iteration `t` (1-based): the last recorded iteration up to t. */
export function answerAfter(trace: readonly TraceStep[], t: number, initial: string | null) {
  const upTo = trace.filter((s) => s.iteration <= t);
  return upTo.length > 0 ? upTo.at(-1)!.answer : initial;
}

/**
 * The verdict from the run's records. `roundTokens` are MAgICoRe's (AND) review + refine tokens
 * per problem of round 1; MAgICoRe@1's tokens = SC@k's (the same k samples) + round 1's.
 */
export function magicoreVerdict(
  records: readonly EvalRecord[],
  roundOneTokens: ReadonlyMap<string, number>,
  seed: number,
): MagicoreVerdict {
  const by = (method: string) => records.filter((r) => r.method === method);
  const main = by(magicoreMethods.magicore);
  const ids = main.map((r) => r.itemId);
  const order = (method: string) => {
    const m = new Map(by(method).map((r) => [r.itemId, r]));
    return ids.map((id) => m.get(id)!);
  };
  const hits = (method: string) => order(method).map((r) => (r?.correct ? 1 : 0));
  const traces = main.map((r) => (r.details?.["iterations"] ?? []) as TraceStep[]);
  const atIteration = (t: number) =>
    main.map((r, i) => {
      const a = answerAfter(traces[i]!, t, (r.details?.["initialAnswer"] as string | null) ?? null);
      return checkAnswer(a ?? undefined, r.gold, "number") ? 1 : 0;
    });
  const interval = (v: number[]) => bootstrapMean(v, { seed });
  const paired = (a: number[], b: number[]) => bootstrapMean(a, { paired: b, seed });

  const accuracy: Record<string, Interval> = {};
  for (const name of Object.values(magicoreMethods)) accuracy[name] = interval(hits(name));
  const iter = [1, 2, 3].map(atIteration);
  iter.forEach((v, t) => {
    accuracy[`magicore@${t + 1}`] = interval(v);
  });
  const delta = {
    sc: paired(iter[0]!, hits(magicoreMethods.sc)),
    bestOfK: paired(iter[0]!, hits(magicoreMethods.bestOfK)),
    rmVote: paired(iter[0]!, hits(magicoreMethods.rmVote)),
    iter3MinusIter1: paired(iter[2]!, iter[0]!),
  };

  const samples = main.map((r, i) => {
    const pool = traces[i]![0]?.pool ?? [];
    const right = pool.filter((s) => checkAnswer(s.answer ?? undefined, r.gold, "number")).length;
    return pool.length === 0 ? 0 : right / pool.length;
  });
  const singleSampleAccuracy = mean(samples);
  const generated = (method: string) => mean(order(method).map((r) => r?.usage.outputTokens ?? 0));
  const tokensPerProblem: Record<string, number> = {};
  for (const name of Object.values(magicoreMethods)) tokensPerProblem[name] = generated(name);
  tokensPerProblem["magicore@1"] =
    generated(magicoreMethods.sc) + mean(ids.map((id) => roundOneTokens.get(id) ?? 0));

  const share = (t: TraceStep[][], iteration: number) =>
    mean(t.map((tr) => (tr.find((s) => s.iteration === iteration)?.hard ? 1 : 0)));
  const orTraces = order(magicoreMethods.or).map(
    (r) => (r?.details?.["iterations"] ?? []) as TraceStep[],
  );
  const refinedShare = { and: [1, 2, 3].map((t) => share(traces, t)), or: share(orTraces, 1) };

  const a = (name: string) => accuracy[name]!.mean;
  const ratio =
    tokensPerProblem["magicore@1"]! / Math.max(1, tokensPerProblem[magicoreMethods.sc3k]!);
  const checks: MagicoreCheck[] = [
    {
      name: "MAgICoRe@1 beats SC@k and Best-of-k (CIs above 0)",
      pass: delta.sc.low > 0 && delta.bestOfK.low > 0,
      detail: `− SC@k ${ci(delta.sc)}; − Best-of-k ${ci(delta.bestOfK)}`,
    },
    {
      name: "MAgICoRe@1 uses ≤ 50% of SC@3k's generated tokens",
      pass: ratio <= 0.5,
      detail: `${tokensPerProblem["magicore@1"]!.toFixed(0)} vs ${tokensPerProblem[magicoreMethods.sc3k]!.toFixed(0)} tokens per problem (${(100 * ratio).toFixed(0)}%)`,
    },
    {
      name: "accuracy does not drop over iterations 1→3",
      pass: a("magicore@3") >= a("magicore@1"),
      detail: `${pct(a("magicore@1"))}% → ${pct(a("magicore@2"))}% → ${pct(a("magicore@3"))}%`,
    },
    {
      name: "AND triage refines ≤ 30% with accuracy ≥ OR triage",
      pass: refinedShare.and[0]! <= 0.3 && a("magicore@1") >= a(magicoreMethods.or),
      detail: `AND refines ${pct(refinedShare.and[0]!)}% (accuracy ${pct(a("magicore@1"))}%), OR refines ${pct(refinedShare.or)}% (accuracy ${pct(a(magicoreMethods.or))}%)`,
    },
  ];
  const precondition = singleSampleAccuracy >= minSingleSample;
  return {
    n: ids.length,
    singleSampleAccuracy,
    precondition,
    accuracy,
    delta,
    tokensPerProblem,
    refinedShare,
    checks,
    reproduced: precondition && checks.every((c) => c.pass),
    noRefinement: refinedShare.and[0]! <= 0.05 && Math.abs(delta.rmVote.mean) <= 0.02,
  };
}

function mean(v: readonly number[]): number {
  return v.length === 0 ? 0 : v.reduce((x, y) => x + y, 0) / v.length;
}
