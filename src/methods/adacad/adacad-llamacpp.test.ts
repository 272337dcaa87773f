import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { sharedFile } from "../../evals/shared-dir.ts";
import type { LanguageModel, TopLogprob } from "../../model/language-model.ts";
import { contextDecode } from "./context-decode.ts";
import { jensenShannon, logSumExp } from "./jensen-shannon.ts";
import { argmax } from "./token-choice.ts";
import { approximateStep } from "./top-k-approximation.ts";

// TinyStories model: the context names the dog Max, the plain prompt leaves the story open, so the
// two streams conflict on who Tom is with and agree on the rest.
const contextPrompt =
  "Tom had a big dog named Max. Every day, Tom played with Max in the park. One day, Tom and";
const plainPrompt = "One day, Tom and";
const modelPath = sharedFile("models", "stories260K.gguf");
let model: LanguageModel;

before(async () => {
  assert.ok(modelPath, "stories260K.gguf must be in ../shared/models");
  model = await loadLlamaCppModel({ modelPath, gpu: false });
});
after(async () => {
  await model?.close?.();
});

test("α is high exactly where the streams disagree, ≈0 where they agree, recorded per token", async () => {
  const request = { contextPrompt, plainPrompt, maxTokens: 12 };
  const ada = await contextDecode(model, request, { kind: "adacad" });
  assert.equal(ada.approximate, false);
  assert.equal(ada.steps.length, ada.tokens.length);
  for (const step of ada.steps) assert.ok(step.alpha >= 0 && step.alpha <= 0.6932);
  const disagree = ada.steps.filter((s) => s.token !== s.plainArgmax);
  const agree = ada.steps.filter((s) => s.alpha < 0.005);
  assert.ok(disagree.length > 0, "the context must change some choice");
  assert.ok(agree.length > 0, "and leave some steps alone");
  for (const s of disagree)
    assert.ok(s.alpha > 0.05, `α ${s.alpha} at a conflicting step "${s.text}"`);
  for (const s of agree) assert.equal(s.token, s.plainArgmax, `α≈0 but "${s.text}" differs`);

  // Plain greedy (no context) follows AdaCAD's tokens until the first high-α conflict and differs there.
  const plain = await contextDecode(
    model,
    { contextPrompt: plainPrompt, plainPrompt, maxTokens: 12 },
    { kind: "greedy" },
  );
  const first = ada.steps.findIndex((s) => s.token !== s.plainArgmax);
  assert.deepEqual(plain.tokens.slice(0, first), ada.tokens.slice(0, first));
  assert.equal(plain.tokens[first], ada.steps[first]!.plainArgmax);
  assert.notEqual(plain.tokens[first], ada.tokens[first]);

  // Against greedy *with* context, AdaCAD intervenes only at high-α steps.
  const greedy = await contextDecode(model, request, { kind: "greedy" });
  const split = greedy.tokens.findIndex((t, i) => t !== ada.tokens[i]);
  if (split >= 0) assert.ok(ada.steps[split]!.alpha > 0.05);
  for (const s of ada.steps) if (s.token !== s.contextArgmax) assert.ok(s.alpha > 0.05);
});

test("identical prompts: α ≡ 0 and AdaCAD equals greedy; CAD(α=1) records its fixed α", async () => {
  const same = { contextPrompt, plainPrompt: contextPrompt, maxTokens: 8 };
  const ada = await contextDecode(model, same, { kind: "adacad" });
  const greedy = await contextDecode(model, same, { kind: "greedy" });
  assert.deepEqual(ada.tokens, greedy.tokens);
  assert.ok(ada.steps.every((s) => s.alpha < 1e-9));
  const cad = await contextDecode(
    model,
    { contextPrompt, plainPrompt, maxTokens: 4 },
    { kind: "cad", alpha: 1 },
  );
  assert.ok(cad.steps.every((s) => s.alpha === 1));
});

test("top-k approximation error against the exact method on the same model", async () => {
  // Replay the exact AdaCAD trajectory; at each step give the approximation only the top-20
  // logprobs of each stream, as an OpenAI-compatible server would.
  const decoder = model.decoder!();
  const K = 20;
  let steps = 0;
  let same = 0;
  let maxGap = 0;
  for (const [c, p] of [
    [contextPrompt, plainPrompt],
    ["Sam had a red car. Sam loved the red car. One day, Sam", "One day, Sam"],
    ["The sun was hot. Lily went to the beach to swim in the sea. Lily", "Lily"],
  ] as const) {
    const sc = await decoder.open(c);
    const sn = await decoder.open(p);
    for (let t = 0; t < 12; t++) {
      const zc = sc.logits();
      const zn = sn.logits();
      const exactAlpha = jensenShannon(zc, zn);
      const s = new Float32Array(zc.length);
      for (let i = 0; i < s.length; i++) s[i] = (1 + exactAlpha) * zc[i]! - exactAlpha * zn[i]!;
      const exact = argmax(s);
      const approx = approximateStep(
        topK(zc, K, decoder.tokenText.bind(decoder)),
        topK(zn, K, (i) => decoder.tokenText(i)),
        { kind: "adacad" },
        Math.random,
      );
      assert.ok(approx.jsd <= exactAlpha + 1e-9, "the REST-bucket JSD is a lower bound");
      maxGap = Math.max(maxGap, exactAlpha - approx.jsd);
      steps++;
      if (approx.token === decoder.tokenText(exact)) same++;
      await Promise.all([sc.push(exact), sn.push(exact)]);
    }
    await Promise.all([sc.close(), sn.close()]);
  }
  await decoder.close();
  const agreement = same / steps;
  process.stderr.write(
    `top-20 approximation: ${same}/${steps} tokens agree, max α gap ${maxGap.toFixed(4)}\n`,
  );
  assert.ok(agreement >= 0.95, `agreement ${agreement}`);
});

test("the top-k path runs on a real engine's generate logprobs and is marked approximate", async () => {
  const request = { contextPrompt, plainPrompt, maxTokens: 6 };
  const exact = await contextDecode(model, request, { kind: "adacad" });
  const approx = await contextDecode(
    model,
    request,
    { kind: "adacad" },
    { approximate: "always", topK: 20 },
  );
  assert.equal(approx.approximate, true);
  assert.equal(approx.steps.length, 6);
  assert.ok(approx.steps.every((s) => s.alpha >= 0 && s.alpha <= Math.LN2));
  // The text is re-tokenized every step on this path; on this model the choices still agree.
  assert.deepEqual(
    approx.steps.map((s) => s.text),
    exact.steps.map((s) => s.text),
  );
  assert.ok(approx.steps[0]!.alpha <= exact.steps[0]!.alpha + 1e-6, "REST-bucket JSD ≤ exact");
});

function topK(logits: Float32Array, k: number, text: (id: number) => string): TopLogprob[] {
  const lse = logSumExp(logits);
  return Array.from(logits, (z, i) => ({ i, z }))
    .sort((a, b) => b.z - a.z)
    .slice(0, k)
    .map(({ i, z }) => ({ token: text(i), logprob: z - lse }));
}
