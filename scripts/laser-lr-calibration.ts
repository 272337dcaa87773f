// Amendment 5's positive control (docs/laser.md): which lr lets the exact (gold) reward move
// abacus-1m. Scores the untrained policy greedily on the validation draw the calibration runs
// used (their eval seed, stop " Q:"), reads each run's gold seed-1 result, and applies the rule:
// the highest gold accuracy (ties: the smaller lr), if gold − untrained ≥ 3 points with its
// paired 95% CI over items above 0.
// Usage: node --import tsx scripts/laser-lr-calibration.ts <calibration run folder>...
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadLlamaCppModel } from "../src/engines/llamacpp/index.ts";
import { bootstrapMean } from "../src/evals/bootstrap.ts";
import { ServedPolicy } from "../src/methods/laser/served-policy.ts";
import { laserAbacusTestItems } from "../src/testbed/demo/laser-abacus-items.ts";
import {
  type ConditionSeedResult,
  readConditionResult,
  registeredStop,
} from "../src/testbed/demo/laser-abacus-run.ts";
import { greedyTest } from "../src/testbed/demo/laser-abacus-test.ts";

const runs = process.argv.slice(2);
if (runs.length === 0) throw new Error("usage: laser-lr-calibration.ts <run-dir>...");
interface Calibration {
  run: string;
  lr: number;
  evalSeed: number;
  perFamily: number;
  stop: string[];
  gold: ConditionSeedResult;
}
const calibrations: Calibration[] = [];
for (const run of runs) {
  const { config } = JSON.parse(readFileSync(join(run, "config.json"), "utf8"));
  const gold = readConditionResult(run, "gold", 1);
  if (!gold) {
    console.log(`${run}: gold seed 1 not finished yet`);
    continue;
  }
  const stop = config.stop ?? registeredStop;
  calibrations.push({
    run,
    lr: config.lr,
    evalSeed: config.evalSeed,
    perFamily: config.testPerFamily,
    stop,
    gold,
  });
}
const first = calibrations[0];
if (!first) throw new Error("no finished calibration run");
for (const c of calibrations)
  if (
    c.evalSeed !== first.evalSeed ||
    c.perFamily !== first.perFamily ||
    `${c.stop}` !== `${first.stop}`
  )
    throw new Error(`${c.run}: another validation draw or stop than ${first.run}'s`);
if (first.evalSeed === 1)
  throw new Error("eval seed 1 is the test; the calibration reads a validation draw");

// The untrained policy on the same items, stored beside the first run so a rerun is free.
const items = laserAbacusTestItems(first.evalSeed, first.perFamily);
const model = await loadLlamaCppModel({ modelPath: "models/abacus-1m.gguf", threads: 1 });
const untrainedPath = join(first.run, "untrained-validation.jsonl");
const untrained = await greedyTest(new ServedPolicy(model), items, untrainedPath, first.stop);
await model.close?.();
const base = new Map(untrained.map((t) => [t.id, t.correct ? 100 : 0]));
const pct = (xs: { correct: boolean }[]) => (100 * xs.filter((x) => x.correct).length) / xs.length;
console.log(
  `validation: eval seed ${first.evalSeed}, ${items.length} items, stop ${JSON.stringify(first.stop)}`,
);
console.log(`untrained abacus-1m: ${pct(untrained).toFixed(1)}%`);
const rows = calibrations
  .sort((a, b) => a.lr - b.lr)
  .map((c) => {
    const diff = bootstrapMean(c.gold.test.map((t) => (t.correct ? 100 : 0) - base.get(t.id)!));
    const pass = diff.mean >= 3 && diff.low > 0;
    const loss = c.gold.train.lossByIteration.map((l) => l.toFixed(3)).join(" → ");
    console.log(
      `lr ${c.lr}: gold ${pct(c.gold.test).toFixed(1)}%, gold − untrained ${diff.mean.toFixed(1)} [${diff.low.toFixed(1)}, ${diff.high.toFixed(1)}] → ${pass ? "moves" : "does not move"} · loss ${loss}${c.gold.train.stoppedEarly ? " (stopped early)" : ""}`,
    );
    return { lr: c.lr, accuracy: pct(c.gold.test), pass };
  });
const best = rows.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
console.log(
  best.pass
    ? `chosen lr ${best.lr} (highest gold validation accuracy; it moves the policy)`
    : `precondition failed: the best lr (${best.lr}) does not move the policy by ≥ 3 points with a CI above 0`,
);
appendFileSync(
  join(first.run, "calibration.txt"),
  `${new Date().toISOString()} ${JSON.stringify(rows)}\n`,
);
if (existsSync(untrainedPath)) console.log(`untrained answers: ${untrainedPath}`);
