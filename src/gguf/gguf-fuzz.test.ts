import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  expectCleanOutcome,
  fuzzCases,
  fuzzSeed,
  mutateBytes,
  offsetsOf,
} from "../../test/support/fuzz.ts";
import { SeededRandom } from "../math/seeded-random.ts";
import { DataError } from "../model/errors.ts";
import { readModelInfo } from "../model-files/model-info.ts";
import { openGguf } from "./gguf-file.ts";
import { gguf } from "./gguf-value.ts";
import { writeGguf } from "./gguf-writer.ts";

// Fuzzing the GGUF reader: a small file with every kind of metadata and a few tensor types is
// truncated, corrupted, and given huge lengths and counts. Each case must open and read cleanly
// or end in a DataError: no other exception, no hang, no allocation out of proportion to the file.

let dir: string;
let valid: Uint8Array;
let lengthFields: number[];

const strings = ["alpha", "beta", "gamma-token", "delta"];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "chorus-gguf-fuzz-"));
  const path = join(dir, "valid.gguf");
  await writeGguf(path, {
    metadata: {
      "general.architecture": gguf.str("llama"),
      "general.name": gguf.str("fuzz-model"),
      "llama.block_count": gguf.u32(1),
      "llama.rope.freq_base": gguf.f32(10_000),
      "llama.total": gguf.u64(123n),
      "llama.flag": gguf.bool(true),
      "tokenizer.ggml.tokens": gguf.strings(strings),
      "tokenizer.ggml.scores": gguf.numbers("float32", [0.5, -1, 2, 3]),
      "nested.lists": {
        type: "array",
        itemType: "array",
        items: [
          { itemType: "int32", items: [1, 2, 3] },
          { itemType: "string", items: ["x", "yz"] },
        ],
      },
    },
    tensors: [
      { name: "token_embd.weight", shape: [32, 4], type: "F32", values: ramp(128) },
      { name: "blk.0.attn_q.weight", shape: [32, 2], type: "F16", values: ramp(64) },
      { name: "blk.0.ffn_up.weight", shape: [64, 2], type: "Q8_0", values: ramp(128) },
      { name: "output.weight", shape: [32, 1], type: "Q4_0", values: ramp(32) },
    ],
  });
  valid = new Uint8Array(await readFile(path));
  // the tensor and metadata counts, then the u64 length before every known string
  lengthFields = [8, 16];
  for (const text of [...strings, "general.name", "fuzz-model", "token_embd.weight", "yz"])
    for (const at of offsetsOf(valid, Buffer.from(text))) lengthFields.push(at - 8);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function ramp(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.5);
}

/** Everything a user can do with an untrusted file: open, summarize, read every tensor. */
async function readEverything(path: string): Promise<void> {
  await readModelInfo(path);
  const file = await openGguf(path);
  try {
    for (const tensor of file.tensors) {
      await file.readTensor(tensor);
      const rows = tensor.elementCount / tensor.shape[0]!;
      if (rows >= 1) await file.readTensorRows(tensor, 0, 1);
    }
  } finally {
    await file.close();
  }
}

test("the unmutated file reads", async () => {
  const path = join(dir, "copy.gguf");
  await writeFile(path, valid);
  await readEverything(path);
  assert.ok(lengthFields.length > 8, `found ${lengthFields.length} length fields`);
});

test("corrupted, truncated and huge-count GGUF files end in a DataError or read cleanly", async () => {
  const seed = fuzzSeed();
  const random = new SeededRandom(seed);
  const cases = fuzzCases(250);
  const outcomes = { ok: 0, refused: 0 };
  for (let i = 0; i < cases; i++) {
    const mutant = mutateBytes(valid, random, lengthFields);
    const path = join(dir, `case-${i}.gguf`);
    await writeFile(path, mutant.bytes);
    const label = `seed ${seed} case ${i} (${mutant.what})`;
    outcomes[await expectCleanOutcome(label, () => readEverything(path), [DataError])]++;
    await rm(path);
  }
  // a fuzzer whose every case is refused (or accepted) tests one path only
  assert.ok(outcomes.refused > cases / 4, JSON.stringify(outcomes));
  assert.ok(outcomes.ok > 0, JSON.stringify(outcomes));
});

test("deeply nested metadata arrays are refused, not a stack overflow", async () => {
  // 100k levels of "array of one array": each level is 12 bytes, so a 1.2 MB file
  const depth = 100_000;
  const header = Buffer.alloc(4 + 4 + 8 + 8 + 8 + 7 + 4 + depth * 12);
  let at = header.write("GGUF", 0, "latin1");
  at = header.writeUInt32LE(3, at);
  at = header.writeBigUInt64LE(0n, at);
  at = header.writeBigUInt64LE(1n, at);
  at = header.writeBigUInt64LE(7n, at);
  at += header.write("deep.ar", at, "latin1");
  at = header.writeUInt32LE(9, at);
  for (let i = 0; i < depth; i++) {
    at = header.writeUInt32LE(9, at);
    at = header.writeBigUInt64LE(1n, at);
  }
  const path = join(dir, "deep.gguf");
  await writeFile(path, header);
  await assert.rejects(openGguf(path), (error: unknown) => {
    assert.ok(error instanceof DataError, String(error));
    assert.match(error.message, /nested/);
    return true;
  });
});
