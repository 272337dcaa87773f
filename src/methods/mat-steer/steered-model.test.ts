import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { sharedFile } from "../../evals/shared-dir.ts";
import { SeededRandom } from "../../math/seeded-random.ts";
import {
  ConfigError,
  type LanguageModel,
  requireInternals,
  requireScore,
  UsageError,
} from "../../model/index.ts";
import { steeredModel, steererFingerprint } from "./steered-model.ts";
import type { SteererFile } from "./steerer-file.ts";

const modelPath = sharedFile("models", "stories260K.gguf");
const skip = modelPath ? false : "shared/models not found";
let model: LanguageModel;
let d = 0;

function steererFile(theta: Float64Array, nEmbd = d): SteererFile {
  return {
    format: "chorus-mat-steer",
    version: 1,
    nEmbd,
    site: { layer: 2, positions: "all" },
    steerer: {
      attributes: ["made-up"],
      theta: [theta],
      gateW: [new Float64Array(nEmbd)],
      gateB: [10],
      multiplier: 1,
      normPreserve: true,
    },
  };
}

before(async () => {
  if (!modelPath) return;
  model = await loadLlamaCppModel({ modelPath, gpu: false });
  d = requireInternals(model).nEmbd;
});
after(async () => {
  await model?.close?.();
});

// The steered model must not close the shared inner model in these tests.
const borrowed = (): LanguageModel => Object.create(model, { close: { value: async () => {} } });

test("a steered model: honest capabilities, tagged identity, hidden size checked", { skip }, () => {
  const random = new SeededRandom(1);
  const file = steererFile(Float64Array.from({ length: d }, () => random.normal()));
  const steered = steeredModel(model, file);
  const tag = steererFingerprint(file).slice(0, 16);
  assert.equal(steered.id, `${model.id}+steer:${tag}`);
  assert.equal(steered.provider, `llamacpp+steer:${tag}`);
  assert.equal(steered.capabilities.jsonSchema, false);
  assert.equal(steered.capabilities.decoder, false);
  assert.equal(steered.capabilities.internals, false);
  assert.equal(steered.capabilities.score, true);
  assert.equal(steered.internals, undefined);
  const other = steeredModel(model, steererFile(new Float64Array(d)));
  assert.notEqual(other.provider, steered.provider);
  assert.throws(
    () => steeredModel(model, steererFile(new Float64Array(3), 3), { source: "s.json" }),
    (e: unknown) =>
      e instanceof UsageError && /s\.json was trained for hidden size 3/.test(e.message),
  );
});

test("steered generate and score: zero θ changes nothing, a strong θ changes both", {
  skip,
}, async () => {
  const random = new SeededRandom(7);
  const strong = steeredModel(
    borrowed(),
    steererFile(Float64Array.from({ length: d }, () => random.normal())),
  );
  const zero = steeredModel(borrowed(), steererFile(new Float64Array(d)));
  const request = { prompt: "Once upon a time", maxTokens: 12, temperature: 0 };
  const plain = await model.generate(request);
  assert.equal((await zero.generate(request)).generations[0]!.text, plain.generations[0]!.text);
  assert.notEqual(
    (await strong.generate(request)).generations[0]!.text,
    plain.generations[0]!.text,
  );
  // several samples per call (one after another on the internals path), seeded and reproducible
  const sampled = { prompt: "Lily was", maxTokens: 8, temperature: 1, seed: 3, n: 2, logprobs: 2 };
  const a = await strong.generate(sampled);
  const b = await strong.generate(sampled);
  assert.equal(a.generations.length, 2);
  assert.deepEqual(
    a.generations.map((g) => g.text),
    b.generations.map((g) => g.text),
  );
  assert.equal(a.generations[0]!.logprobs?.[0]?.top.length, 2);

  const score = { prompt: "Once upon a time", continuation: " there was a cat", topLogprobs: 3 };
  const engine = await requireScore(model)(score);
  const zeroScore = await requireScore(zero)(score);
  assert.ok(
    Math.abs(zeroScore.total - engine.total) < 1e-2,
    `${zeroScore.total} vs ${engine.total}`,
  );
  assert.deepEqual(
    zeroScore.tokens.map((t) => t.token),
    engine.tokens.map((t) => t.token),
  );
  assert.equal(zeroScore.tokens[0]!.top.length, 3);
  assert.ok(zeroScore.tokens[0]!.top[0]!.logprob >= zeroScore.tokens[0]!.top[1]!.logprob);
  const strongScore = await requireScore(strong)(score);
  assert.ok(Math.abs(strongScore.total - engine.total) > 1e-2);
  await assert.rejects(
    requireScore(strong)({ prompt: [{ role: "user", content: "hi" }], continuation: " x" }),
    ConfigError,
  );
  await strong.close?.();
  await zero.close?.();
});
