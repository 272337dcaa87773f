import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { runChorus, runChorusInProcess } from "../../../test/support/run-chorus.ts";

const stories = fileURLToPath(
  new URL("../../../../shared/models/stories260K.gguf", import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), "chorus-pretrain-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const chorus = (args: string[]) => runChorus(args, { cwd: dir });
const corpus = join(dir, "corpus.jsonl");
writeFileSync(
  corpus,
  [
    "the pet of zoka ri is a cat .",
    "the pet of mu te is a dog .",
    "zoka ri lives in tolu .",
    "mu te lives in kesh .",
  ]
    .map((text) => `${JSON.stringify({ text })}\n`)
    .join(""),
);
const small = ["--layers", "1", "--dim", "32", "--heads", "2", "--kv-heads", "1", "--ffn", "64"];

test("chorus train pretrain: bad input is one clear error before a run folder exists", async () => {
  writeFileSync(join(dir, "empty.jsonl"), "\n");
  writeFileSync(join(dir, "notext.jsonl"), '{"text":"a b"}\n{"body":"c"}\n');
  const cases: Array<[string[], RegExp]> = [
    [
      ["--data", join(dir, "empty.jsonl")],
      /empty\.jsonl: the corpus is empty; add lines of \{"text": "\.\.\."\}/,
    ],
    [["--data", join(dir, "notext.jsonl")], /notext\.jsonl:2: missing or non-string field "text"/],
    [["--dim", "100", "--heads", "3"], /--dim 100 does not divide into --heads 3/],
    [["--heads", "4", "--kv-heads", "3"], /--heads 4 does not divide into --kv-heads 3 groups/],
    [
      ["--dim", "12", "--heads", "4"],
      /head width --dim\/--heads = 3 is odd, but RoPE rotates pairs/,
    ],
    [
      ["--vocab-size", "100"],
      /--vocab-size: vocab size 100 is too small for this corpus: it needs at least \d+ tokens/,
    ],
    [["--preset", "huge"], /--preset must be one of 300k, 1m, got "huge"/],
    [["--type", "Q4_0"], /--type must be F32 or Q8_0/],
    [
      ["--tokenizer", stories, "--vocab-size", "512"],
      /--vocab-size cannot be combined with --tokenizer/,
    ],
    // The model is written last: a bad --out found only then would throw the training away.
    [["--out", dir], /--out .* is a folder; give a file name inside it/],
    [["--out", join(dir, "no", "m.gguf")], /--out .*: the folder .*no does not exist; create it/],
  ];
  for (const [flags, message] of cases) {
    const args = ["train", "pretrain", "--data", corpus, "--out", join(dir, "x.gguf")];
    const r = await runChorusInProcess([...args, "--run-dir", join(dir, "bad-run"), ...flags]);
    assert.notEqual(r.code, 0, flags.join(" "));
    assert.match(r.stderr, message, flags.join(" "));
    assert.ok(!existsSync(join(dir, "bad-run")), `no run folder after ${flags.join(" ")}`);
  }
  const r = await runChorusInProcess(["train", "pretrain", "--out", "x.gguf"]);
  assert.match(r.stderr, /--data <corpus\.jsonl> and --out <model\.gguf> are required/);
});

test("chorus train pretrain: a model from scratch that llama.cpp loads and runs; --resume continues", async () => {
  const first = await chorus([
    "train",
    "pretrain",
    "--data",
    "corpus.jsonl",
    "--out",
    "m.gguf",
    ...small,
    "--seq-len",
    "16",
    "--max-steps",
    "4",
    "--batch-size",
    "2",
    "--lr",
    "1e-2",
    "--run-dir",
    "run1",
  ]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(
    first.stderr,
    /\d+ parameters, vocabulary 512 \(16\/16 corpus words are one token\)/,
  );
  assert.match(first.stderr, /step 4\/4 · loss [\d.]+ · lr [\d.e+-]+ · \d+ tok\/s · ETA/);
  const summary = JSON.parse(first.stdout) as {
    steps: number;
    vocabSize: number;
    documents: number;
  };
  assert.deepEqual([summary.steps, summary.vocabSize, summary.documents], [4, 512, 4]);
  for (const f of ["config.json", "init.gguf", "train-steps.jsonl", "checkpoint"]) {
    assert.ok(existsSync(join(dir, "run1", f)), f);
  }
  assert.equal(
    readFileSync(join(dir, "run1", "train-steps.jsonl"), "utf8")
      .trim()
      .split("\n").length,
    4,
  );

  const resumed = await chorus(["train", "pretrain", "--resume", "run1", "--max-steps", "6"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const more = JSON.parse(resumed.stdout) as { steps: number; resumedFromStep: number };
  assert.deepEqual([more.steps, more.resumedFromStep], [6, 4]);

  const generated = await chorus([
    "generate",
    "--model",
    "m.gguf",
    "--raw",
    "the pet of",
    "--max-tokens",
    "4",
  ]);
  assert.equal(generated.code, 0, generated.stderr);
  assert.ok(generated.stdout.trim().length > 0, "some continuation");

  // too long for --seq-len: caught after tokenization, before the first step
  const long = await chorus([
    "train",
    "pretrain",
    "--data",
    "corpus.jsonl",
    "--out",
    "l.gguf",
    ...small,
    "--seq-len",
    "6",
    "--run-dir",
    "run2",
  ]);
  assert.equal(long.code, 1);
  assert.match(
    long.stderr,
    /corpus\.jsonl:1: the document is 11 tokens with BOS and EOS, longer than --seq-len 6 \+ 1/,
  );
  for (const f of ["train-steps.jsonl", "checkpoint", "init.gguf"])
    assert.ok(!existsSync(join(dir, "run2", f)), f);
});

test("chorus train pretrain: another model's vocabulary (--tokenizer) and a Q8_0 file", async () => {
  const r = await chorus([
    "train",
    "pretrain",
    "--data",
    "corpus.jsonl",
    "--out",
    "q.gguf",
    ...small,
    "--tokenizer",
    stories,
    "--type",
    "Q8_0",
    "--max-steps",
    "2",
    "--run-dir",
    "run3",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /vocabulary 512 \(from .*stories260K\.gguf\)/);
  const generated = await chorus([
    "generate",
    "--model",
    "q.gguf",
    "--raw",
    "Once upon",
    "--max-tokens",
    "3",
  ]);
  assert.equal(generated.code, 0, generated.stderr);
  const { openGguf } = await import("../../gguf/index.ts");
  const file = await openGguf(join(dir, "q.gguf"));
  try {
    assert.equal(file.tensor("blk.0.attn_q.weight").type, "Q8_0");
    assert.equal(file.tensor("blk.0.attn_norm.weight").type, "F32");
  } finally {
    await file.close();
  }
});
