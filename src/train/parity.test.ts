import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { writeRandomModel } from "../gguf/index.ts";
import { llamaCppLogits } from "./llama-reference.ts";
import { loadTransformer } from "./load-gguf.ts";

const stories = new URL("../../../shared/models/stories260K.gguf", import.meta.url).pathname;
const dir = await mkdtemp(join(tmpdir(), "chorus-train-parity-"));
after(() => rm(dir, { recursive: true, force: true }));

async function maxDiff(path: string, tokens: number[]): Promise<number> {
  const { model } = await loadTransformer(path);
  const reference = await llamaCppLogits(path, tokens);
  const ours = await model.forward(tokens);
  const V = model.config.vocabSize;
  let max = 0;
  tokens.forEach((_, t) => {
    for (let v = 0; v < V; v++)
      max = Math.max(max, Math.abs(ours.logits[t * V + v]! - reference[t]![v]!));
  });
  return max;
}

test("forward logits equal llama.cpp's on stories260K (every position)", async () => {
  const d = await maxDiff(stories, [1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421]);
  assert.ok(d <= 1e-3, `max abs diff ${d}`);
});

for (const [architecture, tied] of [
  ["llama", false],
  ["qwen2", true],
] as const) {
  test(`forward logits equal llama.cpp's on a random ${architecture} GGUF (tied output: ${tied})`, async () => {
    const path = join(dir, `${architecture}.gguf`);
    // std 0.3: large enough that attention is far from uniform and RoPE pairing matters.
    await writeRandomModel(path, {
      preset: "tiny",
      architecture,
      tiedEmbeddings: tied,
      embeddingLength: 64,
      headCount: 4,
      headCountKv: 2,
      vocabSize: 300,
      std: 0.3,
      seed: 3,
    });
    const d = await maxDiff(path, [1, 17, 250, 33, 90, 4, 120, 7, 77, 200, 5, 60]);
    assert.ok(d <= 1e-3, `max abs diff ${d}`);
  });
}
