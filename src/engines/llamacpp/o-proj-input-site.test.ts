import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Internals, Intervention, LanguageModel } from "../../model/index.ts";
import { requireInternals } from "../../model/index.ts";
import { loadLlamaCppModel } from "./load-llamacpp-model.ts";

// The o_proj-input hook (`kqv_out-<layer>`) with the engine's own context settings (F16 K/V cache,
// flash attention off). Its equality with an independent forward is tested in
// src/train/o-proj-input-parity.test.ts.
const stories = new URL("../../../../shared/models/stories260K.gguf", import.meta.url).pathname;
const prompt = "Once upon a time, there was a little";

describe("o_proj-input site on stories260K", () => {
  let model: LanguageModel;
  let internals: Internals;

  before(async () => {
    model = await loadLlamaCppModel({ modelPath: stories, contextSize: 256, gpu: false });
    internals = requireInternals(model);
  });
  after(async () => {
    await model?.close?.();
  });

  test("an identity edit leaves logits and greedy text bit-identical", async () => {
    for (const layer of [0, 2, internals.nLayers - 1]) {
      const identity: Intervention = { layer, site: "o-proj-input", edit: () => {} };
      const plain = await internals.logits(prompt);
      assert.deepEqual(await internals.logits(prompt, { interventions: [identity] }), plain);
      const request = { prompt, maxTokens: 16, temperature: 0 };
      const a = await internals.generate(request);
      const b = await internals.generate({ ...request, interventions: [identity] });
      assert.equal(b.generations[0]!.text, a.generations[0]!.text);
    }
  });

  test("an edit propagates through wo to the logits, and only from its block on", async () => {
    const d = internals.nEmbd;
    const plain = await internals.logits(prompt);
    const last = internals.nLayers - 1;
    // Zeroing the head outputs of the last block removes its attention contribution entirely.
    const zero: Intervention = { layer: last, site: "o-proj-input", edit: (h) => h.fill(0) };
    const zeroed = await internals.logits(prompt, { interventions: [zero] });
    let change = 0;
    for (let i = 0; i < plain.length; i++)
      change = Math.max(change, Math.abs(plain[i]! - zeroed[i]!));
    assert.ok(change > 0.1, `max logit change ${change}`);
    // The row the hook saw is the row wo reads: capture, then write the captured row back.
    const seen: Float32Array[] = [];
    const record: Intervention = {
      layer: last,
      site: "o-proj-input",
      edit: (h, { position }) => {
        seen[position] = h.slice();
      },
    };
    await internals.logits(prompt, { interventions: [record] });
    const captured = await internals.captureHidden(prompt, {
      layers: [last],
      positions: "all",
      rawPrompt: true,
      site: "o-proj-input",
    });
    assert.equal(seen.length, captured.positions.length);
    captured.states.get(last)!.forEach((row, p) => {
      assert.equal(row.length, d);
      assert.deepEqual(row, seen[p]);
    });
  });

  test("residual captures are unchanged by the new site", async () => {
    const a = await internals.captureHidden(prompt, { layers: [1], rawPrompt: true });
    const b = await internals.captureHidden(prompt, {
      layers: [1],
      rawPrompt: true,
      site: "residual",
    });
    assert.deepEqual(a.states.get(1), b.states.get(1));
    const o = await internals.captureHidden(prompt, {
      layers: [1],
      rawPrompt: true,
      site: "o-proj-input",
    });
    assert.notDeepEqual(o.states.get(1), a.states.get(1));
  });
});
