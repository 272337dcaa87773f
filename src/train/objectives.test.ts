import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../math/seeded-random.ts";
import { zeroGrads } from "./adamw.ts";
import { addLora } from "./lora.ts";
import {
  dpoObjective,
  gradientAscentObjective,
  gradientDifferenceObjective,
  npoObjective,
  tokenObjective,
} from "./objectives.ts";
import { randomTransformer } from "./random-model.ts";
import { ReferenceLogProbs } from "./reference-logprobs.ts";
import type { Objective } from "./train-loop.ts";
import type { TransformerConfig } from "./transformer.ts";

const config: TransformerConfig = {
  arch: "qwen2",
  vocabSize: 9,
  nEmbd: 8,
  nLayer: 1,
  nHead: 2,
  nHeadKv: 1,
  headDim: 4,
  nFf: 5,
  normEps: 1e-5,
  ropeBase: 10000,
  ropeDims: 4,
  ropeType: "neox",
  tiedOutput: true,
};
const a = { tokens: [1, 4, 2, 7, 3], start: 2 };
const b = { tokens: [1, 4, 5, 8], start: 2 };
const c = { tokens: [1, 6, 3, 3, 2, 5], start: 3 };

/** Analytic gradients of an objective vs central differences of its reported loss. */
async function check<E>(
  name: string,
  objective: (ref: ReferenceLogProbs) => Objective<E>,
  batch: E[],
) {
  const model = randomTransformer(config, 21, "f64", 0.6);
  const params = addLora(model, {
    rank: 2,
    targets: ["attn_q", "attn_v", "ffn_down"],
    initB: "random",
    seed: 2,
  });
  const reference = new ReferenceLogProbs({
    model,
    modelHash: "test",
    reference: randomTransformer(config, 22, "f64", 0.6),
  });
  const obj = objective(reference);
  const ctx = { rng: new SeededRandom(1), step: 0 };
  zeroGrads(params);
  await obj(model, batch, ctx);
  const grads = params.map((p) => Float64Array.from(p.grad!));
  const rng = new SeededRandom(3);
  const h = 1e-5;
  for (const [pi, p] of params.entries()) {
    for (let s = 0; s < 2; s++) {
      const i = rng.int(p.data.length);
      const old = p.data[i]!;
      p.data[i] = old + h;
      const up = (await obj(model, batch, ctx)).loss;
      p.data[i] = old - h;
      const down = (await obj(model, batch, ctx)).loss;
      p.data[i] = old;
      const numeric = (up - down) / (2 * h);
      const analytic = grads[pi]![i]!;
      const rel =
        Math.abs(numeric - analytic) / Math.max(Math.abs(numeric), Math.abs(analytic), 1e-6);
      assert.ok(rel <= 1e-3, `${name} ${p.name}[${i}]: analytic ${analytic} vs numeric ${numeric}`);
    }
  }
}

test("SFT (label-smoothed, signed) gradients match finite differences", () =>
  check("sft", () => tokenObjective({ labelSmoothing: 0.1 }), [a, { ...b, coefficient: -1 }, c]));

test("gradient ascent gradients match finite differences", () =>
  check("ga", () => gradientAscentObjective(), [a, c]));

test("gradient difference gradients match finite differences", () =>
  check("graddiff", () => gradientDifferenceObjective({ retain: 0.7 }), [
    { forget: a, retain: b },
    { forget: c, retain: a },
  ]));

test("DPO (+NLL) gradients match finite differences", () =>
  check("dpo", (reference) => dpoObjective({ beta: 0.3, reference, nllWeight: 1 }), [
    { chosen: a, rejected: b },
    { chosen: c, rejected: a },
  ]));

test("NPO (+retain CE) gradients match finite differences", () =>
  check("npo", (reference) => npoObjective({ beta: 0.5, reference }), [
    { forget: a, retain: b },
    { forget: c },
  ]));
