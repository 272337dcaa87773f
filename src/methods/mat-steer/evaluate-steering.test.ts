import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { loadBbq } from "../../evals/datasets/bbq.ts";
import { loadRealToxicityPrompts } from "../../evals/datasets/rtp.ts";
import { loadTruthfulQaMc, truthfulQaStatements } from "../../evals/datasets/truthfulqa-mc.ts";
import { sharedFile } from "../../evals/shared-dir.ts";
import type { LanguageModel } from "../../model/index.ts";
import { requireDecoder, requireInternals, requireScore } from "../../model/index.ts";
import { collectAttributeActivations } from "./collect-activations.ts";
import {
  attributeRate,
  choiceAccuracy,
  choiceLogLikelihood,
  neutralKl,
} from "./evaluate-steering.ts";
import { meanDifferenceIntervention, meanDifferenceVectors } from "./mean-difference.ts";

const modelPath = sharedFile("models", "stories260K.gguf");
const skip =
  modelPath && sharedFile("datasets", "truthfulqa", "mc_task.json")
    ? false
    : "shared data not found";
let model: LanguageModel;
before(async () => {
  if (modelPath) model = await loadLlamaCppModel({ modelPath, gpu: false });
});
after(async () => {
  await model?.close?.();
});

test("unsteered choice log-likelihood equals the engine's score", { skip }, async () => {
  const decoder = requireDecoder(model);
  try {
    const ours = await choiceLogLikelihood(
      model,
      decoder,
      "Once upon a time",
      " there was a cat",
      [],
    );
    const theirs = await requireScore(model)({
      prompt: "Once upon a time",
      continuation: " there was a cat",
    });
    assert.ok(Math.abs(ours - theirs.total) < 1e-2, `${ours} vs ${theirs.total}`);
  } finally {
    await decoder.close();
  }
});

test("one steered pass equals a steered pass per prefix (every position steered)", {
  skip,
}, async () => {
  const internals = requireInternals(model);
  const decoder = requireDecoder(model);
  try {
    const scale = {
      layer: 2,
      edit: (h: Float32Array) => {
        for (let i = 0; i < h.length; i++) h[i] = h[i]! * 1.3;
      },
    };
    const prompt = "Once upon a time";
    const continuation = " there was a little dog named Max";
    const one = await internals.continuationLogits(prompt, continuation, {
      interventions: [scale],
    });
    assert.ok(one.tokens.length >= 5, `${one.tokens.length} continuation tokens`);
    const plain = await internals.continuationLogits(prompt, continuation);
    const full = await decoder.tokenize(prompt + continuation, { addBos: false });
    const start = full.length - one.tokens.length;
    assert.deepEqual(full.slice(start), one.tokens);
    let moved = 0;
    for (let k = 0; k < one.tokens.length; k++) {
      // the same prediction from a fresh steered pass over the prefix alone
      const prefix = await decoder.detokenize(full.slice(0, start + k));
      const alone = await internals.logits(prefix, { interventions: [scale] });
      let diff = 0;
      for (let v = 0; v < alone.length; v++)
        diff = Math.max(diff, Math.abs(alone[v]! - one.logits[k]![v]!));
      assert.ok(diff < 1e-2, `token ${k}: max |Δlogit| ${diff}`);
      for (let v = 0; v < alone.length; v++)
        moved = Math.max(moved, Math.abs(plain.logits[k]![v]! - one.logits[k]![v]!));
    }
    assert.ok(moved > 0.1, `the intervention changes the logits (${moved})`);
  } finally {
    await decoder.close();
  }
});

test("TruthfulQA, BBQ and RTP evaluations run steered vs unsteered on stories260K", {
  skip,
}, async () => {
  const statements = truthfulQaStatements().filter((s) => s.question < 6);
  const activations = await collectAttributeActivations(
    model,
    {
      truthful: {
        positive: statements.filter((s) => s.label === 1).map((s) => s.text),
        negative: statements.filter((s) => s.label === 0).map((s) => s.text),
      },
    },
    { layer: 3 },
  );
  const internals = requireInternals(model);
  const iti = meanDifferenceIntervention(
    [meanDifferenceVectors(activations).truthful!],
    1,
    { layer: 3, positions: "all" },
    internals.nLayers,
  );
  const heldOut = loadTruthfulQaMc()
    .slice(6, 8)
    .map((i) => ({ ...i, choices: i.choices.slice(0, 3) }));
  const bbq = loadBbq("Age").slice(0, 2);
  for (const items of [heldOut, bbq]) {
    const plain = await choiceAccuracy(model, items, []);
    const steered = await choiceAccuracy(model, items, [iti]);
    for (const acc of [plain, steered]) assert.ok(acc >= 0 && acc <= 1);
  }
  // Every-position steering must move MC scores (pitfall §9.3: last-position-only would not).
  const decoder = requireDecoder(model);
  try {
    const item = heldOut[0]!;
    const a = await choiceLogLikelihood(model, decoder, item.prompt, item.choices[0]!, []);
    const b = await choiceLogLikelihood(model, decoder, item.prompt, item.choices[0]!, [iti]);
    assert.ok(Math.abs(a - b) > 1e-3, `steering left the choice score at ${a}`);
  } finally {
    await decoder.close();
  }
  const neutral = ["Once upon a time", "The sun was"];
  assert.equal(await neutralKl(model, neutral, []), 0);
  assert.ok((await neutralKl(model, neutral, [iti])) > 0);
  const prompts = loadRealToxicityPrompts()
    .slice(0, 2)
    .map((p) => p.text);
  const rate = await attributeRate(model, prompts, /\b(stupid|hate|kill)\b/i, [iti], {
    maxTokens: 4,
    n: 2,
    temperature: 1,
    seed: 1,
  });
  assert.ok(rate >= 0 && rate <= 1);
});
