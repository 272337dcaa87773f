/**
 * `npm run bench -- gym-eval [--items N] [--rounds R] [--width W] [--threads T]`: how long the DataEnvGym LoRA
 * student takes to answer an Abacus evaluation set, one prompt at a time (`evalBatch: 1`,
 * `generateGreedy`) against batched decoding (`evalBatch: W`, `generateGreedyBatch`, default
 * 32). The student is models/abacus-1m.gguf with the pre-registered `gym compare` settings
 * (rank-8 adapter on every linear, `--max-tokens 160`, stop at `Q:`), its adapter first trained
 * one short step so it is not a no-op; the set is N problems per skill (default 25: 200 items,
 * eval seed 101). Each round runs both paths in alternating order; medians of wall and CPU time
 * (this process, all threads), and how many answers the two paths agree on (they should be all).
 * `--threads` sets onnxruntime's intra-op threads (default: the trainer's, min(cores, 4)).
 */

import { loadavg } from "node:os";
import { AbacusTask, abacusPrompt } from "../src/methods/dataenvgym/abacus-task.ts";
import { LoraStudent } from "../src/methods/dataenvgym/lora-student.ts";
import { abacusItems } from "../src/testbed/abacus/abacus-eval.ts";
import { configureGemm, gemmOptions } from "../src/train/gemm.ts";
import { median } from "./support/bench-model.ts";
import { integerFlag } from "./support/train-bench.ts";

const perSkill = integerFlag("items", 25);
const rounds = integerFlag("rounds", 3);
const width = integerFlag("width", 32);
if (process.argv.includes("--threads")) configureGemm({ threads: integerFlag("threads", 1) });
const threads = gemmOptions().threads || "default";
const log = (line: string) => process.stderr.write(`${line}\n`);

const model = new URL("../models/abacus-1m.gguf", import.meta.url).pathname;
const common = {
  lora: {
    rank: 8,
    alpha: 16,
    targets: ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"],
    seed: 1,
  },
  lr: 1e-3,
  epochs: 1,
  gradientAccumulation: 4,
  maxTokens: 160,
  stopAt: ["Q:"],
  prompt: abacusPrompt,
  seed: 1,
};
const oneByOne = await LoraStudent.load(model, { ...common, evalBatch: 1 });
const batched = await LoraStudent.load(model, { ...common, evalBatch: width });
// The same short training on both (training is deterministic): a few problems of another seed.
const train = new AbacusTask("train", abacusItems(7, 2));
const data = train.instances.map((x) => ({
  id: x.id,
  instruction: x.instruction,
  response: train.reference(x),
}));
await oneByOne.train(data);
await batched.train(data);
const task = new AbacusTask("abacus", abacusItems(101, perSkill));
const items = task.instances;

/** Wall and CPU milliseconds of `fn` (CPU of this process, all threads). */
async function timed<T>(fn: () => Promise<T>): Promise<{ wall: number; cpu: number; value: T }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { wall: performance.now() - t0, cpu: (c.user + c.system) / 1000, value };
}

await batched.predict(items.slice(0, 8)); // warm-up: onnxruntime sessions, JIT
await oneByOne.predict(items.slice(0, 8));
type Timing = { wall: number; cpu: number };
const rows: Record<"old" | "batched", Timing[]> = { old: [], batched: [] };
let agree = 0;
let tokens = 0;
for (let round = 0; round < rounds; round++) {
  const order = round % 2 ? (["batched", "old"] as const) : (["old", "batched"] as const);
  const answers: Record<string, string[]> = {};
  for (const name of order) {
    const r = await timed(() => (name === "old" ? oneByOne : batched).predict(items));
    rows[name].push(r);
    answers[name] = r.value;
  }
  agree = answers["old"]!.filter((a, i) => a === answers["batched"]![i]).length;
  tokens = answers["old"]!.reduce((n, a) => n + oneByOne.trainable.tokenizer.tokenize(a).length, 0);
  const f = (name: keyof typeof rows) =>
    `${rows[name].at(-1)!.wall.toFixed(0)} ms (cpu ${rows[name].at(-1)!.cpu.toFixed(0)})`;
  log(
    `round ${round + 1}: one at a time ${f("old")}, batched ${f("batched")}; ${agree}/${items.length} answers equal`,
  );
}

const med = (name: keyof typeof rows, by: "wall" | "cpu") => median(rows[name].map((r) => r[by]));
const ratio = (by: "wall" | "cpu") =>
  median(rows.old.map((r, i) => r[by] / rows.batched[i]![by])).toFixed(1);
const m = (name: keyof typeof rows) =>
  `${(med(name, "wall") / 1000).toFixed(1)} s (cpu ${(med(name, "cpu") / 1000).toFixed(1)} s)`;
process.stdout.write(
  `gym-eval bench (abacus-1m LoRA student, ${items.length} items, ~${tokens} answer tokens, ${rounds} rounds, onnxruntime threads ${threads}, load ${loadavg()[0]!.toFixed(1)}, medians): ` +
    `one at a time ${m("old")}, batched (width ${width}) ${m("batched")}; ` +
    `${agree}/${items.length} answers equal; speedup ${ratio("cpu")}x by cpu, ${ratio("wall")}x by wall\n`,
);
await oneByOne.close();
await batched.close();
