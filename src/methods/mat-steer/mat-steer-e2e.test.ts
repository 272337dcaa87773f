import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { sharedFile } from "../../evals/shared-dir.ts";
import type { Intervention, LanguageModel } from "../../model/index.ts";
import { requireInternals } from "../../model/index.ts";
import { collectAttributeActivations } from "./collect-activations.ts";
import { meanDifferenceIntervention, meanDifferenceVectors } from "./mean-difference.ts";
import { steeringIntervention } from "./steer-intervention.ts";
import { gates } from "./steerer.ts";
import { loadSteerer, saveSteerer } from "./steerer-file.ts";
import type { AttributeActivations } from "./train.ts";
import { trainMatSteer } from "./train.ts";

const modelPath = sharedFile("models", "stories260K.gguf");
let model: LanguageModel;
let activations: Record<string, AttributeActivations>;
const layer = 3;

// A made-up attribute on stories260K: "happy" (desirable) vs "sad" (undesirable).
const names = [
  "Tom",
  "Lily",
  "Ben",
  "Sue",
  "Max",
  "Mia",
  "Anna",
  "Sam",
  "The girl",
  "The boy",
  "Mom",
  "The cat",
];
// Prompts that already carry the undesirable attribute, so the gates have something to fire on.
const prompts = [
  "Lily was very sad. Lily was very",
  "Tom was very sad. Tom felt",
  "The boy was sad. The boy was very",
  "Mom was very sad. Mom was",
];

before(async () => {
  if (!modelPath) return;
  model = await loadLlamaCppModel({ modelPath, gpu: false });
  activations = await collectAttributeActivations(
    model,
    {
      happy: {
        positive: names.map((n) => `${n} was very happy`),
        negative: names.map((n) => `${n} was very sad`),
      },
    },
    { layer },
  );
});
after(async () => {
  await model?.close?.();
});

/** Samples with "sad"/"upset" and with "happy"/"glad" in 4 prompts × 12 seeded samples. */
async function attributeCounts(
  interventions: Intervention[],
): Promise<{ sad: number; happy: number }> {
  const internals = requireInternals(model);
  let sad = 0;
  let happy = 0;
  for (const prompt of prompts) {
    const r = await internals.generate({
      prompt,
      maxTokens: 8,
      temperature: 1,
      seed: 3,
      n: 12,
      interventions,
    });
    for (const g of r.generations) {
      if (/sad|upset/.test(g.text)) sad++;
      if (/happy|glad/.test(g.text)) happy++;
    }
  }
  return { sad, happy };
}

test("MAT-Steer on stories260K: gates select the negatives and steering lowers the sad rate", {
  skip: modelPath ? false : "shared/models not found",
}, async () => {
  // Gate penalties at 0.05 (spec: 0.9) and the median-heuristic σ: with the spec's weights the
  // gates close (docs/mat-steer.md, "Training sanity finding").
  const { steerer, history } = trainMatSteer(activations, {
    sigma: "median",
    lambdaSparse: 0.05,
    lambdaPos: 0.05,
    learningRate: 1e-2,
    epochs: 300,
    seed: 1,
  });
  assert.ok(
    history[0]!.mmd / history.at(-1)!.mmd >= 5,
    `MMD ${history[0]!.mmd} → ${history.at(-1)!.mmd}`,
  );
  const meanGate = (xs: readonly ArrayLike<number>[]) =>
    xs.reduce((s, h) => s + gates(steerer, h)[0]!, 0) / xs.length;
  assert.ok(meanGate(activations.happy!.negative) > 0.5, "gates open on negatives");
  assert.ok(meanGate(activations.happy!.positive) < 0.5, "gates closed on positives");

  // Through the file, as `chorus generate --steer` does.
  const dir = await mkdtemp(join(tmpdir(), "chorus-steer-"));
  try {
    const file = join(dir, "steer.json");
    const internals = requireInternals(model);
    await saveSteerer(file, { nEmbd: internals.nEmbd, site: { layer, positions: "all" }, steerer });
    const loaded = await loadSteerer(file);
    assert.deepEqual(loaded.steerer.theta[0], steerer.theta[0]);
    const unsteered = await attributeCounts([]);
    const steered = await attributeCounts([
      steeringIntervention(loaded.steerer, loaded.site, internals.nLayers),
    ]);
    assert.ok(
      unsteered.sad >= 6,
      `the prompts should elicit "sad" unsteered (${unsteered.sad}/48)`,
    );
    assert.ok(steered.sad <= unsteered.sad / 2, `sad ${unsteered.sad} → ${steered.sad} of 48`);
    assert.ok(
      steered.happy >= unsteered.happy,
      `happy ${unsteered.happy} → ${steered.happy} of 48`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("ITI baseline on stories260K: the mean-difference vector lowers the sad rate", {
  skip: modelPath ? false : "shared/models not found",
}, async () => {
  const internals = requireInternals(model);
  const vector = meanDifferenceVectors(activations).happy!;
  const unsteered = await attributeCounts([]);
  const steered = await attributeCounts([
    meanDifferenceIntervention([vector], 2, { layer, positions: "all" }, internals.nLayers),
  ]);
  assert.ok(steered.sad <= unsteered.sad / 2, `sad ${unsteered.sad} → ${steered.sad} of 48`);
});

test("last-position steering leaves the prompt's earlier rows alone", {
  skip: modelPath ? false : "shared/models not found",
}, async () => {
  const internals = requireInternals(model);
  const edited: number[] = [];
  const probe: Intervention = {
    layer: 2,
    edit: (_h, info) => {
      if (info.phase === "prompt") edited.push(info.position);
    },
  };
  await internals.logits("Tom was very sad", { interventions: [probe] });
  const promptLength = edited.length;
  const vector = meanDifferenceVectors(activations).happy!;
  const all = await internals.logits("Tom was very sad", {
    interventions: [
      meanDifferenceIntervention([vector], 2, { layer, positions: "all" }, internals.nLayers),
    ],
  });
  const last = await internals.logits("Tom was very sad", {
    interventions: [
      meanDifferenceIntervention([vector], 2, { layer, positions: "last" }, internals.nLayers),
    ],
  });
  const plain = await internals.logits("Tom was very sad");
  assert.ok(promptLength > 1);
  const diff = (a: Float32Array, b: Float32Array) =>
    a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
  assert.ok(diff(last, plain) > 1e-3, "the last row is steered");
  assert.ok(diff(all, last) > 1e-3, "steering every row differs from steering the last one");
});
