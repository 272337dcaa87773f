import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadLlamaCppModel } from "../engines/llamacpp/index.ts";
import { DataError } from "../model/errors.ts";
import { parseDpoRecords, parseSftRecords, readJsonl, tokenizeSft } from "./data.ts";
import { llamaCppLogits } from "./llama-reference.ts";
import { exportFullModel } from "./model-export.ts";
import { Trainable } from "./trainable.ts";

const stories = new URL("../../../shared/models/stories260K.gguf", import.meta.url).pathname;
const dir = await mkdtemp(join(tmpdir(), "chorus-train-"));
after(() => rm(dir, { recursive: true, force: true }));

const prompt = "Once upon a time";
const completion = " the purple robot sang to the moon.";

test("SFT with LoRA lowers the loss; llama.cpp loads the adapter, matches our logits and generates the trained text", async () => {
  const t = await Trainable.load(stories, {
    lora: { rank: 4, alpha: 8, targets: ["attn_q", "attn_v", "attn_output", "ffn_down"], seed: 1 },
  });
  try {
    const result = await t.sft(
      [
        { prompt, completion },
        { prompt: "Lily had a ball.", completion: " It was red." },
      ],
      // stories260K never saw EOS in training (llama2.c separates stories with BOS), so its
      // EOS logit is far too low for a small LoRA to lift: train and compare without it.
      { epochs: 40, batchSize: 2, lr: 1e-2, warmupSteps: 2, seed: 1, appendEos: false },
    );
    const first = result.losses[0]!;
    const last = result.losses.at(-1)!;
    assert.ok(last < first / 4, `loss ${first} -> ${last}`);

    const adapter = join(dir, "adapter.gguf");
    await t.saveAdapter(adapter);
    const ex = t.encode(prompt, completion, false);
    const ref = await llamaCppLogits(stories, ex.tokens, [{ path: adapter, scale: 1 }]);
    const ours = await t.model.forward(ex.tokens);
    const V = t.model.config.vocabSize;
    let max = 0;
    ex.tokens.forEach((_, i) => {
      for (let v = 0; v < V; v++)
        max = Math.max(max, Math.abs(ours.logits[i * V + v]! - ref[i]![v]!));
    });
    assert.ok(max <= 1e-3, `adapter logits differ by ${max}`);
    // The same adapter merged into a full GGUF gives the same logits too.
    const merged = join(dir, "merged.gguf");
    await exportFullModel(t.model, stories, merged);
    const refMerged = await llamaCppLogits(merged, ex.tokens);
    let maxMerged = 0;
    ex.tokens.forEach((_, i) => {
      for (let v = 0; v < V; v++)
        maxMerged = Math.max(maxMerged, Math.abs(ours.logits[i * V + v]! - refMerged[i]![v]!));
    });
    assert.ok(maxMerged <= 1e-3, `merged model logits differ by ${maxMerged}`);

    // The engine, given the prompt text and the adapter, greedily says the trained continuation;
    // without the adapter it does not.
    const generate = async (lora: { path: string }[]) => {
      const engine = await loadLlamaCppModel({ modelPath: stories, lora, gpu: false });
      try {
        const r = await engine.generate({
          prompt,
          temperature: 0,
          maxTokens: ex.tokens.length - ex.start,
        });
        return r.generations[0]!.text.trim();
      } finally {
        await engine.close?.();
      }
    };
    assert.equal(await generate([{ path: adapter }]), completion.trim());
    assert.notEqual(await generate([]), completion.trim());
  } finally {
    await t.close();
  }
});

test("DPO raises the chosen-minus-rejected log-prob margin", async () => {
  const t = await Trainable.load(stories, { lora: { rank: 4, alpha: 8, seed: 2 } });
  try {
    const pairs = [
      { prompt: "Once upon a time, there was a", chosen: " cat.", rejected: " dog." },
      { prompt: "Lily liked to", chosen: " sing.", rejected: " run." },
    ];
    const margin = async () => {
      let m = 0;
      for (const p of pairs)
        m += (await t.logProb(p.prompt, p.chosen)) - (await t.logProb(p.prompt, p.rejected));
      return m / pairs.length;
    };
    const before = await margin();
    const result = await t.dpo(pairs, {
      epochs: 10,
      batchSize: 2,
      lr: 5e-3,
      beta: 0.5,
      seed: 3,
      cacheDir: join(dir, "ref"),
    });
    const after = await margin();
    assert.ok(after > before + 1, `margin ${before} -> ${after}`);
    assert.ok(result.losses.at(-1)! < result.losses[0]!);
  } finally {
    await t.close();
  }
});

