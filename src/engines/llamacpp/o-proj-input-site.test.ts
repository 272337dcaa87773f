import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  buildSpmVocab,
  type GgufTensorInput,
  gguf,
  spmVocabMetadata,
  writeGguf,
} from "../../gguf/index.ts";
import { SeededRandom } from "../../math/seeded-random.ts";
import type { Internals, Intervention, LanguageModel } from "../../model/index.ts";
import { ConfigError, requireInternals } from "../../model/index.ts";
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

/**
 * A random llama GGUF whose heads are wider than the hidden size: n_embd 32, 4 heads of
 * head_dim 16, so the o_proj input is 64 wide.
 */
async function writeWideHeadModel(path: string): Promise<void> {
  const nEmbd = 32;
  const nHead = 4;
  const headDim = 16;
  const nFf = 64;
  const vocab = buildSpmVocab(300, { chatml: false });
  const random = new SeededRandom(7);
  const matrix = (name: string, nIn: number, nOut: number): GgufTensorInput => ({
    name,
    shape: [nIn, nOut],
    type: "F32",
    values: () => random.fillUniform(new Float32Array(nIn * nOut), 0.2),
  });
  const ones = (name: string, n: number): GgufTensorInput => ({
    name,
    shape: [n],
    type: "F32",
    values: () => new Float32Array(n).fill(1),
  });
  const tensors: GgufTensorInput[] = [matrix("token_embd.weight", nEmbd, 300)];
  for (let i = 0; i < 2; i++) {
    tensors.push(
      ones(`blk.${i}.attn_norm.weight`, nEmbd),
      matrix(`blk.${i}.attn_q.weight`, nEmbd, nHead * headDim),
      matrix(`blk.${i}.attn_k.weight`, nEmbd, nHead * headDim),
      matrix(`blk.${i}.attn_v.weight`, nEmbd, nHead * headDim),
      matrix(`blk.${i}.attn_output.weight`, nHead * headDim, nEmbd),
      ones(`blk.${i}.ffn_norm.weight`, nEmbd),
      matrix(`blk.${i}.ffn_gate.weight`, nEmbd, nFf),
      matrix(`blk.${i}.ffn_up.weight`, nEmbd, nFf),
      matrix(`blk.${i}.ffn_down.weight`, nFf, nEmbd),
    );
  }
  tensors.push(ones("output_norm.weight", nEmbd), matrix("output.weight", nEmbd, 300));
  await writeGguf(path, {
    metadata: [
      ["general.architecture", gguf.str("llama")],
      ["general.name", gguf.str("wide-heads")],
      ["general.file_type", gguf.u32(0)],
      ["llama.context_length", gguf.u32(128)],
      ["llama.embedding_length", gguf.u32(nEmbd)],
      ["llama.block_count", gguf.u32(2)],
      ["llama.feed_forward_length", gguf.u32(nFf)],
      ["llama.attention.head_count", gguf.u32(nHead)],
      ["llama.attention.head_count_kv", gguf.u32(nHead)],
      ["llama.attention.key_length", gguf.u32(headDim)],
      ["llama.attention.value_length", gguf.u32(headDim)],
      ["llama.attention.layer_norm_rms_epsilon", gguf.f32(1e-5)],
      ["llama.rope.dimension_count", gguf.u32(headDim)],
      ["llama.rope.freq_base", gguf.f32(10000)],
      ["llama.vocab_size", gguf.u32(300)],
      ...spmVocabMetadata(vocab),
    ],
    tensors,
  });
}

test("a model whose o_proj input is wider than nEmbd is refused at that site", async () => {
  const dir = await mkdtemp(join(tmpdir(), "chorus-wide-heads-"));
  let model: LanguageModel | undefined;
  try {
    const path = join(dir, "wide.gguf");
    await writeWideHeadModel(path);
    model = await loadLlamaCppModel({ modelPath: path, contextSize: 64, gpu: false });
    const internals = requireInternals(model);
    assert.equal(internals.nEmbd, 32);
    const refused = (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(
        e.message,
        /has 64 values per token \(n_head·head_dim\), not the hidden size 32/,
      );
      return true;
    };
    await assert.rejects(
      internals.logits("hello", {
        interventions: [{ layer: 1, site: "o-proj-input", edit: () => {} }],
      }),
      refused,
    );
    await assert.rejects(
      internals.captureHidden("hello", { layers: [0], rawPrompt: true, site: "o-proj-input" }),
      refused,
    );
    // The residual site still works on this model, and the context is usable after the refusal.
    const captured = await internals.captureHidden("hello", { layers: [1], rawPrompt: true });
    assert.equal(captured.states.get(1)![0]!.length, 32);
    assert.equal((await internals.logits("hello")).length, 300);
  } finally {
    await model?.close?.();
    await rm(dir, { recursive: true, force: true });
  }
});
