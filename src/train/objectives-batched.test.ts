import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../math/seeded-random.ts";
import { zeroGrads } from "./adamw.ts";
import { addLora } from "./lora.ts";
import { dpoLoss, npoLoss, type TokenGrads, tokenCrossEntropy } from "./losses.ts";
import { dpoObjective, npoObjective, sftObjective } from "./objectives.ts";
import type { Param } from "./param.ts";
import { randomTransformer } from "./random-model.ts";
import { ReferenceLogProbs } from "./reference-logprobs.ts";
import {
  type SequenceScores,
  scoreSequence,
  sumGrads,
  type TokenizedExample,
} from "./sequence-scores.ts";
import type { Objective } from "./train-loop.ts";
import type { Transformer, TransformerConfig } from "./transformer.ts";

const config: TransformerConfig = {
  arch: "llama",
  vocabSize: 13,
  nEmbd: 8,
  nLayer: 2,
  nHead: 2,
  nHeadKv: 1,
  headDim: 4,
  nFf: 6,
  normEps: 1e-5,
  ropeBase: 10000,
  ropeDims: 4,
  ropeType: "normal",
  tiedOutput: false,
};
const a = { tokens: [1, 4, 2, 7, 3], start: 2 };
const b = { tokens: [1, 4, 5, 8], start: 2 };
const c = { tokens: [1, 6, 3, 3, 2, 5, 11, 12], start: 3 };
const d = { tokens: [2, 9], start: 1 };

function setup(): { model: Transformer; params: Param[]; reference: ReferenceLogProbs } {
  const model = randomTransformer(config, 31, "f64", 0.5);
  const params = addLora(model, {
    rank: 2,
    targets: ["attn_q", "attn_v", "ffn_gate"],
    initB: "random",
    seed: 4,
  });
  const reference = new ReferenceLogProbs({
    model,
    modelHash: "test",
    reference: randomTransformer(config, 32, "f64", 0.5),
  });
  return { model, params, reference };
}

/** Runs `objective` on `batch`; returns its loss and the gradients it accumulated. */
async function gradsOf<E>(
  model: Transformer,
  params: Param[],
  objective: Objective<E>,
  batch: E[],
) {
  zeroGrads(params);
  const r = await objective(model, batch, { rng: new SeededRandom(1), step: 0 });
  return { loss: r.loss, grads: params.map((p) => Float64Array.from(p.grad!)) };
}

/** The per-sequence reference: score each example alone, apply the loss, back-propagate each. */
async function singleSteps(
  model: Transformer,
  params: Param[],
  examples: TokenizedExample[],
  loss: (scores: SequenceScores[]) => { loss: number; grads: TokenGrads[] },
) {
  zeroGrads(params);
  const scores: SequenceScores[] = [];
  for (const e of examples) scores.push(await scoreSequence(model, e, { train: true }));
  const r = loss(scores);
  for (const [i, s] of scores.entries()) await s.backward!(r.grads[i]!);
  return { loss: r.loss, grads: params.map((p) => Float64Array.from(p.grad!)) };
}

function assertSame(
  x: { loss: number; grads: Float64Array[] },
  y: { loss: number; grads: Float64Array[] },
  what: string,
) {
  assert.ok(Math.abs(x.loss - y.loss) < 1e-12, `${what}: loss ${x.loss} vs ${y.loss}`);
  x.grads.forEach((g, j) => {
    for (let i = 0; i < g.length; i++)
      assert.ok(Math.abs(g[i]! - y.grads[j]![i]!) < 1e-12, `${what}: param ${j}[${i}]`);
  });
}

test("a batched SFT step equals the sum of single-sequence steps, chunked or not", async () => {
  const { model, params } = setup();
  const batch = [a, b, c, d];
  const single = await singleSteps(model, params, batch, (s) => tokenCrossEntropy(s));
  assertSame(await gradsOf(model, params, sftObjective(), batch), single, "one forward");
  assertSame(
    await gradsOf(model, params, sftObjective({ maxRowsPerForward: 8 }), batch),
    single,
    "chunks of ≤ 8 rows",
  );
});

