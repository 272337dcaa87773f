import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { getLlama, type Llama, LlamaLogLevel } from "node-llama-cpp";
import { SeededRandom } from "../math/seeded-random.ts";
import { dequantize } from "./dequantize.ts";
import { type GgmlType, ggmlTypes } from "./ggml-type.ts";
import { openGguf } from "./gguf-file.ts";
import { type GgufTensorInput, writeGguf } from "./gguf-writer.ts";
import { f32ToF16 } from "./half-float.ts";
import { writeRandomModel } from "./random-model.ts";

/**
 * Checks our block layouts against llama.cpp itself: a model whose matrices are random blocks of
 * a quantized type, and the same model in F32 holding our dequantization of those blocks, must give
 * the same next-token distribution. A layout mistake (a swapped nibble, a wrong scale) moves the
 * log-probs by 0.2 or more on average; correct layouts stay near 0.01 (llama.cpp quantizes the
 * activations for quantized matmuls).
 */

// byte offset and magnitude of each block's f16 scale fields, sized for weights of about 0.05
const scaleFields: Partial<Record<GgmlType, Array<[number, number]>>> = {
  Q4_0: [[0, 0.01]],
  Q4_1: [
    [0, 0.01],
    [2, -0.075],
  ],
  Q5_0: [[0, 0.005]],
  Q5_1: [
    [0, 0.005],
    [2, -0.08],
  ],
  Q8_0: [[0, 0.0008]],
  Q4_K: [
    [0, 1e-4],
    [2, 1e-3],
  ],
  Q5_K: [
    [0, 5e-5],
    [2, 1e-3],
  ],
  Q6_K: [[208, 1e-5]],
};

const vocabSize = 300;
let dir: string;
let llama: Llama;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "chorus-dequant-"));
  llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.warn });
});
after(async () => {
  await llama?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function nextTokenLogProbs(path: string): Promise<Float64Array> {
  const model = await llama.loadModel({ modelPath: path });
  try {
    const context = await model.createContext({ threads: 1, contextSize: 64 });
    const tokens = model.tokenize("hello there, bob");
    const last = tokens.pop()!;
    // teacher-forced: gives the distribution even when its top token would end generation
    const outputs = await context
      .getSequence()
      .controlledEvaluate([...tokens, [last, { generateNext: { probabilities: true } }]]);
    await context.dispose();
    const probabilities = outputs.at(-1)?.next.probabilities;
    assert.ok(probabilities && probabilities.size === vocabSize, "full distribution");
    const logProbs = new Float64Array(vocabSize);
    for (const [token, p] of probabilities) logProbs[token] = Math.log(p);
    return logProbs;
  } finally {
    await model.dispose();
  }
}

test("dequantization matches llama.cpp for Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K", async () => {
  const base = join(dir, "base.gguf");
  // K-quants need rows of 256 elements
  await writeRandomModel(base, {
    embeddingLength: 256,
    blockCount: 1,
    feedForwardLength: 256,
    headCount: 4,
    headCountKv: 4,
    vocabSize,
    chatml: false,
  });
  const file = await openGguf(base);
  const vectors = new Map<string, Float32Array>();
  for (const info of file.tensors) {
    if (info.shape.length === 1) vectors.set(info.name, await file.readTensor(info));
  }
  const differences: string[] = [];
  try {
    for (const [type, fields] of Object.entries(scaleFields) as Array<
      [GgmlType, [number, number][]]
    >) {
      const random = new SeededRandom(ggmlTypes[type].id);
      const quantized: GgufTensorInput[] = [];
      const reference: GgufTensorInput[] = [];
      for (const info of file.tensors) {
        const vector = vectors.get(info.name);
        if (vector) {
          const tensor = {
            name: info.name,
            shape: info.shape,
            type: "F32",
            values: vector,
          } as const;
          quantized.push(tensor);
          reference.push(tensor);
          continue;
        }
        const { blockSize, blockBytes } = ggmlTypes[type];
        const blocks = info.elementCount / blockSize;
        const bytes = new Uint8Array(blocks * blockBytes);
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random.next() * 256);
        const view = new DataView(bytes.buffer);
        for (let b = 0; b < blocks; b++) {
          for (const [offset, magnitude] of fields) {
            view.setUint16(
              b * blockBytes + offset,
              f32ToF16(magnitude * (0.5 + random.next())),
              true,
            );
          }
        }
        quantized.push({ name: info.name, shape: info.shape, type, bytes });
        reference.push({
          name: info.name,
          shape: info.shape,
          type: "F32",
          values: dequantize(type, bytes, info.elementCount),
        });
      }
      const quantizedPath = join(dir, `${type}.gguf`);
      const referencePath = join(dir, `${type}-ref.gguf`);
      await writeGguf(quantizedPath, { metadata: file.metadata, tensors: quantized });
      await writeGguf(referencePath, { metadata: file.metadata, tensors: reference });
      const a = await nextTokenLogProbs(quantizedPath);
      const b = await nextTokenLogProbs(referencePath);
      let meanAbs = 0;
      for (let i = 0; i < vocabSize; i++) meanAbs += Math.abs(a[i]! - b[i]!) / vocabSize;
      if (!(meanAbs < 0.05)) differences.push(`${type}: mean |Δ log p| = ${meanAbs.toFixed(4)}`);
    }
  } finally {
    await file.close();
  }
  assert.deepEqual(differences, []);
});
