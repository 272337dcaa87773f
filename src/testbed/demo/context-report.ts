import { bootstrapMean, type Interval } from "../../evals/bootstrap.ts";
import { auroc } from "../../evals/metrics/auroc.ts";
import type { ContextSet } from "./context-items.ts";
import { type DemoDecoding, demoDecodingNames, type ItemOutcome } from "./context-run.ts";

/** One pre-registered check of the AdaCAD claim (docs/testbed.md) and whether it held. */
export interface ClaimCheck {
  name: string;
  /** The measured value the check compares (points, or an AUROC). */
  value: number;
  threshold: number;
  ci?: Interval;
  passed: boolean;
}

/** Everything the demo reports: accuracies with 95% CIs, paired differences, α, the claim. */
export interface ContextReport {
  n: Record<ContextSet | "mixed", number>;
  /** Accuracy in percent per decoding, per set and on the 50/50 conflict+agreeing mix. */
  accuracy: Record<DemoDecoding, Record<ContextSet | "mixed", Interval>>;
  /** AdaCAD minus each baseline, paired over items, in points. */
  delta: Record<"greedy" | "cad", Record<ContextSet | "mixed", Interval>>;
  meanAlpha: Record<ContextSet, number>;
  /** How well AdaCAD's mean α tells conflicting from agreeing contexts. */
  alphaAuroc: number;
  checks: ClaimCheck[];
  /** The headline claim: the first two checks (the design's minimum effects) both hold. */
  reproduced: boolean;
}

export const adacadClaim = "AdaCAD beats greedy on conflicting and CAD on agreeing contexts";

const sets: ContextSet[] = ["conflict", "agreeing", "context-only"];
const pct = (i: Interval): Interval => ({
  mean: 100 * i.mean,
  low: 100 * i.low,
  high: 100 * i.high,
});

/** Builds the report from per-item outcomes; `seed` fixes the bootstrap resamples. */
export function contextReport(items: readonly ItemOutcome[], seed = 0): ContextReport {
  const bySet = (s: ContextSet | "mixed") =>
    s === "mixed"
      ? items.filter((i) => i.set === "conflict" || i.set === "agreeing")
      : items.filter((i) => i.set === s);
  const scores = (rows: readonly ItemOutcome[], d: DemoDecoding) =>
    rows.map((r) => (r.outcomes[d].correct ? 1 : 0));
  const all = [...sets, "mixed"] as const;
  const n = Object.fromEntries(all.map((s) => [s, bySet(s).length])) as ContextReport["n"];
  const accuracy = Object.fromEntries(
    demoDecodingNames.map((d) => [
      d,
      Object.fromEntries(all.map((s) => [s, pct(bootstrapMean(scores(bySet(s), d), { seed }))])),
    ]),
  ) as ContextReport["accuracy"];
  const delta = Object.fromEntries(
    (["greedy", "cad"] as const).map((base) => [
      base,
      Object.fromEntries(
        all.map((s) => [
          s,
          pct(
            bootstrapMean(scores(bySet(s), "adacad"), {
              seed,
              paired: scores(bySet(s), base),
            }),
          ),
        ]),
      ),
    ]),
  ) as ContextReport["delta"];
  const alphas = (s: ContextSet) => bySet(s).map((r) => r.outcomes.adacad.alpha);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const meanAlpha = Object.fromEntries(sets.map((s) => [s, mean(alphas(s))])) as Record<
    ContextSet,
    number
  >;
  const alphaAuroc = auroc(alphas("conflict"), alphas("agreeing"));
  const conflictGain = delta.greedy.conflict;
  const agreeingGain = delta.cad.agreeing;
  const mixed = accuracy.adacad.mixed.mean;
  const checks: ClaimCheck[] = [
    {
      name: "AdaCAD − greedy on conflicting contexts ≥ +10 points, CI above 0",
      value: conflictGain.mean,
      threshold: 10,
      ci: conflictGain,
      passed: conflictGain.mean >= 10 && conflictGain.low > 0,
    },
    {
      name: "AdaCAD − CAD on agreeing contexts ≥ +5 points, CI above 0",
      value: agreeingGain.mean,
      threshold: 5,
      ci: agreeingGain,
      passed: agreeingGain.mean >= 5 && agreeingGain.low > 0,
    },
    {
      name: "AdaCAD best on the 50/50 mix (points above the better baseline)",
      value: mixed - Math.max(accuracy.greedy.mixed.mean, accuracy.cad.mixed.mean),
      threshold: 0,
      passed: mixed > Math.max(accuracy.greedy.mixed.mean, accuracy.cad.mixed.mean),
    },
    {
      name: "mean α separates conflicting from agreeing contexts (AUROC ≥ 0.85)",
      value: alphaAuroc,
      threshold: 0.85,
      passed: alphaAuroc >= 0.85,
    },
  ];
  return {
    n,
    accuracy,
    delta,
    meanAlpha,
    alphaAuroc,
    checks,
    reproduced: checks[0]!.passed && checks[1]!.passed,
  };
}
