import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { writeRandomModel } from "../gguf/random-model.ts";
import { loadTransformer } from "./load-gguf.ts";
import { checkPretrainShape, parameterCount, pretrainPresets } from "./pretrain-shape.ts";

test("parameterCount equals the weights of the model written for the shape (presets named by it)", async () => {
  const dir = await mkdtemp(join(tmpdir(), "chorus-pretrain-shape-"));
  try {
    for (const [arch, tied] of [
      ["llama", true],
      ["qwen2", false],
    ] as const) {
      const s = { ...pretrainPresets["300k"], arch, tiedEmbeddings: tied };
      const path = join(dir, `${arch}.gguf`);
      await writeRandomModel(path, {
        architecture: arch,
        embeddingLength: s.dim,
        blockCount: s.layers,
        feedForwardLength: s.ffn,
        headCount: s.heads,
        headCountKv: s.kvHeads,
        vocabSize: 512,
        tiedEmbeddings: tied,
      });
      const { model } = await loadTransformer(path);
      const actual = [...model.params.values()].reduce((n, p) => n + p.data.length, 0);
      assert.equal(parameterCount(s, 512), actual, arch);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const near = (n: number, target: number) => Math.abs(n / target - 1) < 0.1;
  assert.ok(near(parameterCount(pretrainPresets["300k"], 2048), 300_000));
  assert.ok(near(parameterCount(pretrainPresets["1m"], 2048), 1_000_000));
});

test("checkPretrainShape names the flag to change", () => {
  const ok = pretrainPresets["1m"];
  assert.doesNotThrow(() => checkPretrainShape(ok));
  assert.throws(
    () => checkPretrainShape({ ...ok, layers: 0 }),
    /--layers must be a positive integer, got 0/,
  );
  assert.throws(
    () => checkPretrainShape({ ...ok, dim: 130 }),
    /--dim 130 does not divide into --heads 4/,
  );
  assert.throws(
    () => checkPretrainShape({ ...ok, kvHeads: 3 }),
    /--heads 4 does not divide into --kv-heads 3/,
  );
  assert.throws(
    () => checkPretrainShape({ ...ok, dim: 120, heads: 8 }),
    /--dim\/--heads = 15 is odd/,
  );
});
