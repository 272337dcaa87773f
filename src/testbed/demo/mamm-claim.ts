import { bootstrapMean, type Interval } from "../../evals/bootstrap.ts";
import { SeededRandom } from "../../math/seeded-random.ts";

/** The claim as docs/mamm-refine.md pre-registers it. */
export const mammClaim =
  "MAMM-Refine (structural): multi-model detection beats multi-agent one-model detection, which beats one agent (balanced accuracy); RERANK beats GENERATE for critique and refine; refinement raises faithfulness and keeps unchanged sentences";

/** The arms' names in the run's records and report. */
export const mammArmNames = {
  one: "one-agent",
  multiAgent: "multi-agent",
  multiModel: "mamm-refine",
  generate: "generate",
  nullWorld: "null-identical",
} as const;

/** What one arm did on one summary (the method's record details, as the claim reads them). */
export interface ArmItemResult {
  /** Per sentence: gold unfaithful? */
  gold: boolean[];
  /** Per sentence: flagged (label "no") by the final detection. */
  flagged: boolean[];
  /** Per sentence: flagged by the second detector's first-round vote (multi-agent arms). */
  secondFirstRound: boolean[] | null;
  /** Flagged truly unfaithful sentences, and how many of their critiques were exact. */
  critiqued: number;
  critiqueExact: number;
  faithfulness: number;
  faithfulnessBefore: number;
  preserved: number;
}

/** Balanced accuracy (positive = unfaithful) pooled over the sentences of `items`. */
export function balancedAccuracy(
  pairs: readonly { gold: boolean[]; flagged: boolean[] }[],
): number {
  let tp = 0;
  let pos = 0;
  let tn = 0;
  let neg = 0;
  for (const { gold, flagged } of pairs)
    gold.forEach((g, i) => {
      if (g) {
        pos++;
        if (flagged[i]) tp++;
      } else {
        neg++;
        if (!flagged[i]) tn++;
      }
    });
  return ((pos ? tp / pos : 0) + (neg ? tn / neg : 0)) / 2;
}

/**
 * A pooled statistic of arm `a` minus arm `b` on the same summaries, with a paired percentile
 * bootstrap over summaries (b absent: the statistic itself).
 */
export function pairedBootstrap<T>(
  a: readonly T[],
  b: readonly T[] | null,
  stat: (xs: readonly T[]) => number,
  seed: number,
  resamples = 1000,
): Interval {
  const value = (idx: readonly number[]) =>
    stat(idx.map((i) => a[i]!)) - (b ? stat(idx.map((i) => b[i]!)) : 0);
  const all = a.map((_, i) => i);
  const rng = new SeededRandom(seed);
  const draws: number[] = [];
  for (let r = 0; r < resamples; r++) draws.push(value(all.map(() => rng.int(all.length))));
  draws.sort((x, y) => x - y);
  const at = (q: number) => draws[Math.min(resamples - 1, Math.floor(q * resamples))]!;
  return { mean: value(all), low: at(0.025), high: at(0.975) };
}

export interface MammCheck {
  name: string;
  pass: boolean;
  detail: string;
}

