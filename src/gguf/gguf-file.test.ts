import assert from "node:assert/strict";
import { copyFile, mkdtemp, open, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { DataError } from "../model/errors.ts";
import { openGguf } from "./gguf-file.ts";
import { gguf } from "./gguf-value.ts";
import { writeGguf } from "./gguf-writer.ts";

const models = join(dirname(fileURLToPath(import.meta.url)), "../../../shared/models");
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "chorus-gguf-file-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function std(values: Float32Array): number {
  let sum = 0;
  let squares = 0;
  for (const v of values) {
    sum += v;
    squares += v * v;
  }
  const mean = sum / values.length;
  return Math.sqrt(squares / values.length - mean * mean);
}

test("reads stories260K.gguf (llama.cpp-converted, F32)", async () => {
  const file = await openGguf(join(models, "stories260K.gguf"));
  try {
    assert.equal(file.version, 3);
    assert.equal(file.architecture, "llama");
    assert.equal(file.tensors.length, 48);
    assert.equal(file.metadata.size, 19);
    assert.equal(file.number("llama.block_count"), 5);
    assert.equal(file.number("llama.embedding_length"), 64);
    assert.equal(file.number("llama.feed_forward_length"), 172);
    assert.equal(file.number("llama.attention.head_count"), 8);
    assert.equal(file.number("llama.attention.head_count_kv"), 4);
    assert.equal(file.string("tokenizer.ggml.model"), "llama");
    const tokens = file.value("tokenizer.ggml.tokens") as string[];
    assert.equal(tokens.length, 512);
    assert.deepEqual([tokens[1], tokens[2], tokens[3 + 0x41]], ["<s>", "</s>", "<0x41>"]);
    assert.deepEqual(file.tensor("token_embd.weight").shape, [64, 512]);
    assert.ok(file.tensors.every((t) => t.type === "F32"));
    // the data section ends exactly at EOF (MANIFEST), so the layout is computed right
    const last = file.tensors.reduce((a, b) => (a.offset > b.offset ? a : b));
    assert.equal(last.offset + last.byteLength, file.fileSize);
    // trained weights, tied output stored twice: bit-identical copies
    const embedding = await file.readTensor("token_embd.weight");
    assert.deepEqual(await file.readTensor("output.weight"), embedding);
    assert.ok(Math.abs(std(embedding) - 0.31) < 0.01);
  } finally {
    await file.close();
  }
});

test("reads llama-2-tiny-random.gguf: F16 matrices dequantize to N(0, 0.02)", async () => {
  const file = await openGguf(join(models, "llama-2-tiny-random.gguf"));
  try {
    assert.equal(file.number("general.file_type"), 1);
    assert.equal(file.number("llama.embedding_length"), 8);
    assert.equal(file.dataOffset, 724416);
    const embedding = file.tensor("token_embd.weight");
    assert.equal(embedding.type, "F16");
    assert.deepEqual(embedding.shape, [8, 32000]);
    const values = await file.readTensor(embedding);
    assert.ok(Math.abs(std(values) - 0.02) < 0.001, `std ${std(values)}`);
    const norm = await file.readTensor("blk.0.attn_norm.weight");
    assert.ok(norm.every((v) => v === 1));
    const rows = await file.readTensorRows(embedding, 31990, 10);
    assert.deepEqual(rows, values.subarray(31990 * 8));
  } finally {
    await file.close();
  }
});

async function expectDataError(path: string, pattern: RegExp): Promise<void> {
  await assert.rejects(openGguf(path), (error: unknown) => {
    assert.ok(error instanceof DataError, String(error));
    assert.match(error.message, pattern);
    assert.ok(error.message.startsWith(path), "names the file");
    return true;
  });
}

test("bad files give one clear error naming the problem", async () => {
  const truncated = join(dir, "truncated.gguf");
  await copyFile(join(models, "stories260K.gguf"), truncated);
  await truncate(truncated, 1_000_000);
  await expectDataError(
    truncated,
    /truncated GGUF file: tensor ".+" ends at byte \d+ .*\(download it again\)/,
  );

  const headerCut = join(dir, "header-cut.gguf");
  await copyFile(join(models, "stories260K.gguf"), headerCut);
  await truncate(headerCut, 5000);
  await expectDataError(headerCut, /truncated GGUF file: the header needs byte/);

  const wrongMagic = join(dir, "wrong-magic.gguf");
  await writeFile(wrongMagic, '{"not": "a model"}');
  await expectDataError(
    wrongMagic,
    /not a GGUF file: it starts with bytes 7b 22 6e 6f, expected "GGUF"/,
  );

  const oldVersion = join(dir, "v1.gguf");
  await copyFile(join(models, "stories260K.gguf"), oldVersion);
  const handle = await open(oldVersion, "r+");
  await handle.write(new Uint8Array([1, 0, 0, 0]), 0, 4, 4);
  await handle.close();
  await expectDataError(oldVersion, /unsupported GGUF version 1 \(supported: 2, 3\)/);

  // GGUF v2 has the v3 layout (v3 only added big-endian files), so it reads the same
  const v2 = join(dir, "v2.gguf");
  await copyFile(join(models, "stories260K.gguf"), v2);
  const v2Handle = await open(v2, "r+");
  await v2Handle.write(new Uint8Array([2, 0, 0, 0]), 0, 4, 4);
  await v2Handle.close();
  const v2File = await openGguf(v2);
  assert.equal(v2File.version, 2);
  assert.equal(v2File.tensors.length, 48);
  await v2File.close();

  await expectDataError(join(dir, "missing.gguf"), /no such file/);

  const unknownType = join(dir, "unknown-type.gguf");
  await writeGguf(unknownType, {
    metadata: {},
    tensors: [{ name: "w", shape: [4], type: "F32", values: new Float32Array(4) }],
  });
  const bytes = await open(unknownType, "r+");
  // the type id follows name (8+1 bytes), n_dims (4) and one dim (8), after the 24-byte preamble
  await bytes.write(new Uint8Array([99, 0, 0, 0]), 0, 4, 24 + 9 + 4 + 8);
  await bytes.close();
  await expectDataError(unknownType, /unknown ggml tensor type id 99; known types: F32, F16/);
});

test("a type the file can hold but chorus cannot decode fails when read, naming both", async () => {
  const path = join(dir, "iq2.gguf");
  await writeGguf(path, {
    metadata: { "general.architecture": gguf.str("llama") },
    tensors: [{ name: "w", shape: [256], type: "IQ2_XXS", bytes: new Uint8Array(66) }],
  });
  const file = await openGguf(path);
  try {
    assert.equal(file.tensor("w").type, "IQ2_XXS");
    await assert.rejects(
      file.readTensor("w"),
      /unsupported tensor type IQ2_XXS \(tensor "w"\); chorus can decode .*Q8_0.*Q4_K.*Q6_K/,
    );
    assert.throws(() => file.tensor("nope"), /no tensor "nope" in the file \(it has w/);
  } finally {
    await file.close();
  }
});
