import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { SeededRandom } from "../math/seeded-random.ts";
import { DataError } from "../model/errors.ts";
import { openGguf } from "./gguf-file.ts";
import { type GgufValue, gguf } from "./gguf-value.ts";
import { writeGguf } from "./gguf-writer.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "chorus-gguf-writer-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const metadata: Array<[string, GgufValue]> = [
  ["general.architecture", gguf.str("llama")],
  ["u8", gguf.u8(255)],
  ["i8", gguf.i8(-128)],
  ["u16", gguf.u16(65535)],
  ["i16", gguf.i16(-32768)],
  ["u32", gguf.u32(4294967295)],
  ["i32", gguf.i32(-2147483648)],
  ["f32", gguf.f32(0.5)],
  ["f64", gguf.f64(Math.PI)],
  ["u64", gguf.u64(2n ** 64n - 1n)],
  ["i64", gguf.i64(-(2n ** 63n))],
  ["bool", gguf.bool(true)],
  ["unicode", gguf.str("héllo ▁ 世界")],
  ["strings", gguf.strings(["a", "", "ü"])],
  // a header larger than the writer's and reader's first buffers
  ["many", gguf.strings(Array.from({ length: 80000 }, (_, i) => `piece-${i}-▁x`))],
  ["floats", gguf.numbers("float32", [1.5, -2.25])],
  ["empty", gguf.numbers("int32", [])],
  [
    "nested",
    {
      type: "array",
      itemType: "array",
      items: [
        { itemType: "uint64", items: [1n, 2n] },
        { itemType: "bool", items: [false] },
      ],
    },
  ],
];

test("metadata of every type and tensors of every writable type survive a round trip", async () => {
  const random = new SeededRandom(7);
  const values = random.fillUniform(new Float32Array(64 * 3), 1);
  const path = join(dir, "round-trip.gguf");
  const types = ["F32", "F16", "BF16", "Q8_0", "Q4_0"] as const;
  await writeGguf(path, {
    metadata,
    tensors: types.map((type) => ({ name: `t.${type}`, shape: [64, 3], type, values })),
  });
  const file = await openGguf(path);
  try {
    assert.equal(file.version, 3);
    assert.deepEqual([...file.metadata], metadata);
    assert.equal(file.dataOffset % 32, 0);
    for (const info of file.tensors) assert.equal(info.offset % 32, 0);
    assert.deepEqual(await file.readTensor("t.F32"), values);
    const tolerance = { F16: 1e-3, BF16: 1e-2, Q8_0: 0, Q4_0: 0 };
    for (const type of ["F16", "BF16"] as const) {
      const got = await file.readTensor(`t.${type}`);
      for (let i = 0; i < values.length; i++) {
        assert.ok(Math.abs(got[i]! - values[i]!) <= tolerance[type] * Math.abs(values[i]!) + 1e-7);
      }
    }
    // Q8_0: within half a step d = amax/127; Q4_0 (asymmetric range -8..7): within one step d = amax/8
    for (const [type, maxError] of [
      ["Q8_0", 0.51 / 127],
      ["Q4_0", 1.01 / 8],
    ] as const) {
      const got = await file.readTensor(`t.${type}`);
      for (let b = 0; b < values.length; b += 32) {
        const block = values.subarray(b, b + 32);
        const amax = Math.max(...block.map(Math.abs));
        for (let j = 0; j < 32; j++) {
          assert.ok(Math.abs(got[b + j]! - block[j]!) <= amax * (maxError + 2e-3));
        }
      }
    }
    const rows = await file.readTensorRows("t.Q8_0", 1, 2);
    assert.deepEqual(rows, (await file.readTensor("t.Q8_0")).subarray(64));
  } finally {
    await file.close();
  }
});

test("values given as lazy chunks write the same file as one array", async () => {
  const values = new SeededRandom(3).fillUniform(new Float32Array(32 * 8), 1);
  const whole = join(dir, "whole.gguf");
  const chunked = join(dir, "chunked.gguf");
  const tensor = { name: "w", shape: [32, 8], type: "Q8_0" } as const;
  await writeGguf(whole, { metadata: {}, tensors: [{ ...tensor, values }] });
  await writeGguf(chunked, {
    metadata: {},
    tensors: [{ ...tensor, values: () => [values.subarray(0, 64), values.subarray(64)] }],
  });
  const [a, b] = await Promise.all([openGguf(whole), openGguf(chunked)]);
  assert.deepEqual(await a.readTensorBytes("w"), await b.readTensorBytes("w"));
  await Promise.all([a.close(), b.close()]);
});

test("a custom alignment is written as general.alignment and honoured by the reader", async () => {
  const path = join(dir, "aligned.gguf");
  const values = new Float32Array(40).fill(1.5);
  await writeGguf(path, {
    metadata: {},
    alignment: 64,
    tensors: [
      { name: "a", shape: [40], type: "F32", values },
      { name: "b", shape: [40], type: "F16", values },
    ],
  });
  const file = await openGguf(path);
  try {
    assert.equal(file.alignment, 64);
    assert.deepEqual(file.metadata.get("general.alignment"), gguf.u32(64));
    assert.deepEqual(
      file.tensors.map((t) => t.offset % 64),
      [0, 0],
    );
    assert.deepEqual(await file.readTensor("b"), values);
  } finally {
    await file.close();
  }
});

test("bad tensor input fails clearly and leaves no file behind", async () => {
  const path = join(dir, "bad.gguf");
  await assert.rejects(
    writeGguf(path, {
      metadata: {},
      tensors: [{ name: "w", shape: [30, 2], type: "Q8_0", values: new Float32Array(60) }],
    }),
    (error: unknown) =>
      error instanceof DataError && /multiple of the Q8_0 block size 32/.test(error.message),
  );
  await assert.rejects(
    writeGguf(path, {
      metadata: {},
      tensors: [{ name: "w", shape: [32, 2], type: "F32", values: new Float32Array(32) }],
    }),
    /got 32 values; shape \[32, 2\] needs 64/,
  );
  await assert.rejects(
    writeGguf(path, {
      metadata: {},
      tensors: [{ name: "w", shape: [256], type: "Q4_K", values: new Float32Array(256) }],
    }),
    /cannot encode tensors as Q4_K; chorus writes F32, F16, BF16, Q8_0, Q4_0/,
  );
  assert.deepEqual(
    (await readdir(dir)).filter((name) => name.startsWith("bad")),
    [],
  );
});
