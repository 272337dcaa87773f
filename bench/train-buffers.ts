/**
 * `npm run bench -- train-buffers [--rounds N] [--batch N] [--json]`: the trainer's buffer reuse
 * (`Transformer.reuseBuffers`, src/train/buffer-arena.ts) on vs off, A/B within ONE training
 * run of the ~1M llama (L4 d128 ffn 384 V2048, all weights trained): blocks of two optimizer
 * steps alternate between the settings, only each block's second step is timed (so the first
 * absorbs the switch: garbage left by the other setting, an arena to refill), and each figure is
 * the median over the rounds. Two data shapes: fixed 256-token documents and mixed 50–190-token
 * ones (the pretraining corpus's shape). Ends with a one-line summary; with --json a JSON object
 * follows it as the last line.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SeededRandom } from "../src/math/seeded-random.ts";
import { sftObjective } from "../src/train/objectives.ts";
import { trainLoop } from "../src/train/train-loop.ts";
import type { Transformer } from "../src/train/transformer.ts";
import { median } from "./support/bench-model.ts";
import {
  hasFlag,
  integerFlag,
  randomDocument,
  randomDocuments,
  trainableLlama1m,
  useTrainThreads,
} from "./support/train-bench.ts";

const rounds = integerFlag("rounds", 6);
const batch = integerFlag("batch", 16);
const json = hasFlag("json");
const threads = useTrainThreads();
const log = (s: string) => process.stderr.write(`${s}\n`);

const rng = new SeededRandom(5);
type Example = ReturnType<typeof randomDocument>;

/** Tokens/s of the timed steps with reuse on and off (medians), and their ratio. */
async function ab(model: Transformer, examples: Example[]) {
  const samples = { on: [] as number[], off: [] as number[] };
  // Order per round: on,off then off,on, so neither setting always follows the other.
  const modes = Array.from({ length: rounds }, (_, r) =>
    r % 2 === 0 ? ["on", "off"] : ["off", "on"],
  ).flat() as ("on" | "off")[];
  let step = 0;
  let t0 = performance.now();
  let tokensBefore = 0;
  model.reuseBuffers = modes[0] === "on";
  await trainLoop(model, examples, sftObjective(), {
    lr: 1e-3,
    batchSize: batch,
    // One untimed warm-up step, then two per block.
    maxSteps: 1 + 2 * modes.length,
    shuffle: false,
    onStep: (info) => {
      const dt = (performance.now() - t0) / 1000;
      const block = Math.floor((step - 1) / 2);
      if (step >= 1 && (step - 1) % 2 === 1)
        samples[modes[block]!].push((info.tokens - tokensBefore) / dt);
      step++;
      const next = modes[Math.floor((step - 1) / 2)];
      if (next) model.reuseBuffers = next === "on";
      tokensBefore = info.tokens;
      t0 = performance.now();
    },
  });
  model.reuseBuffers = true;
  const on = median(samples.on);
  const off = median(samples.off);
  return { on, off, ratio: on / off };
}

const dir = await mkdtemp(join(tmpdir(), "chorus-bench-buffers-"));
try {
  const model = await trainableLlama1m(dir);
  const vocab = model.config.vocabSize;
  const steps = 1 + 4 * rounds;
  const fixed = await ab(model, randomDocuments(rng, steps * batch, 256, vocab));
  log(
    `1M llama, seq 256 batch ${batch}: reuse on ${fixed.on.toFixed(0)} tokens/s, off ${fixed.off.toFixed(0)} (on/off ${fixed.ratio.toFixed(2)}; medians of ${rounds} rounds)`,
  );
  const mixed = await ab(
    model,
    Array.from({ length: steps * batch }, () => randomDocument(rng, 50 + rng.int(141), vocab)),
  );
  log(
    `1M llama, 50–190-token documents batch ${batch}: reuse on ${mixed.on.toFixed(0)} tokens/s, off ${mixed.off.toFixed(0)} (on/off ${mixed.ratio.toFixed(2)})`,
  );
  console.log(
    `train-buffers: 1M seq256 on/off ${fixed.ratio.toFixed(2)} (${fixed.on.toFixed(0)} vs ${fixed.off.toFixed(0)} tok/s) · mixed 50–190 on/off ${mixed.ratio.toFixed(2)} (${mixed.on.toFixed(0)} vs ${mixed.off.toFixed(0)} tok/s)`,
  );
  if (json)
    console.log(
      JSON.stringify({
        threads,
        rounds,
        batch,
        seq256ReuseOn: Math.round(fixed.on),
        seq256ReuseOff: Math.round(fixed.off),
        seq256Ratio: Number(fixed.ratio.toFixed(3)),
        mixedReuseOn: Math.round(mixed.on),
        mixedReuseOff: Math.round(mixed.off),
        mixedRatio: Number(mixed.ratio.toFixed(3)),
      }),
    );
} finally {
  await rm(dir, { recursive: true, force: true });
}
