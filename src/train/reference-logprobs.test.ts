import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { addLora } from "./lora.ts";
import { randomTransformer } from "./random-model.ts";
import { ReferenceLogProbs, withoutLora, withWeights } from "./reference-logprobs.ts";
import { scoreSequence } from "./sequence-scores.ts";
import { tinyLlama } from "./test-fixtures.ts";
import { snapshotParams } from "./weights-snapshot.ts";

const dir = await mkdtemp(join(tmpdir(), "chorus-reference-"));
after(() => rm(dir, { recursive: true, force: true }));

const example = { tokens: [1, 3, 5, 7, 9], start: 2 };

function model() {
  const m = randomTransformer(tinyLlama, 5, "f64", 0.6);
  addLora(m, { rank: 2, targets: ["attn_q", "attn_v"], initB: "random", seed: 3 });
  return m;
}

test("concurrent withoutLora users take turns: neither sees the other's restored adapters", async () => {
  const m = model();
  const base = await withoutLora(m, async () => (await scoreSequence(m, example)).sum);
  const withLora = (await scoreSequence(m, example)).sum;
  assert.notEqual(base, withLora);
  // The first user finishes fast; the second is still scoring when the first restores.
  const fast = withoutLora(m, async () => (await scoreSequence(m, example)).sum);
  const slow = withoutLora(m, async () => {
    await new Promise((r) => setTimeout(r, 20));
    return (await scoreSequence(m, example)).sum;
  });
  assert.deepEqual(await Promise.all([fast, slow]), [base, base]);
  assert.equal((await scoreSequence(m, example)).sum, withLora);
});

test("a snapshot reference scores with the snapshot's weights, puts the current ones back, and caches under its own hash", async () => {
  const m = model();
  const policy = snapshotParams(m.trainableParams());
  const atPolicy = (await scoreSequence(m, example)).sum;
  for (const p of m.trainableParams()) for (let i = 0; i < p.data.length; i++) p.data[i]! *= 1.5;
  const current = snapshotParams(m.trainableParams());
  const now = (await scoreSequence(m, example)).sum;
  assert.notEqual(now, atPolicy);

  const cacheDir = join(dir, "cache");
  const ref = new ReferenceLogProbs({ model: m, modelHash: "file", snapshot: policy, cacheDir });
  assert.deepEqual(await ref.sums([example]), [atPolicy]);
  assert.equal(snapshotParams(m.trainableParams()).hash, current.hash);
  const base = new ReferenceLogProbs({ model: m, modelHash: "file", cacheDir });
  const baseSum = (await base.sums([example]))[0]!;
  assert.notEqual(baseSum, atPolicy);
  // A third reference (the current weights) does not read the policy's cached value.
  const third = new ReferenceLogProbs({ model: m, modelHash: "file", snapshot: current, cacheDir });
  assert.deepEqual(await third.sums([example]), [now]);
  assert.deepEqual(
    (await readdir(cacheDir)).sort(),
    [`file-${current.hash}.jsonl`, `file-${policy.hash}.jsonl`, "file-base.jsonl"].sort(),
  );
  // A fresh instance reads the policy's file back.
  const again = new ReferenceLogProbs({ model: m, modelHash: "file", snapshot: policy, cacheDir });
  assert.deepEqual(await again.sums([example]), [atPolicy]);
  assert.equal(
    await withWeights(m, policy, async () => (await scoreSequence(m, example)).sum),
    atPolicy,
  );
});
