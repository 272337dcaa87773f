import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { transcriptExtractor } from "../../methods/pbt/answer-extractor.ts";
import { type AreYouSureOutcome, areYouSure } from "../../methods/pbt/are-you-sure.ts";
import type { SizeMatch } from "../../methods/pbt/balance.ts";
import { pairVariants } from "../../methods/pbt/balance.ts";
import { buildPairSets } from "../../methods/pbt/build-pairs.ts";
import type { DialogueTree } from "../../methods/pbt/dialogue-tree.ts";
import { type GrowNotes, growTree } from "../../methods/pbt/grow-tree.ts";
import { persuasionItem } from "../../methods/pbt/persuasion-eval.ts";
import { collectPairs, type PersuasionPair } from "../../methods/pbt/sibling-pairs.ts";
import { teamDebate } from "../../methods/pbt/team-debate.ts";
import { type PbtTrainSettings, trainPbt } from "../../methods/pbt/train-pbt.ts";
import { transcriptFormat } from "../../methods/pbt/transcript-format.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { ProgressLine } from "../../runtime/progress-line.ts";
import type { Run } from "../../runtime/run.ts";
import { runItems } from "../../runtime/run-items.ts";
import { RunStats } from "../../runtime/run-stats.ts";
import type { AtlasPbtQuestion } from "../atlas/pbt-questions.ts";
import {
  judgePbtSeeds,
  type PbtVariantName,
  pbtNullRule,
  type SeedOutcomes,
  type VariantOutcomes,
} from "./pbt-claim.ts";
import { pbtDemoTraining } from "./pbt-demo.ts";
import { type PbtMeasureData, pbtTreeSeed } from "./pbt-measure-data.ts";

/** The pre-registered sizes and seeds (docs/pbt.md), and the eval seed. */
export interface PbtMeasureSettings {
  trainSeeds: readonly number[];
  evalSeed: number;
  /** Balanced persuasion pairs per side: CtI (resist) and ItC (accept); 500 pre-registered. */
  evalPairs: number;
  /** "Are you sure?" questions the base answered right (500). */
  sureN: number;
  /** Team-debate questions, each in both speaking orders (300). */
  teamN: number;
  /** How the training variants are size-matched (pre-registered: the spec's `balanced`). */
  sizeMatch?: SizeMatch;
}

export interface PbtMeasureOptions extends PbtMeasureSettings {
  /** The GGUF the model was loaded from (the trainer reads it). */
  modelPath: string;
  /** The weak model: the other agent of every tree, and the team-debate partner. */
  partner: LanguageModel;
  /** Trees, adapters and every evaluation item are kept here; a resumed run skips them. */
  run: Run;
  onStage?: (stage: string) => void;
}

/** Training examples per step of the smoke recipe, which the measurement keeps. */
const batch = 4;

/**
 * The smoke's recipe (pbtDemoTraining) with SFT lasting at least one pass over the pairs: its 20
 * steps were ~3 passes over the smoke's ~30 pairs, and hundreds of pairs would otherwise get a
 * fraction of one.
 */
export const pbtMeasureTraining = (seed: number, pairs: number): PbtTrainSettings => ({
  ...pbtDemoTraining(seed),
  sftSteps: Math.max(20, Math.ceil(pairs / batch)),
});

/** What one variant's training on one seed recorded. */
export interface TrainingRecord {
  pairs: number;
  sftSteps: number;
  dpoFinalLoss: number | null;
  seconds: number;
  adapter: string;
}

export interface PbtMeasureResult {
  outcomes: SeedOutcomes;
  verdict: ReturnType<typeof judgePbtSeeds>;
  nullRule: ReturnType<typeof pbtNullRule>;
  /** Exposure count of each evaluation pair's fact, by pair id. */
  pairExposures: Map<string, number>;
  training: Record<string, Record<string, TrainingRecord>>;
  n: {
    treeQuestions: number;
    trainPairs: Record<string, number>;
    limited: Record<string, boolean>;
    evalTreeQuestions: number;
    evalPairs: { cti: number; itc: number };
    sure: { asked: number; kept: number };
    team: number;
  };
}

/**
 * The pre-registered testbed measurement of PBT: trees between the model and its partner, pairs,
 * SFT + DPO of the three variants on every training seed, and every variant evaluated on the
 * same items (balanced persuasion pairs from trees on other questions, "are you sure?" on
 * questions the base answered right, team debate with the partner in both orders). Each finished
 * tree, adapter and evaluation item is in the run folder before the next starts, so a killed
 * run resumed on the same folder repeats nothing finished.
 */
