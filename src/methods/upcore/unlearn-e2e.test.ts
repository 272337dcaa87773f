import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { sharedFile } from "../../evals/shared-dir.ts";
import { loadTransformer, Trainable } from "../../train/index.ts";
import type { ForgetItem } from "./select-coreset.ts";
import { unlearn } from "./unlearn.ts";

const modelPath = sharedFile("models", "stories260K.gguf");

// Made-up facts the TinyStories model cannot know until we teach them.
const facts: ForgetItem[] = [
  { id: "f0", question: "The dragon of Zorp ate", answer: "purple apples" },
  { id: "f1", question: "Mister Blim lived in", answer: "a green boat" },
  { id: "r0", question: "The king of Tuvo loved", answer: "red kites" },
  { id: "r1", question: "Little Quib found", answer: "a gold spoon" },
];
const forget = facts.slice(0, 2);
const retain = facts.slice(2);

test("unlearning SFT-taught facts lowers their recall while the retain facts stay", {
  skip: modelPath ? false : "shared/models not found",
  timeout: 600_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), "chorus-unlearn-"));
  try {
    const teacher = await Trainable.load(modelPath!, {
      lora: { rank: 8, alpha: 16, targets: ["attn_q", "attn_v", "ffn_up"] },
    });
    await teacher.sft(
      facts.map((f) => ({ prompt: f.question, completion: ` ${f.answer}` })),
      { epochs: 100, lr: 1e-2, appendEos: false, seed: 1 },
    );
    const taught = join(dir, "taught.gguf");
    await teacher.saveModel(taught);

    const { model } = await loadTransformer(taught);
    const tok = teacher.tokenizer;
    const report = await unlearn(
      model,
      tok,
      forget,
      retain,
      { forget, utility: { retain } },
      {
        method: "ga",
        epochs: 6,
        lr: 4e-2,
        rank: 4,
        batchSize: 1,
        gradientAccumulation: 1,
        maxNewTokens: 6,
        layers: [1, 2, 3],
        onEpoch: (p) => console.log(JSON.stringify(p)),
      },
    );
    const start = report.points[0]!;
    assert.equal(report.points.length, 7);
    assert.ok(start.forgetRouge >= 0.5, `SFT did not teach the facts: recall ${start.forgetRouge}`);
    // Stated tolerance: some checkpoint forgets (recall −0.25 or more) with retain recall at most
    // 0.25 below its start (tiny model, two facts each: one fact is 0.5 of recall).
    const good = report.points.some(
      (p) =>
        p.forgetRouge <= start.forgetRouge - 0.25 &&
        p.utility.retain! >= start.utility.retain! - 0.25 - 1e-9,
    );
    assert.ok(
      good,
      `no checkpoint forgets while keeping the retain set: ${JSON.stringify(report.points)}`,
    );
    assert.ok(Number.isFinite(report.auc.retain));
    await teacher.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
