import { join } from "node:path";
import { transcriptExtractor } from "../../methods/pbt/answer-extractor.ts";
import { areYouSure } from "../../methods/pbt/are-you-sure.ts";
import { balancePairs, pairVariants } from "../../methods/pbt/balance.ts";
import { buildPairSets } from "../../methods/pbt/build-pairs.ts";
import {
  summarizeAreYouSure,
  summarizeDebate,
  summarizePersuasion,
} from "../../methods/pbt/eval-summary.ts";
import { growTrees } from "../../methods/pbt/grow-trees.ts";
import { persuasionItem } from "../../methods/pbt/persuasion-eval.ts";
import { collectPairs } from "../../methods/pbt/sibling-pairs.ts";
import { teamDebate } from "../../methods/pbt/team-debate.ts";
import { type PbtTrainSettings, pbtTrainDefaults, trainPbt } from "../../methods/pbt/train-pbt.ts";
import { transcriptFormat } from "../../methods/pbt/transcript-format.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import type { Run } from "../../runtime/run.ts";
import type { AtlasWorld } from "../atlas/atlas-world.ts";
import { type AtlasPbtQuestion, atlasPbtQuestions } from "../atlas/pbt-questions.ts";
import {
  judgePbtClaim,
  type PbtVariantName,
  pbtVariantNames,
  type VariantOutcomes,
} from "./pbt-claim.ts";

/** Questions for the training trees and, disjoint from them, for every evaluation. */
export interface PbtDemoData {
  treeQuestions: AtlasPbtQuestion[];
  evalQuestions: AtlasPbtQuestion[];
}

export function pbtDemoData(world: AtlasWorld, seed: number, n: number): PbtDemoData {
  const treeQuestions = atlasPbtQuestions(world, seed, n, "pbt-trees");
  const asked = new Set(treeQuestions.map((q) => q.question));
  const evalQuestions = atlasPbtQuestions(world, seed, 2 * n, "pbt-eval")
    .filter((q) => !asked.has(q.question))
    .slice(0, n);
  return { treeQuestions, evalQuestions };
}

/**
 * The smoke recipe: the spec's LoRA and β, a few steps (a 1M model, a few dozen pairs), and the
 * chosen reply's NLL beside DPO (RPO, weight 1): plain DPO at this learning rate pushed the
 * one-sided variants' greedy replies into empty or other-speaker text (measured: accept-only
 * 0% balanced accuracy with every reply ".").
 */
export const pbtDemoTraining = (seed: number): PbtTrainSettings => ({
  ...pbtTrainDefaults,
  nllWeight: 1,
  sftSteps: 20,
  sft: { ...pbtTrainDefaults.sft, lr: 2e-3, batchSize: 4, gradientAccumulation: 1 },
  dpoEpochs: 3,
  dpo: { ...pbtTrainDefaults.dpo, lr: 2e-3, batchSize: 4, gradientAccumulation: 1, warmupSteps: 0 },
  seed,
});

export interface PbtDemoOptions {
  modelPath: string;
  /** The untrained partner of the team debate (a second instance of the base model). */
  partner: LanguageModel;
  scratchDir: string;
  trainSeed: number;
  run: Run;
  onStage?: (stage: string) => void;
}

/**
 * The smoke version of the testbed claim: trees on the tree questions (the model argues with
 * itself), balanced and one-sided training sets, SFT + DPO for each variant, and every variant
 * (and the base) evaluated on pairs from trees grown on the evaluation questions, "are you
 * sure?" and a team debate with the base model in both orders.
 */
export async function runPbtDemo(model: LanguageModel, data: PbtDemoData, o: PbtDemoOptions) {
  if (!model.setLora) throw new Error("the PBT demo needs an engine that serves LoRA adapters");
  const stage = o.onStage ?? (() => {});
  const grow = { format: transcriptFormat, extractor: transcriptExtractor, seed: o.trainSeed };
  stage(
    `trees: ${data.treeQuestions.length} training and ${data.evalQuestions.length} evaluation questions`,
  );
  const train = await growTrees(data.treeQuestions, [model, model], grow);
  const held = await growTrees(data.evalQuestions, [model, model], grow);
  const sets = buildPairSets(train.trees, { format: transcriptFormat, seed: o.trainSeed });
  const evalPairs = balancePairs(
    collectPairs(held.trees, { format: transcriptFormat }).pairs,
    o.trainSeed,
  );
  const adapters: Partial<Record<PbtVariantName, string>> = {};
  const training: Record<string, { pairs: number; dpoFinalLoss: number | null; seconds: number }> =
    {};
  for (const variant of pairVariants) {
    stage(`train ${variant}: SFT then DPO on ${sets.train[variant].length} pairs`);
    const path = join(o.scratchDir, `${variant}.gguf`);
    const r = await trainPbt(o.modelPath, sets.train[variant], path, pbtDemoTraining(o.trainSeed));
    adapters[variant] = path;
    training[variant] = {
      pairs: sets.train[variant].length,
      dpoFinalLoss: r.dpoLosses.at(-1) ?? null,
      seconds: Number(r.seconds.toFixed(1)),
    };
  }
  const settings = { format: transcriptFormat, extractor: transcriptExtractor, seed: o.trainSeed };
  const outcomes = {} as Record<PbtVariantName, VariantOutcomes>;
  for (const [index, name] of pbtVariantNames.entries()) {
    stage(`evaluate ${name}`);
    await model.setLora(adapters[name] ? [{ path: adapters[name] }] : []);
    const v: VariantOutcomes = { persuasion: [], areYouSure: [], debate: [[], []] };
    for (const p of evalPairs) v.persuasion.push(await persuasionItem(model, p, settings));
    for (const q of data.evalQuestions) {
      v.areYouSure.push(await areYouSure(model, q, settings));
      v.debate[0].push(await teamDebate(q, [model, o.partner], settings));
      v.debate[1].push(await teamDebate(q, [o.partner, model], settings));
    }
    outcomes[name] = v;
    o.run.appendResult({
      id: name,
      index,
      result: {
        persuasion: summarizePersuasion(v.persuasion),
        areYouSure: summarizeAreYouSure(v.areYouSure),
        debate: summarizeDebate(v.debate[0], v.debate[1]),
      },
    });
  }
  await model.setLora([]);
  const verdict = judgePbtClaim(outcomes, o.trainSeed);
  const summaries = Object.fromEntries(
    pbtVariantNames.map((n) => [
      n,
      {
        persuasion: summarizePersuasion(outcomes[n].persuasion),
        areYouSure: summarizeAreYouSure(outcomes[n].areYouSure),
        debate: summarizeDebate(outcomes[n].debate[0], outcomes[n].debate[1]),
      },
    ]),
  );
  return {
    verdict,
    summaries,
    training,
    n: {
      treeQuestions: data.treeQuestions.length,
      evalQuestions: data.evalQuestions.length,
      trainPairs: sets.train.pbt.length,
      evalPairs: evalPairs.length,
      limited: sets.limited,
    },
  };
}