test("bad data gives one clear error naming the line and the fix, before training", async () => {
  const file = join(dir, "bad.jsonl");
  await writeFile(file, '{"prompt":"a","completion":"b"}\n\n{"prompt":"c"}\n');
  await assert.rejects(
    async () => parseSftRecords(await readJsonl(file), file),
    (e: unknown) => e instanceof DataError && /bad\.jsonl:3: .*"completion"/.test(e.message),
  );
  await writeFile(file, '{"prompt":"a","chosen":"b"}\n');
  await assert.rejects(
    async () => parseDpoRecords(await readJsonl(file), file),
    (e: unknown) => e instanceof DataError && /:1: .*"rejected"/.test(e.message),
  );
  await writeFile(file, "{not json}\n");
  await assert.rejects(
    readJsonl(file),
    (e: unknown) => e instanceof DataError && /:1: invalid JSON/.test(e.message),
  );
  await writeFile(file, "\n");
  await assert.rejects(
    async () => parseSftRecords(await readJsonl(file), file),
    (e: unknown) => e instanceof DataError && /empty/.test(e.message),
  );
  const t = await Trainable.load(stories);
  try {
    const rows = parseSftRecords([
      { record: { prompt: "hi", completion: " there" }, line: 1 },
      {
        record: {
          prompt: "Once upon a time there was a very long story",
          completion: " and it went on",
        },
        line: 2,
      },
    ]);
    await assert.rejects(
      tokenizeSft(t.tokenizer, rows, { maxLength: 8, file: "d.jsonl" }),
      (e: unknown) =>
        e instanceof DataError &&
        /d\.jsonl:2: .*over the maximum length 8; raise --max-length/.test(e.message),
    );
  } finally {
    await t.close();
  }
});

test("chat records: the completion is the last assistant turn, after the templated prompt", async () => {
  const t = await Trainable.load(stories);
  try {
    const rows = parseSftRecords([
      {
        record: {
          messages: [
            { role: "user", content: "Tell me about Lily." },
            { role: "assistant", content: "Lily liked to play." },
          ],
        },
        line: 1,
      },
    ]);
    const [e] = await tokenizeSft(t.tokenizer, rows, { maxLength: 256 });
    assert.ok(e && e.start > 1 && e.start < e.tokens.length);
    assert.match(t.tokenizer.detokenize(e.tokens.slice(e.start)), /Lily liked to play\./);
    assert.doesNotMatch(t.tokenizer.detokenize(e.tokens.slice(0, e.start)), /liked to play/);
  } finally {
    await t.close();
  }
});

test("full fine-tuning: every weight trains, and the exported GGUF gives llama.cpp the same logits", async () => {
  const t = await Trainable.load(stories, { lora: false });
  try {
    const before = Float32Array.from(t.model.tokenEmbd.data);
    const r = await t.sft([{ prompt, completion }], {
      epochs: 3,
      lr: 1e-3,
      seed: 1,
      appendEos: false,
    });
    assert.ok(r.losses.at(-1)! < r.losses[0]!);
    assert.notDeepEqual(t.model.tokenEmbd.data, before);
    const out = join(dir, "full.gguf");
    await exportFullModel(t.model, stories, out);
    const ex = t.encode(prompt, completion, false);
    const ref = await llamaCppLogits(out, ex.tokens);
    const ours = await t.model.forward(ex.tokens);
    const V = t.model.config.vocabSize;
    let max = 0;
    ex.tokens.forEach((_, i) => {
      for (let v = 0; v < V; v++)
        max = Math.max(max, Math.abs(ours.logits[i * V + v]! - ref[i]![v]!));
    });
    assert.ok(max <= 1e-3, `exported model logits differ by ${max}`);
  } finally {
    await t.close();
  }
});
