/**
 * What one batch of LASeR's testbed loop costs on this machine at the registered sizes (16
 * prompts × 8 samples ≤ 120 tokens, hidden states, one ORM scoring of 128 samples, one DPO+NLL
 * step of 64 pairs) and 50 greedy test answers, for planning `chorus demo laser --full` across
 * sessions. Timing only: the pairs are arbitrary (sample j vs sample j+4), no arm is chosen and no
 * outcome is read. Needs an RM adapter from scripts/laser-rm-precondition.ts.
 *
 *   node --import tsx scripts/laser-batch-timing.ts <rm-adapter.gguf> [model.gguf]
 */

import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadLlamaCppModel } from "../src/engines/llamacpp/index.ts";
import { TrainablePolicy } from "../src/methods/laser/trainable-policy.ts";
import {
  laserAbacusPrompts,
  laserAbacusTestItems,
  laserSampleTokens,
} from "../src/testbed/demo/laser-abacus-items.ts";
import { loadAdapterOrm } from "../src/testbed/demo/laser-abacus-rm-train.ts";
import { laserFullSettings as s } from "../src/testbed/demo/laser-abacus-run.ts";
import { Trainable } from "../src/train/trainable.ts";

const [adapter, modelArg] = process.argv.slice(2);
if (!adapter) throw new Error("usage: laser-batch-timing.ts <rm-adapter.gguf> [model.gguf]");
const model = modelArg ?? "models/abacus-1m.gguf";
const served = await loadLlamaCppModel({ modelPath: model, threads: 1 });
const trainable = await Trainable.load(model, { lora: { ...s.lora, seed: 1 } });
const { rm, model: rmModel } = await loadAdapterOrm(model, adapter, "prog", 1);
const policy = new TrainablePolicy(trainable, served, {
  maxPairsPerStep: s.batchSize * s.pairsPerPrompt,
  lr: s.lr,
  appendEos: false,
  workDir: join(tmpdir(), `laser-timing-${process.pid}`),
});
const time = async <T>(label: string, fn: () => Promise<T>) => {
  const t = performance.now();
  const r = await fn();
  console.log(`${label}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return r;
};
try {
  for (const family of ["list", "prog"]) {
    const batch = laserAbacusPrompts(1, "loop-train", s.batchSize).filter(
      (it) => it.family === family,
    );
    const prompts = batch.map((it) => it.prompt);
    const samples = await time(`${family}: sample 16 × 8`, () =>
      policy.sample(prompts, {
        n: s.samples,
        temperature: 0.8,
        maxTokens: laserSampleTokens,
        stop: ["\nQ:"],
        seed: 1,
      }),
    );
    await time(`${family}: pooled states`, () => policy.pooledStates(prompts));
    await time(`${family}: ORM scores of 128 samples`, () =>
      rm.scoreOutcomes(
        batch.flatMap((it, i) =>
          samples[i]!.map((solution) => ({ question: it.prompt, solution })),
        ),
      ),
    );
    const pairs = batch
      .flatMap((it, i) =>
        [0, 1, 2, 3].map((j) => ({
          prompt: it.prompt,
          chosen: samples[i]![j]!,
          rejected: samples[i]![j + 4]!,
        })),
      )
      .filter((p) => p.chosen !== "" && p.rejected !== "");
    await time(`${family}: one DPO+NLL step on ${pairs.length} pairs (+ adapter swap)`, () =>
      policy.update(pairs),
    );
  }
  const test = laserAbacusTestItems(1, 450).filter((_, i) => i % 18 === 0);
  await time(`greedy test answers (${test.length} of 900)`, async () => {
    for (const it of test)
      await policy.sample([it.prompt], {
        n: 1,
        temperature: 0,
        maxTokens: laserSampleTokens,
        stop: ["\nQ:"],
        seed: 0,
      });
  });
} finally {
  await trainable.close();
  await served.close?.();
  await rmModel.close?.();
}
