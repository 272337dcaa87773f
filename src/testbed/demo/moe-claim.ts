import type { Interval } from "../../evals/bootstrap.ts";
import type { EvalReport } from "../../evals/eval-report.ts";

/** The claim `chorus demo symbolic-moe` measures (pre-registered in docs/testbed.md). */
export const moeClaim =
  "skill-based routing beats the best single expert and random experts, recovering >= 70% of oracle routing's gain, with keyword filtering raising keyword precision and one load per recruited expert";

/** The eval's method names: Symbolic-MoE first (the report pairs every other method with it). */
export const moeMethods = {
  moe: "symbolic-moe",
  best: "moe-best-single-k",
  random: "moe-random-k",
  all: "moa-all",
  oracle: "moe-oracle",
} as const;

export interface MoeCheck {
  name: string;
  pass: boolean;
  detail: string;
}

export interface MoeVerdict {
  accuracy: Record<string, Interval>;
  /** Symbolic-MoE minus each baseline, paired over items. */
  delta: { best: Interval; random: Interval; all: Interval };
  /** oracle − best single (point estimate). */
  oracleGain: number;
  /** (MoE − best) ÷ (oracle − best); null when the oracle gains < 3 points. */
  recovered: number | null;
  /** oracle − best ≥ 3 points: the specialists specialise. */
  precondition: boolean;
  checks: MoeCheck[];
  reproduced: boolean;
  /** Null world reading: |MoE − best| ≤ 2 points or its CI includes 0. */
  noGain: boolean;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}`;
const ci = (d: Interval) => `${pct(d.mean)} [${pct(d.low)}, ${pct(d.high)}] points`;
/** A method minus Symbolic-MoE, turned round: Symbolic-MoE minus the method. */
const flip = (d: Interval): Interval => ({ mean: -d.mean, low: -d.high, high: -d.low });

/** The oracle's smallest gain over best single for which a recovered fraction means anything. */
export const minOracleGain = 0.03;

/**
 * The recovered fraction of the oracle's gain over best single (point estimates); null when the
 * oracle gains less than `minOracleGain` (a ratio of two near-zero differences says nothing).
 */
export function recoveredFraction(moe: number, best: number, oracle: number): number | null {
  return oracle - best >= minOracleGain ? (moe - best) / (oracle - best) : null;
}

/**
 * The pre-registered decision rule on the eval report (Symbolic-MoE first, baselines paired with
 * it), the keyword precision before and after the ≥ 2 filter, and the expert phase's loads.
 */
export function moeVerdict(
  report: EvalReport,
  keywordPrecision: { raw: number; filtered: number },
  loads: { expertPhase: number; distinctRecruited: number },
): MoeVerdict {
  const summary = (name: string) => {
    const s = report.methods.find((m) => m.method === name);
    if (!s) throw new Error(`the report has no ${name}`);
    return s;
  };
  const accuracy = Object.fromEntries(
    Object.values(moeMethods).map((m) => [m, summary(m).accuracy]),
  );
  const versus = (name: string) => flip(summary(name).versusFirst!);
  const delta = {
    best: versus(moeMethods.best),
    random: versus(moeMethods.random),
    all: versus(moeMethods.all),
  };
  const moe = accuracy[moeMethods.moe]!.mean;
  const best = accuracy[moeMethods.best]!.mean;
  const oracle = accuracy[moeMethods.oracle]!.mean;
  const oracleGain = oracle - best;
  const recovered = recoveredFraction(moe, best, oracle);
  const precondition = oracleGain >= minOracleGain;
  const checks: MoeCheck[] = [
    {
      name: "beats best single",
      pass: delta.best.mean > 0 && delta.best.low > 0,
      detail: `Symbolic-MoE − best single SC@k ${ci(delta.best)}`,
    },
    {
      name: "beats random experts",
      pass: delta.random.mean > 0 && delta.random.low > 0,
      detail: `Symbolic-MoE − random k ${ci(delta.random)}`,
    },
    {
      name: "recovers >= 70% of the oracle's gain",
      pass: precondition && recovered !== null && recovered >= 0.7,
      detail: precondition
        ? `(MoE − best) ÷ (oracle − best) = ${pct(moe - best)} ÷ ${pct(oracleGain)} = ${recovered!.toFixed(2)}`
        : `precondition failed: oracle − best single = ${pct(oracleGain)} points < 3 (the specialists do not specialise)`,
    },
    {
      name: "keyword filtering raises precision",
      pass: keywordPrecision.filtered > keywordPrecision.raw,
      detail: `precision ${pct(keywordPrecision.raw)}% unfiltered → ${pct(keywordPrecision.filtered)}% kept`,
    },
    {
      name: "model loads = distinct recruited experts",
      pass: loads.expertPhase === loads.distinctRecruited,
      detail: `${loads.expertPhase} loads, ${loads.distinctRecruited} distinct recruited experts`,
    },
  ];
  return {
    accuracy,
    delta,
    oracleGain,
    recovered,
    precondition,
    checks,
    reproduced: checks.every((c) => c.pass),
    noGain: Math.abs(delta.best.mean) <= 0.02 || (delta.best.low <= 0 && delta.best.high >= 0),
  };
}