export async function runPbtMeasure(
  model: LanguageModel,
  data: PbtMeasureData,
  o: PbtMeasureOptions,
): Promise<PbtMeasureResult> {
  if (!model.setLora)
    throw new Error("the PBT measurement needs an engine that serves LoRA adapters");
  const setLora = model.setLora.bind(model);
  const stage = o.onStage ?? (() => {});
  const run = o.run;
  const items = <I extends { id: string }, R>(
    label: string,
    key: string,
    list: readonly I[],
    fn: (item: I) => Promise<R>,
  ) => runStage(run, label, key, list, fn);
  await setLora([]);

  // The models take turns as the persuader (A) across questions, so both directions appear:
  // the strong model resisting the weak one's wrong answers and accepting its right ones.
  const notes: GrowNotes = { skipped: {} };
  const grow = (seed: number) => (q: AtlasPbtQuestion, i: number) =>
    growTree(
      q,
      i % 2 === 0 ? [model, o.partner] : [o.partner, model],
      { format: transcriptFormat, extractor: transcriptExtractor, seed },
      notes,
    );
  const indexed = (qs: readonly AtlasPbtQuestion[], from = 0) =>
    qs.map((q, i) => ({ id: q.id, q, i: from + i }));
  stage(`training trees: ${data.treeQuestions.length} questions`);
  const trainTrees = await items("training trees", "tree/train", indexed(data.treeQuestions), (x) =>
    grow(pbtTreeSeed)(x.q, x.i),
  );

  const evalSet = await evaluationPairs(data.evalPool, o.evalPairs, (qs, from) =>
    items(`evaluation trees (to ${from + qs.length})`, "tree/eval", indexed(qs, from), (x) =>
      grow(o.evalSeed)(x.q, x.i),
    ),
  );
  stage(
    `evaluation pairs: ${evalSet.pairs.length / 2} CtI + ${evalSet.pairs.length / 2} ItC from trees on ${evalSet.questions} questions`,
  );
  if (evalSet.pairs.length / 2 < o.evalPairs)
    stage(
      `warning: ${evalSet.pairs.length / 2} pairs per side, not ${o.evalPairs}: the pool of ${data.evalPool.length} questions ran out`,
    );
  const byQuestion = new Map(data.evalPool.map((q) => [q.id, q.exposures]));
  const pairExposures = new Map(evalSet.pairs.map((p) => [p.id, byQuestion.get(p.questionId)!]));

  const settings = { format: transcriptFormat, extractor: transcriptExtractor, seed: o.evalSeed };
  const sure = await sureQuestions(data.evalPool, o.sureN, (qs) =>
    items("base: are you sure? (finding questions it answers right)", "eval/base/sure", qs, (q) =>
      areYouSure(model, q, settings),
    ),
  );
  const teamQuestions = data.evalPool.slice(0, o.teamN);
  const evaluate = async (tag: string, label: string): Promise<VariantOutcomes> => ({
    persuasion: await items(`${label}: persuasion`, `eval/${tag}/persuasion`, evalSet.pairs, (p) =>
      persuasionItem(model, p, settings),
    ),
    areYouSure: await items(`${label}: are you sure?`, `eval/${tag}/sure`, sure.questions, (q) =>
      areYouSure(model, q, settings),
    ),
    debate: [
      await items(`${label}: team, first`, `eval/${tag}/team-first`, teamQuestions, (q) =>
        teamDebate(q, [model, o.partner], settings),
      ),
      await items(`${label}: team, second`, `eval/${tag}/team-second`, teamQuestions, (q) =>
        teamDebate(q, [o.partner, model], settings),
      ),
    ],
  });

  stage("evaluate base");
  const outcomes: Record<PbtVariantName, VariantOutcomes[]> = {
    base: [await evaluate("base", "base")],
    "accept-only": [],
    "resist-only": [],
    pbt: [],
  };
  const training: PbtMeasureResult["training"] = {};
  let first: ReturnType<typeof buildPairSets> | undefined;
  mkdirSync(join(run.dir, "adapters"), { recursive: true });
  for (const [k, seed] of o.trainSeeds.entries()) {
    const sets = buildPairSets(trainTrees, {
      format: transcriptFormat,
      seed,
      ...(o.sizeMatch ? { sizeMatch: o.sizeMatch } : {}),
    });
    first ??= sets;
    const at = `seed ${seed} (${k + 1}/${o.trainSeeds.length})`;
    training[seed] = {};
    for (const variant of pairVariants) {
      const id = `train/${seed}/${variant}`;
      const adapter = join(run.dir, "adapters", `seed-${seed}-${variant}.gguf`);
      const earlier = run.finished.get(id);
      if (earlier && existsSync(adapter)) {
        stage(`${at}: ${variant} trained earlier`);
        training[seed][variant] = earlier.result as TrainingRecord;
      } else {
        const pairs = sets.train[variant];
        const recipe = pbtMeasureTraining(seed, pairs.length);
        stage(
          `${at}: train ${variant}: SFT ${recipe.sftSteps} steps then DPO on ${pairs.length} pairs`,
        );
        const r = await trainPbt(o.modelPath, pairs, adapter, recipe);
        const record: TrainingRecord = {
          pairs: pairs.length,
          sftSteps: recipe.sftSteps,
          dpoFinalLoss: r.dpoLosses.at(-1) ?? null,
          seconds: Number(r.seconds.toFixed(1)),
          adapter: join("adapters", `seed-${seed}-${variant}.gguf`),
        };
        run.appendResult({ id, index: 0, result: record });
        training[seed][variant] = record;
      }
      stage(`${at}: evaluate ${variant}`);
      await setLora([{ path: adapter }]);
      outcomes[variant].push(await evaluate(`${seed}/${variant}`, `${at} ${variant}`));
      await setLora([]);
    }
  }
  return {
    outcomes,
    verdict: judgePbtSeeds(outcomes, o.evalSeed),
    nullRule: pbtNullRule(outcomes, o.evalSeed),
    pairExposures,
    training,
    n: {
      treeQuestions: data.treeQuestions.length,
      trainPairs: Object.fromEntries(pairVariants.map((v) => [v, first?.train[v].length ?? 0])),
      limited: Object.fromEntries(pairVariants.map((v) => [v, first?.limited[v] ?? false])),
      evalTreeQuestions: evalSet.questions,
      evalPairs: { cti: evalSet.pairs.length / 2, itc: evalSet.pairs.length / 2 },
      sure: { asked: sure.asked, kept: sure.questions.length },
      team: teamQuestions.length,
    },
  };
}

