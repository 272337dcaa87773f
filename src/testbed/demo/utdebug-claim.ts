import { bootstrapMean, type Interval } from "../../evals/bootstrap.ts";
import type { EvalRecord } from "../../evals/eval-record.ts";
import { utdebugArms } from "./utdebug-methods.ts";

/** The claim `chorus demo utdebug` measures (pre-registered in docs/utgen-utdebug.md). */
export const utdebugClaim =
  "UTGen's tests attack and are right more often than random-UT's and untrained ones (Acc∩Attack), and pass@1 after 3 UTDebug rounds orders oracle-UT > UTGen > random-UT > no-UT; backtracking lowers regressions; voting raises output accuracy";

export interface UtdebugCheck {
  name: string;
  pass: boolean;
  detail: string;
}

export interface UtdebugVerdict {
  /** Pass@1 after 3 rounds per debugging arm. */
  pass1: Record<string, Interval>;
  /** Acc∩Attack, Attack and output accuracy per UT arm. */
  intrinsic: Record<string, { accAttack: Interval; attack: Interval; outputAccuracy: Interval }>;
  /** Paired differences (first minus second), over tasks. */
  delta: Record<string, Interval>;
  /** Share of tasks whose final code passes fewer hidden tests than the buggy code. */
  regressions: { backtracking: number; noBacktracking: number };
  /** oracle-UT − no-UT pass@1 ≥ 10 points: the debugger can use a right failing test. */
  precondition: { pass: boolean; oracleMinusNoUt: number };
  checks: UtdebugCheck[];
  reproduced: boolean;
  /** The null world's rule: |UTGen − random-UT| Acc∩Attack ≤ 5 points. */
  nullWorldNoGain: boolean;
}

const pct = (x: number) => (100 * x).toFixed(1);
const ci = (d: Interval) => `${pct(d.mean)} [${pct(d.low)}, ${pct(d.high)}] points`;

/** Per-arm vectors of a metric over the tasks every arm finished (in one order: paired). */
function columns(
  records: readonly EvalRecord[],
  metric: (r: EvalRecord) => number,
): { ids: string[]; of: (arm: string) => number[] } {
  const byArm = new Map<string, Map<string, EvalRecord>>();
  for (const r of records) {
    if (!byArm.has(r.method)) byArm.set(r.method, new Map());
    byArm.get(r.method)!.set(r.itemId, r);
  }
  const arms = Object.values(utdebugArms);
  const ids = [...(byArm.get(arms[0]!)?.keys() ?? [])]
    .filter((id) => arms.every((a) => byArm.get(a)?.has(id)))
    .sort();
  return { ids, of: (arm) => ids.map((id) => metric(byArm.get(arm)!.get(id)!)) };
}

/** The pre-registered decision rule over the demo's records. */
export function utdebugVerdict(records: readonly EvalRecord[], seed = 0): UtdebugVerdict {
  const a = utdebugArms;
  const score = columns(records, (r) => r.score ?? 0);
  const detail = (key: string) =>
    columns(records, (r) => Number((r.details?.[key] as number | boolean | undefined) ?? 0));
  const attack = detail("attack");
  const outputAccuracy = detail("outputAccuracy");
  const regression = detail("regression");
  const mean = (v: number[]) => bootstrapMean(v, { seed });
  const diff = (c: typeof score, x: string, y: string) =>
    bootstrapMean(c.of(x), { seed, paired: c.of(y) });

  const debugArms = [a.oracle, a.utgen, a.random, a.noUt, a.noBacktrack];
  const utArms = [a.utgenTests, a.utgenVoted, a.randomTests, a.baseAdversarial, a.baseRandom];
  const pass1 = Object.fromEntries(debugArms.map((arm) => [arm, mean(score.of(arm))]));
  const intrinsic = Object.fromEntries(
    utArms.map((arm) => [
      arm,
      {
        accAttack: mean(score.of(arm)),
        attack: mean(attack.of(arm)),
        outputAccuracy: mean(outputAccuracy.of(arm)),
      },
    ]),
  );
  const delta = {
    "accAttack utgen - random-ut": diff(score, a.utgenTests, a.randomTests),
    "accAttack utgen - base adversarial": diff(score, a.utgenTests, a.baseAdversarial),
    "pass@1 oracle-ut - utgen": diff(score, a.oracle, a.utgen),
    "pass@1 utgen - random-ut": diff(score, a.utgen, a.random),
    "pass@1 random-ut - no-ut": diff(score, a.random, a.noUt),
    "pass@1 oracle-ut - no-ut": diff(score, a.oracle, a.noUt),
    "output accuracy vote - no vote": diff(outputAccuracy, a.utgenVoted, a.utgenTests),
    "regressions backtracking - none": diff(regression, a.utgen, a.noBacktrack),
  };
  const regressions = {
    backtracking: mean(regression.of(a.utgen)).mean,
    noBacktracking: mean(regression.of(a.noBacktrack)).mean,
  };
  const d = delta;
  const checks: UtdebugCheck[] = [
    {
      name: "UTGen's Acc∩Attack > random-UT's and > untrained adversarial (CIs above 0)",
      pass:
        d["accAttack utgen - random-ut"].low > 0 && d["accAttack utgen - base adversarial"].low > 0,
      detail: `vs random-UT ${ci(d["accAttack utgen - random-ut"])}; vs untrained ${ci(d["accAttack utgen - base adversarial"])}`,
    },
    {
      name: "pass@1 oracle-UT > UTGen > random-UT > no-UT (UTGen − random-UT CI above 0)",
      pass:
        d["pass@1 oracle-ut - utgen"].mean > 0 &&
        d["pass@1 utgen - random-ut"].mean > 0 &&
        d["pass@1 random-ut - no-ut"].mean > 0 &&
        d["pass@1 utgen - random-ut"].low > 0,
      detail: `oracle − UTGen ${ci(d["pass@1 oracle-ut - utgen"])}; UTGen − random ${ci(d["pass@1 utgen - random-ut"])}; random − no-UT ${ci(d["pass@1 random-ut - no-ut"])}`,
    },
    {
      name: "backtracking lowers regressions",
      pass: regressions.backtracking < regressions.noBacktracking,
      detail: `${pct(regressions.backtracking)}% with, ${pct(regressions.noBacktracking)}% without`,
    },
    {
      name: "voting raises output accuracy (CI above 0)",
      pass: d["output accuracy vote - no vote"].low > 0,
      detail: ci(d["output accuracy vote - no vote"]),
    },
  ];
  const oracleMinusNoUt = d["pass@1 oracle-ut - no-ut"].mean;
  const precondition = { pass: oracleMinusNoUt >= 0.1, oracleMinusNoUt };
  return {
    pass1,
    intrinsic,
    delta,
    regressions,
    precondition,
    checks,
    reproduced: precondition.pass && checks.every((c) => c.pass),
    nullWorldNoGain: Math.abs(d["accAttack utgen - random-ut"].mean) <= 0.05,
  };
}

/** The verdict's words: REPRODUCED, NOT REPRODUCED, or NOT REPRODUCED (precondition failed). */
export function verdictWords(v: UtdebugVerdict): string {
  if (!v.precondition.pass) return "NOT REPRODUCED (precondition failed)";
  return v.reproduced ? "REPRODUCED" : "NOT REPRODUCED";
}