test("a batched DPO (+NLL) step equals the sum of single-sequence steps, chunked or not", async () => {
  const { model, params, reference } = setup();
  const pairs = [
    { chosen: a, rejected: b },
    { chosen: c, rejected: d },
  ];
  const refC = await reference.sums([a, c]);
  const refR = await reference.sums([b, d]);
  const single = await singleSteps(model, params, [a, c, b, d], (s) => {
    const r = dpoLoss(
      [0, 1].map((i) => ({
        chosen: s[i]!.sum,
        rejected: s[i + 2]!.sum,
        refChosen: refC[i]!,
        refRejected: refR[i]!,
      })),
      0.4,
    );
    const grads = [...r.dChosen, ...r.dRejected].map((g, i) => sumGrads(s[i]!.target.length, g));
    let loss = r.loss;
    for (const i of [0, 1]) {
      const len = s[i]!.target.length;
      loss += (0.5 * -s[i]!.sum) / len / 2;
      for (let k = 0; k < len; k++) grads[i]!.target[k]! += -0.5 / len / 2;
    }
    return { loss, grads };
  });
  const objective = (maxRowsPerForward?: number) =>
    dpoObjective({
      beta: 0.4,
      reference,
      nllWeight: 0.5,
      ...(maxRowsPerForward ? { maxRowsPerForward } : {}),
    });
  assertSame(await gradsOf(model, params, objective(), pairs), single, "one forward");
  assertSame(await gradsOf(model, params, objective(5), pairs), single, "chunks of ≤ 5 rows");
});

test("a batched NPO (+retain) step equals the sum of single-sequence steps, chunked or not", async () => {
  const { model, params, reference } = setup();
  const items = [{ forget: a, retain: b }, { forget: c }, { forget: d, retain: c }];
  const ref = await reference.sums([a, c, d]);
  const single = await singleSteps(model, params, [a, c, d, b, c], (s) => {
    const npo = npoLoss([s[0]!.sum, s[1]!.sum, s[2]!.sum], ref, 0.7);
    const ce = tokenCrossEntropy(s.slice(3));
    const grads = [
      ...npo.dLogp.map((g, i) => sumGrads(s[i]!.target.length, g)),
      ...ce.grads.map((g) => ({
        target: g.target.map((x) => 0.3 * x),
        mean: g.mean.map((x) => 0.3 * x),
      })),
    ];
    return { loss: npo.loss + 0.3 * ce.loss, grads };
  });
  const objective = (maxRowsPerForward?: number) =>
    npoObjective({
      beta: 0.7,
      reference,
      retainWeight: 0.3,
      ...(maxRowsPerForward ? { maxRowsPerForward } : {}),
    });
  assertSame(await gradsOf(model, params, objective(), items), single, "one forward");
  assertSame(await gradsOf(model, params, objective(1), items), single, "one sequence per chunk");
});

test("chunked passes replay each chunk's LoRA dropout masks in the backward", async () => {
  // Gradients agree with finite differences of the (seeded, hence deterministic) chunked loss
  // only if the recomputed forward drew the same masks as the scoring one.
  const model = randomTransformer(config, 31, "f64", 0.5);
  const params = addLora(model, { rank: 2, dropout: 0.5, initB: "random", seed: 4 });
  const batch = [a, b, c, d];
  const objective = sftObjective({ maxRowsPerForward: 6 });
  const { grads } = await gradsOf(model, params, objective, batch);
  const rng = new SeededRandom(9);
  const h = 1e-5;
  for (const [j, p] of params.entries()) {
    const i = rng.int(p.data.length);
    const old = p.data[i]!;
    p.data[i] = old + h;
    const up = (await gradsOf(model, params, objective, batch)).loss;
    p.data[i] = old - h;
    const down = (await gradsOf(model, params, objective, batch)).loss;
    p.data[i] = old;
    const numeric = (up - down) / (2 * h);
    const analytic = grads[j]![i]!;
    const rel =
      Math.abs(numeric - analytic) / Math.max(Math.abs(numeric), Math.abs(analytic), 1e-6);
    assert.ok(rel <= 1e-4, `${p.name}[${i}]: analytic ${analytic} vs numeric ${numeric}`);
  }
});
