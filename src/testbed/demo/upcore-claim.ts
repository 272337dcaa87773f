import type { Interval } from "../../evals/bootstrap.ts";
import { hierarchicalBootstrapMean } from "../../evals/hierarchical-bootstrap.ts";
import type { UnlearnMethod } from "../../methods/upcore/unlearn.ts";

/** The claim `chorus demo upcore` measures (pre-registered in docs/upcore.md). */
export const upcoreClaim =
  "UPCORE's coreset gives a larger deletion-utility AUC than the complete forget set and an equal-size random subset under each unlearning method, and the pruned facts are still forgotten";

export const upcoreSelections = ["upcore", "random", "complete"] as const;
export type UpcoreSelectionName = (typeof upcoreSelections)[number];

/** What one unlearning run (forget set × seed × method × selection) contributes to the verdict. */
export interface UpcoreRunSummary {
  forgetSet: string;
  seed: number;
  method: UnlearnMethod;
  selection: UpcoreSelectionName;
  trainItems: number;
  /** Deletion–utility AUC with utility = mean of neighbour and retain ROUGE, and each alone. */
  auc: { utility: number; neighbours: number; retain: number };
  forgetRouge: { start: number; end: number };
  utility: { start: number; end: number };
  /** ROUGE on the facts UPCORE pruned from this forget set (positive transfer). */
  prunedRouge: { start: number; end: number };
}

export interface UpcoreCheck {
  name: string;
  pass: boolean;
  detail: string;
}

export interface UpcoreMethodVerdict {
  method: UnlearnMethod;
  pairs: number;
  meanAuc: Record<UpcoreSelectionName, number>;
  /** Paired over (forget set, seed); hierarchical bootstrap over forget sets, then seeds. */
  deltaVsComplete: Interval;
  deltaVsRandom: Interval;
  prunedRouge: { start: number; end: number };
}

export interface UpcoreVerdict {
  reproduced: boolean;
  /** The recipe's precondition (it forgets), when the registration has one; else null. */
  precondition: UpcoreCheck | null;
  methods: UpcoreMethodVerdict[];
  /** Spearman ρ between variance and collateral damage over forget sets (≥ 3 sets), else null. */
  varianceDamageRho: number | null;
  /** The null world's reading: every method's ΔAUC(UPCORE − random) CI includes 0 or |Δ| < 0.01. */
  noDifference: boolean;
  checks: UpcoreCheck[];
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

function ranks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x);
  const r = new Array<number>(xs.length);
  for (let k = 0; k < order.length; ) {
    let end = k;
    while (end + 1 < order.length && order[end + 1]!.x === order[k]!.x) end++;
    for (let m = k; m <= end; m++) r[order[m]!.i] = (k + end) / 2 + 1;
    k = end + 1;
  }
  return r;
}

/** Spearman's rank correlation (average ranks for ties; NaN when either side is constant). */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const ma = mean(ra);
  const mb = mean(rb);
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < ra.length; i++) {
    num += (ra[i]! - ma) * (rb[i]! - mb);
    da += (ra[i]! - ma) ** 2;
    db += (rb[i]! - mb) ** 2;
  }
  return num / Math.sqrt(da * db);
}

const f3 = (x: number) => x.toFixed(3);
const ci = (i: Interval) => `${f3(i.mean)} [${f3(i.low)}, ${f3(i.high)}]`;

/**
 * The pre-registered decision rule: per method, ΔAUC(UPCORE − complete) and ΔAUC(UPCORE − random)
 * with 95% hierarchical bootstrap intervals above 0, and the pruned facts' ROUGE lower at the end
 * than at the start; with ≥ 3 forget sets also Spearman ρ(variance, collateral damage) > 0.
 * `variance` maps a forget set to its hidden-state variance before pruning. With
 * `forgetThreshold` (the `strong` recipe's registration) the claim also needs its precondition:
 * every forget set's complete-set runs end with forget ROUGE ≤ the threshold (the recipe forgets).
 */
