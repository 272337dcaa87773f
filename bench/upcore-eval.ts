/**
 * `npm run bench -- upcore-eval [--facts N] [--epochs E] [--rounds R] [--width W]`: one UPCORE
 * unlearning run on the shipped atlas-1m with the demo's `strong` recipe (GA, rank-4 LoRA on
 * every block's ffn_down, lr 2e-2, batch 4 × 4, 3 answer tokens), its evaluations decoded one
 * prompt at a time (`evalBatch: 1`, what the demo did before) against batched (`evalBatch: W`,
 * default 32). The sets mirror a full-size demo run in proportion: N forget facts (default 120)
 * scored as asked and paraphrased, 100 neighbours, 100 retain; E epochs (default 2) so the
 * evaluations see unlearned weights too. Each round runs both in alternating order; medians of
 * wall and CPU time (this process, all threads), and whether every evaluated state's scores are
 * equal (they should be).
 */

import { loadavg } from "node:os";
import { unlearn } from "../src/methods/upcore/unlearn.ts";
import { atlasConfig } from "../src/testbed/atlas/atlas-config.ts";
import { buildAtlasWorld } from "../src/testbed/atlas/atlas-world.ts";
import { upcoreFacts } from "../src/testbed/atlas/upcore-facts.ts";
import { shippedModel } from "../src/testbed/shipped-models.ts";
import { loadTokenizer, loadTransformer, removeLora } from "../src/train/index.ts";
import { median } from "./support/bench-model.ts";
import { integerFlag } from "./support/train-bench.ts";

const forgetSize = integerFlag("facts", 120);
const epochs = integerFlag("epochs", 2);
const rounds = integerFlag("rounds", 3);
const width = integerFlag("width", 32);
const log = (line: string) => process.stderr.write(`${line}\n`);

const { record, path } = shippedModel("atlas-1m");
const world = buildAtlasWorld(atlasConfig(record.worldConfig as never));
const facts = upcoreFacts(world, 1);
// Disjoint slices: the bench needs realistic prompts and answers, not known facts or clusters.
const forget = facts.slice(0, forgetSize);
const neighbours = facts.slice(forgetSize, forgetSize + 100);
const retain = facts.slice(forgetSize + 100, forgetSize + 300);
const evalSets = {
  forget,
  utility: { neighbours, retain: retain.slice(0, 100) },
  forgetVariants: { paraphrase: forget.map((f) => ({ ...f, question: f.paraphrase })) },
};
const { model } = await loadTransformer(path);
const tok = await loadTokenizer(path);
const layers = Array.from({ length: model.config.nLayer }, (_, i) => i);

async function run(evalBatch: number) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const report = await unlearn(model, tok, forget, retain, evalSets, {
    method: "ga",
    epochs,
    lr: 2e-2,
    layers,
    rank: 4,
    alpha: 8,
    batchSize: 4,
    gradientAccumulation: 4,
    seed: 1,
    maxNewTokens: 3,
    likelihood: false,
    evalBatch,
  });
  removeLora(model);
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000, report };
}

type Timing = { wall: number; cpu: number };
const rows: Record<"old" | "batched", Timing[]> = { old: [], batched: [] };
let equal = true;
for (let round = 0; round < rounds; round++) {
  const order = round % 2 ? (["batched", "old"] as const) : (["old", "batched"] as const);
  const points: Record<string, string> = {};
  for (const name of order) {
    const r = await run(name === "old" ? 1 : width);
    rows[name].push(r);
    points[name] = JSON.stringify(r.report.points);
  }
  const same = points.old === points.batched;
  equal &&= same;
  const f = (name: keyof typeof rows) =>
    `${(rows[name].at(-1)!.wall / 1000).toFixed(1)} s (cpu ${(rows[name].at(-1)!.cpu / 1000).toFixed(1)})`;
  log(
    `round ${round + 1}: one at a time ${f("old")}, batched ${f("batched")}; scores ${same ? "equal" : "DIFFER"}`,
  );
}

const med = (name: keyof typeof rows, by: "wall" | "cpu") => median(rows[name].map((r) => r[by]));
const ratio = (by: "wall" | "cpu") =>
  median(rows.old.map((r, i) => r[by] / rows.batched[i]![by])).toFixed(1);
const m = (name: keyof typeof rows) =>
  `${(med(name, "wall") / 1000).toFixed(1)} s (cpu ${(med(name, "cpu") / 1000).toFixed(1)} s)`;
const prompts = (epochs + 1) * (2 * forgetSize + 200);
process.stdout.write(
  `upcore-eval bench (atlas-1m, GA strong recipe, ${forgetSize} facts, ${epochs} epochs, ${prompts} evaluation prompts per run, ${rounds} rounds, load ${loadavg()[0]!.toFixed(1)}, medians): ` +
    `one at a time ${m("old")}, batched (width ${width}) ${m("batched")}; scores ${equal ? "equal in every round" : "DIFFER"}; speedup ${ratio("cpu")}x by cpu, ${ratio("wall")}x by wall\n`,
);