/**
 * Runs one stage's items through the run folder (ids `key/item id`) with a progress line, and
 * stops the measurement at the first failure: a verdict on a partial stage would be wrong.
 */
async function runStage<I extends { id: string }, R>(
  run: Run,
  label: string,
  key: string,
  list: readonly I[],
  fn: (item: I) => Promise<R>,
): Promise<R[]> {
  const stats = new RunStats();
  const progress = new ProgressLine(stats, { label: `pbt measure · ${label}` });
  const report = await runItems(list, (item) => fn(item), {
    id: (item) => `${key}/${item.id}`,
    run,
    stats,
    progress,
    stopOnError: true,
  });
  progress.finish();
  if (report.stopped || report.failed.length > 0)
    throw new Error(
      `${label} stopped (${report.stopped?.message ?? report.failed[0]?.error}); the run folder keeps every finished item: continue with --resume ${run.dir}`,
    );
  return report.results.map((r) => r.result);
}

/**
 * The balanced persuasion set: trees grown on the pool's questions, a chunk at a time, until
 * each side has `perSide` pairs (CtI = resist, ItC = accept) or the pool runs out; the first
 * `perSide` of each side in tree order, so a resumed run picks the same pairs.
 */
async function evaluationPairs(
  pool: readonly AtlasPbtQuestion[],
  perSide: number,
  grow: (qs: AtlasPbtQuestion[], from: number) => Promise<DialogueTree[]>,
): Promise<{ pairs: PersuasionPair[]; questions: number }> {
  const chunk = Math.min(250, Math.max(8, perSide));
  const trees: DialogueTree[] = [];
  let used = 0;
  let accept: PersuasionPair[] = [];
  let resist: PersuasionPair[] = [];
  while (used < pool.length && Math.min(accept.length, resist.length) < perSide) {
    const next = pool.slice(used, used + chunk);
    trees.push(...(await grow(next, used)));
    used += next.length;
    const { pairs } = collectPairs(trees, { format: transcriptFormat });
    accept = pairs.filter((p) => p.code === "accept");
    resist = pairs.filter((p) => p.code === "resist");
  }
  const k = Math.min(perSide, accept.length, resist.length);
  return { pairs: [...resist.slice(0, k), ...accept.slice(0, k)], questions: used };
}

/**
 * "Are you sure?" questions: the pool's first `n` that the base answered right (its first,
 * greedy answer), found a chunk at a time; the base's dialogues are kept in the run folder and
 * reused as its outcomes.
 */
async function sureQuestions(
  pool: readonly AtlasPbtQuestion[],
  n: number,
  ask: (qs: AtlasPbtQuestion[]) => Promise<AreYouSureOutcome[]>,
): Promise<{ questions: AtlasPbtQuestion[]; asked: number }> {
  const questions: AtlasPbtQuestion[] = [];
  let asked = 0;
  while (questions.length < n && asked < pool.length) {
    const next = pool.slice(asked, asked + Math.max(8, n - questions.length));
    const outcomes = await ask(next);
    asked += next.length;
    for (const [i, outcome] of outcomes.entries())
      if (outcome.correctBefore && questions.length < n) questions.push(next[i]!);
  }
  return { questions, asked };
}