export function judgeUpcoreClaim(
  runs: readonly UpcoreRunSummary[],
  variance: Readonly<Record<string, number>>,
  bootstrapSeed = 0,
  forgetThreshold?: number,
): UpcoreVerdict {
  const methods = [...new Set(runs.map((r) => r.method))];
  const sets = [...new Set(runs.map((r) => r.forgetSet))];
  const checks: UpcoreCheck[] = [];
  const verdicts = methods.map((method): UpcoreMethodVerdict => {
    const mine = runs.filter((r) => r.method === method);
    const find = (set: string, seed: number, selection: UpcoreSelectionName) =>
      mine.find((r) => r.forgetSet === set && r.seed === seed && r.selection === selection);
    const deltas = (other: UpcoreSelectionName) =>
      sets.map((set) =>
        [...new Set(mine.filter((r) => r.forgetSet === set).map((r) => r.seed))].flatMap((seed) => {
          const u = find(set, seed, "upcore");
          const o = find(set, seed, other);
          return u && o ? [u.auc.utility - o.auc.utility] : [];
        }),
      );
    const boot = { seed: bootstrapSeed, resamples: 2000 };
    const deltaVsComplete = hierarchicalBootstrapMean(deltas("complete"), boot);
    const deltaVsRandom = hierarchicalBootstrapMean(deltas("random"), boot);
    const upcoreRuns = mine.filter((r) => r.selection === "upcore");
    const prunedRouge = {
      start: mean(upcoreRuns.map((r) => r.prunedRouge.start)),
      end: mean(upcoreRuns.map((r) => r.prunedRouge.end)),
    };
    const meanAuc = Object.fromEntries(
      upcoreSelections.map((s) => [
        s,
        mean(mine.filter((r) => r.selection === s).map((r) => r.auc.utility)),
      ]),
    ) as Record<UpcoreSelectionName, number>;
    checks.push(
      {
        name: `${method}: AUC(UPCORE) − AUC(complete) > 0`,
        pass: deltaVsComplete.low > 0,
        detail: `${ci(deltaVsComplete)} over ${deltas("complete").flat().length} pairs`,
      },
      {
        name: `${method}: AUC(UPCORE) − AUC(random) > 0`,
        pass: deltaVsRandom.low > 0,
        detail: `${ci(deltaVsRandom)} over ${deltas("random").flat().length} pairs`,
      },
      {
        name: `${method}: pruned facts forgotten too (positive transfer)`,
        pass: prunedRouge.end < prunedRouge.start,
        detail: `pruned-fact ROUGE ${f3(prunedRouge.start)} → ${f3(prunedRouge.end)}`,
      },
    );
    return {
      method,
      pairs: deltas("complete").flat().length,
      meanAuc,
      deltaVsComplete,
      deltaVsRandom,
      prunedRouge,
    };
  });
  let varianceDamageRho: number | null = null;
  if (sets.length >= 3) {
    const damage = sets.map((set) =>
      mean(
        runs
          .filter((r) => r.forgetSet === set && r.selection === "complete")
          .map((r) => r.utility.start - r.utility.end),
      ),
    );
    varianceDamageRho = spearman(
      sets.map((s) => variance[s] ?? Number.NaN),
      damage,
    );
    checks.push({
      name: "collateral damage rises with hidden-state variance (Spearman ρ > 0)",
      pass: varianceDamageRho > 0,
      detail: `ρ = ${f3(varianceDamageRho)} over ${sets.length} forget sets`,
    });
  }
  const noDifference = verdicts.every(
    (v) =>
      (v.deltaVsRandom.low <= 0 && v.deltaVsRandom.high >= 0) ||
      Math.abs(v.deltaVsRandom.mean) < 0.01,
  );
  const precondition = forgetThreshold === undefined ? null : forgets(runs, sets, forgetThreshold);
  return {
    reproduced: checks.length > 0 && checks.every((c) => c.pass) && (precondition?.pass ?? true),
    precondition,
    methods: verdicts,
    varianceDamageRho,
    noDifference,
    checks,
  };
}

/** The recipe forgets: in every forget set the complete-set runs end at forget ROUGE ≤ threshold. */
function forgets(
  runs: readonly UpcoreRunSummary[],
  sets: readonly string[],
  threshold: number,
): UpcoreCheck {
  const ends = sets.map((set) =>
    mean(
      runs
        .filter((r) => r.forgetSet === set && r.selection === "complete")
        .map((r) => r.forgetRouge.end),
    ),
  );
  return {
    name: `the recipe forgets (complete-set forget ROUGE at the end ≤ ${threshold} in every forget set)`,
    pass: ends.length > 0 && ends.every((e) => e <= threshold),
    detail: `forget ROUGE at the end: ${ends.map(f3).join(", ")}`,
  };
}
