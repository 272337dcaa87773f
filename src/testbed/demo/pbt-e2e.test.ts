import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import {
  areYouSure,
  buildPairSets,
  growTrees,
  levelCounts,
  type PersuasionPair,
  persuasionItem,
  summarizeAreYouSure,
  summarizePersuasion,
  summarizeTrees,
  trainPbt,
  transcriptExtractor,
  transcriptFormat,
} from "../../methods/pbt/index.ts";
import { pbtTrainDefaults } from "../../methods/pbt/train-pbt.ts";
import { atlasConfig } from "../atlas/atlas-config.ts";
import { buildAtlasWorld } from "../atlas/atlas-world.ts";
import { atlasPbtQuestions } from "../atlas/pbt-questions.ts";
import { shippedModel } from "../shipped-models.ts";

const shipped = (() => {
  try {
    return shippedModel("atlas-1m");
  } catch {
    return undefined;
  }
})();

/**
 * trees → pairs → SFT + DPO → eval on the shipped atlas-1m (both agents), small sizes: the whole
 * pipeline on a real model, with the DPO mechanism checked through the engine serving the adapter.
 */
test("PBT end to end on atlas-1m: trees, balanced pairs, SFT then DPO, served adapter, evals", {
  skip: shipped ? false : "models/atlas-1m.gguf not found",
  timeout: 300_000,
}, async () => {
  const { record, path } = shipped!;
  const world = buildAtlasWorld(atlasConfig(record.worldConfig as never));
  const dir = await mkdtemp(join(tmpdir(), "chorus-pbt-e2e-"));
  const model = await loadLlamaCppModel({ modelPath: path, threads: 1 });
  try {
    const questions = atlasPbtQuestions(world, 1, 40, "pbt-trees");
    const growOptions = { format: transcriptFormat, extractor: transcriptExtractor, seed: 1 };
    const { trees } = await growTrees(questions, [model, model], growOptions);
    assert.equal(trees.length, 40);
    const summary = summarizeTrees(trees);
    assert.ok(summary.noAnswer < summary.nodes / 2, JSON.stringify(summary));
    assert.ok(
      trees.some((t) => levelCounts(t).join() === "1,2,6,12"),
      "some tree grows in full",
    );

    const sets = buildPairSets(trees, { format: transcriptFormat });
    const pbt = sets.train.pbt;
    assert.ok(pbt.length >= 4, JSON.stringify(sets.counts.train));
    assert.equal(
      pbt.filter((p) => p.code === "accept").length,
      pbt.filter((p) => p.code === "resist").length,
    );
    // A resist pair's prompt is the responder's untagged view, ending with the persuasion turn.
    const resist = pbt.find((p) => p.code === "resist")!;
    const prompt = "prompt" in resist.prompt ? resist.prompt.prompt : "";
    assert.match(prompt, /^Q: .* A: .* U: .* A:$/);
    assert.ok(!prompt.includes("[stubborn]") && !prompt.includes("[agreeable]"));
    assert.match(resist.chosen, /^ i still think it is /);

    const adapter = join(dir, "pbt.gguf");
    const trained = await trainPbt(path, pbt, adapter, {
      ...pbtTrainDefaults,
      sftSteps: 6,
      sft: { ...pbtTrainDefaults.sft, lr: 2e-3, batchSize: 4, gradientAccumulation: 1 },
      dpoEpochs: 3,
      dpo: {
        ...pbtTrainDefaults.dpo,
        lr: 2e-3,
        batchSize: 4,
        gradientAccumulation: 1,
        warmupSteps: 0,
      },
    });
    assert.equal(trained.sftLosses.length, 6);
    assert.ok(trained.dpoLosses.length >= 3);

    // DPO's mechanism through the engine: the adapter widens log p(chosen) − log p(rejected).
    const margin = async (pairs: readonly PersuasionPair[]) => {
      let sum = 0;
      for (const p of pairs) {
        const text = "prompt" in p.prompt ? p.prompt.prompt : "";
        const c = await model.score({ prompt: text, continuation: p.chosen });
        const r = await model.score({ prompt: text, continuation: p.rejected });
        sum += c.total - r.total;
      }
      return sum / pairs.length;
    };
    const before = await margin(pbt);
    await model.setLora([{ path: adapter }]);
    const after = await margin(pbt);
    assert.ok(after > before + 0.5, `margin ${before} -> ${after}`);

    // The evaluations run on the served adapter and give numbers with intervals.
    const settings = { format: transcriptFormat, extractor: transcriptExtractor, seed: 1 };
    const evalPairs = [...sets.test, ...pbt].slice(0, 12);
    const outcomes = await Promise.all(evalPairs.map((p) => persuasionItem(model, p, settings)));
    const ps = summarizePersuasion(outcomes);
    assert.equal(ps.overall.n, evalPairs.length);
    assert.ok(ps.overall.low <= ps.overall.mean && ps.overall.mean <= ps.overall.high);
    const evalQuestions = atlasPbtQuestions(world, 1, 8, "pbt-eval");
    const ays = await Promise.all(evalQuestions.map((q) => areYouSure(model, q, settings)));
    const s = summarizeAreYouSure(ays);
    assert.equal(s.before.n, 8);
    assert.ok(ays.every((o) => o.turns.length === 3));
  } finally {
    await model.close();
    await rm(dir, { recursive: true, force: true });
  }
});