export interface MammVerdict {
  reproduced: boolean;
  precondition: { pass: boolean; det1m: number; detMini: number | null };
  balancedAccuracy: Record<string, Interval>;
  deltas: Record<string, Interval>;
  critiqueAccuracy: Record<string, number>;
  faithfulness: Record<string, Interval>;
  faithfulnessBefore: Interval;
  preserved: Record<string, number>;
  checks: MammCheck[];
  nullWorld: MammCheck;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}`;
const ci = (i: Interval) => `${pct(i.mean)} [${pct(i.low)}, ${pct(i.high)}]`;

/** The pre-registered verdict from every arm's per-summary results (same summaries, same order). */
export function mammVerdict(
  arms: Record<string, readonly ArmItemResult[]>,
  seed: number,
): MammVerdict {
  const N = mammArmNames;
  const get = (name: string) => {
    const r = arms[name];
    if (!r) throw new Error(`no results for arm ${name}`);
    return r;
  };
  const ba = (xs: readonly ArmItemResult[]) => balancedAccuracy(xs);
  const baSecond = (xs: readonly ArmItemResult[]) =>
    balancedAccuracy(xs.map((x) => ({ gold: x.gold, flagged: x.secondFirstRound ?? x.flagged })));
  const balanced = Object.fromEntries(
    Object.values(N).map((n) => [n, pairedBootstrap(get(n), null, ba, seed)]),
  );
  const delta = (a: string, b: string) => pairedBootstrap(get(a), get(b), ba, seed);
  const deltas = {
    "multi-model − multi-agent": delta(N.multiModel, N.multiAgent),
    "multi-agent − one agent": delta(N.multiAgent, N.one),
    "null world − one agent": delta(N.nullWorld, N.one),
  };
  const critiqueAccuracy = Object.fromEntries(
    Object.values(N).map((n) => {
      const xs = get(n);
      const done = xs.reduce((s, x) => s + x.critiqued, 0);
      return [n, done ? xs.reduce((s, x) => s + x.critiqueExact, 0) / done : 0];
    }),
  );
  const faith = (n: string) => get(n).map((x) => x.faithfulness);
  const faithfulness = Object.fromEntries(
    Object.values(N).map((n) => [n, bootstrapMean(faith(n), { seed })]),
  );
  const before = get(N.multiModel).map((x) => x.faithfulnessBefore);
  const preserved = Object.fromEntries(
    Object.values(N).map((n) => {
      const xs = get(n);
      return [n, xs.reduce((s, x) => s + x.preserved, 0) / xs.length];
    }),
  );
  const det1m = ba(get(N.one));
  const detMini = baSecond(get(N.multiModel));
  const rerankVsGenerate = bootstrapMean(faith(N.multiModel), { seed, paired: faith(N.generate) });
  const refineGain = bootstrapMean(faith(N.multiModel), { seed, paired: before });
  const d1 = deltas["multi-model − multi-agent"];
  const d2 = deltas["multi-agent − one agent"];
  const checks: MammCheck[] = [
    {
      name: "multi-model > multi-agent detection (BA, CI > 0)",
      pass: d1.low > 0,
      detail: `Δ ${ci(d1)} points`,
    },
    {
      name: "multi-agent > one agent detection (BA, CI > 0)",
      pass: d2.low > 0,
      detail: `Δ ${ci(d2)} points`,
    },
    {
      name: "RERANK > GENERATE critique accuracy",
      pass: critiqueAccuracy[N.multiModel]! > critiqueAccuracy[N.generate]!,
      detail: `${pct(critiqueAccuracy[N.multiModel]!)}% vs ${pct(critiqueAccuracy[N.generate]!)}%`,
    },
    {
      name: "RERANK > GENERATE final faithfulness (CI > 0)",
      pass: rerankVsGenerate.low > 0,
      detail: `Δ ${ci(rerankVsGenerate)} points`,
    },
    {
      name: "refinement raises faithfulness (CI > 0), preservation ≥ 90%",
      pass: refineGain.low > 0 && preserved[N.multiModel]! >= 0.9,
      detail: `Δ ${ci(refineGain)} points over the input; preserved ${pct(preserved[N.multiModel]!)}%`,
    },
  ];
  const dn = deltas["null world − one agent"];
  const nullWorld: MammCheck = {
    name: "null world: identical detectors give no multi-agent gain (CI contains 0)",
    pass: dn.low <= 0 && dn.high >= 0,
    detail: `Δ ${ci(dn)} points`,
  };
  const precondition = { pass: det1m >= 0.6 && detMini >= 0.6, det1m, detMini };
  return {
    reproduced: precondition.pass && nullWorld.pass && checks.every((c) => c.pass),
    precondition,
    balancedAccuracy: balanced,
    deltas: {
      ...deltas,
      "RERANK − GENERATE faithfulness": rerankVsGenerate,
      "refined − input faithfulness": refineGain,
    },
    critiqueAccuracy,
    faithfulness,
    faithfulnessBefore: bootstrapMean(before, { seed }),
    preserved,
    checks,
    nullWorld,
  };
}
