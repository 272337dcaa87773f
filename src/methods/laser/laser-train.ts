import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SeededRandom } from "../../math/seeded-random.ts";
import type { Run } from "../../runtime/run.ts";
import type { OutcomeRewardModel } from "../../scoring/reward-model.ts";
import { type ArmStrategy, fixedArms, strategyName } from "./arm-strategy.ts";
import { batchContext, projectedMean, RandomProjection } from "./batch-context.ts";
import { batchFamily, type LaserItem, makeBatches } from "./laser-items.ts";
import { type ArmCalls, type LaserState, readState, writeState } from "./laser-state.ts";
import { LinUcb } from "./linucb.ts";
import type { LaserPolicy, TextPair } from "./policy.ts";
import { promptPairs } from "./preference-pairs.ts";
import {
  type BatchRecord,
  type SelectionSummary,
  selectionCsv,
  summariseSelection,
} from "./selection-report.ts";

/** LASeR's loop settings; defaults are the spec's (official config.yaml and paper). */
export interface LaserTrainOptions {
  strategy?: ArmStrategy;
  /** Iterations M over the training prompts (default 10). */
  iterations?: number;
  /** Prompts per batch (default 16). */
  batchSize?: number;
  /** "in-order" (default, the official loop) or "by-family" (one family per batch). */
  batching?: "in-order" | "by-family";
  /** Samples n per prompt (default 30) at `temperature` (default 0.8). */
  samples?: number;
  temperature?: number;
  /** New tokens per sample (default 512; the official 150 counted the prompt too). */
  maxTokens?: number;
  /** Strings that end a sample (completion-format prompts; default none). */
  stop?: readonly string[];
  /** Preference pairs per prompt P (default 10). */
  pairsPerPrompt?: number;
  /** LinUCB exploration α (default 0.1). */
  alpha?: number;
  /** Bandit reward scaling (default "quantile": 20/80 percentiles; "none" for the ablation). */
  rewardScaling?: "quantile" | "none";
  /** The first bandit reward: "raw" (default, official: unscaled −loss) or "neutral" (0.5). */
  firstReward?: "raw" | "neutral";
  /** Context dimension after the random projection (default 128). */
  contextDim?: number;
  /** Subtract the training batches' mean context (default true). */
  centreContexts?: boolean;
  /** Stop after an iteration whose mean batch loss is below this (default 0.1; 0 = never). */
  earlyStopLoss?: number;
  /** Share of the run's last batches the late selection is read on (default 1/3). */
  lateFraction?: number;
  seed?: number;
  signal?: AbortSignal;
  onBatch?: (record: BatchRecord, index: number, total: number) => void;
}

/** What a training run did: RM calls per arm, the selection history, losses per iteration. */
export interface LaserTrainReport {
  strategy: string;
  arms: string[];
  batches: number;
  iterations: number;
  stoppedEarly: boolean;
  /** Per arm: batches scored and responses scored (each response is one RM call). */
  rmCalls: Record<string, ArmCalls>;
  totalRmCalls: number;
  lossByIteration: number[];
  selection: SelectionSummary;
}

export const laserDefaults = {
  iterations: 10,
  batchSize: 16,
  batching: "in-order" as const,
  samples: 30,
  temperature: 0.8,
  maxTokens: 512,
  pairsPerPrompt: 10,
  alpha: 0.1,
  rewardScaling: "quantile" as const,
  firstReward: "raw" as const,
  contextDim: 128,
  centreContexts: true,
  earlyStopLoss: 0.1,
  lateFraction: 1 / 3,
  seed: 0,
};

const sampleSeed = (seed: number, index: number) =>
  new SeededRandom(`laser-sample:${seed}:${index}`).int(2 ** 31);

/**
 * LASeR's iterative training (spec §3.2). Per batch: the bandit picks ONE reward model from the
 * batch's context, the policy samples n responses per prompt, only that RM scores them, pairs are
 * built per prompt, one DPO+NLL step runs against the previous iteration's policy, and −loss
 * rewards the arm. Baseline strategies run the same loop with another choice of RM. Every batch
 * is checkpointed in `run.dir`, so a killed run resumes where it stopped.
 */
export async function laserTrain(
  policy: LaserPolicy,
  arms: readonly OutcomeRewardModel[],
  items: readonly LaserItem[],
  run: Run,
  options: LaserTrainOptions = {},
): Promise<LaserTrainReport> {
  const o = { ...laserDefaults, ...options };
  const strategy = options.strategy ?? { kind: "laser" };
  const names = arms.map((a) => a.name);
  if (new Set(names).size !== names.length)
    throw new Error(`reward models need distinct names, got ${names.join(", ")}`);
  if (arms.length === 0) throw new Error("LASeR needs at least one reward model");
  const batches = makeBatches(items, o.batchSize, o.batching, o.seed);
  const total = o.iterations * batches.length;
  const dir = run.dir;

  const saved = readState(dir);
  const state: LaserState = saved ?? {
    version: 1,
    done: 0,
    calls: Object.fromEntries(names.map((n) => [n, { batches: 0, responses: 0 }])),
    losses: [],
    stoppedEarly: false,
  };
  if (saved?.policyDir) await policy.load(join(dir, saved.policyDir));
  if (saved?.lastRecord && !run.finished.has(recordId(saved.done - 1)))
    run.appendResult({
      id: recordId(saved.done - 1),
      index: saved.done - 1,
      result: saved.lastRecord,
    });

  let projection: RandomProjection | undefined;
  let bandit = state.bandit ? LinUcb.fromJSON(state.bandit) : undefined;
  const contextOf = async (batch: readonly LaserItem[]) => {
    const pooled = await policy.pooledStates(batch.map((it) => it.prompt));
    state.hiddenSize ??= pooled[0]!.length;
    projection ??= new RandomProjection(state.hiddenSize, o.contextDim, o.seed);
    return pooled;
  };
  if (strategy.kind === "laser" && o.centreContexts && !state.centre && state.done === 0) {
    // The centre comes from the initial policy, once, so contexts stay comparable all run.
    let sum: Float64Array | undefined;
    for (const batch of batches) {
      const m = projectedMean(await contextOf(batch), projection!);
      sum ??= new Float64Array(m.length);
      for (let i = 0; i < m.length; i++) sum[i]! += m[i]! / batches.length;
    }
    state.centre = Array.from(sum!);
  }

  for (let g = state.done; g < total && !state.stoppedEarly; g++) {
    o.signal?.throwIfAborted();
    const iteration = Math.floor(g / batches.length) + 1;
    const b = g % batches.length;
    if (b === 0) await policy.setReference();
    const batch = batches[b]!;
    const prompts = batch.map((it) => it.prompt);

    let called: number[];
    let x: Float64Array | undefined;
    let ucb: number[] | undefined;
    if (strategy.kind === "laser") {
      const pooled = await contextOf(batch);
      x = batchContext(
        pooled,
        projection!,
        state.centre ? Float64Array.from(state.centre) : undefined,
      );
      bandit ??= new LinUcb(x.length, arms.length, {
        alpha: o.alpha,
        normalise: o.rewardScaling,
        firstReward: o.firstReward,
      });
      ucb = bandit.scores(x);
      called = [bandit.select(x)];
    } else called = fixedArms(strategy, arms.length, iteration, g, o.seed);

    const samples = await policy.sample(prompts, {
      n: o.samples,
      temperature: o.temperature,
      maxTokens: o.maxTokens,
      ...(o.stop ? { stop: o.stop } : {}),
      seed: sampleSeed(o.seed, g),
    });
    const inputs = batch.flatMap((it, i) =>
      samples[i]!.map((solution) => ({ question: it.question ?? it.prompt, solution })),
    );
    // Only the arms of this batch are called: one for LASeR and the single-arm baselines.
    const scores = new Array<number>(inputs.length).fill(0);
    for (const a of called) {
      const s = await arms[a]!.scoreOutcomes(inputs, o.signal ? { signal: o.signal } : {});
      for (let k = 0; k < s.length; k++) scores[k]! += s[k]! / called.length;
      const c = state.calls[names[a]!]!;
      c.batches++;
      c.responses += inputs.length;
    }

    const pairs: TextPair[] = [];
    let offset = 0;
    for (const [i, it] of batch.entries()) {
      const texts = samples[i]!;
      const scored = texts.map((text, j) => ({ text, score: scores[offset + j]! }));
      offset += texts.length;
      for (const p of promptPairs(scored, o.pairsPerPrompt))
        pairs.push({ prompt: it.prompt, chosen: texts[p.chosen]!, rejected: texts[p.rejected]! });
    }
    const loss = pairs.length > 0 ? await policy.update(pairs) : null;

    let scaledReward: number | undefined;
    if (bandit && x) {
      if (loss === null) {
        scaledReward = 0;
        bandit.updateScaled(called[0]!, x, 0);
      } else scaledReward = bandit.update(called[0]!, x, -loss);
      state.bandit = bandit.toJSON();
    }
    const it = state.losses[iteration - 1] ?? { sum: 0, batches: 0 };
    state.losses[iteration - 1] = it;
    if (loss !== null) {
      it.sum += loss;
      it.batches++;
    }
    const record: BatchRecord = {
      iteration,
      batch: b,
      family: batchFamily(batch),
      strategy: strategyName(strategy),
      arms: called.map((a) => names[a]!),
      chosen: called.length === 1 ? names[called[0]!]! : null,
      ...(ucb ? { ucb } : {}),
      responses: inputs.length,
      pairs: pairs.length,
      loss,
      reward: loss === null ? null : -loss,
      ...(scaledReward !== undefined ? { scaledReward } : {}),
    };
    if (b === batches.length - 1 && it.batches > 0 && it.sum / it.batches < o.earlyStopLoss)
      state.stoppedEarly = true;

    // Checkpoint, then the state naming it, then the result line (replayed from the state).
    const previous = state.policyDir;
    state.policyDir = `policy-${g + 1}`;
    await policy.save(join(dir, state.policyDir));
    state.done = g + 1;
    state.lastRecord = record;
    writeState(dir, state);
    if (previous && previous !== state.policyDir)
      await rm(join(dir, previous), { recursive: true, force: true });
    run.appendResult({ id: recordId(g), index: g, result: record });
    o.onBatch?.(record, g, total);
  }

  const records = run.results<BatchRecord>().map((r) => r.result);
  const report: LaserTrainReport = {
    strategy: strategyName(strategy),
    arms: names,
    batches: records.length,
    iterations: state.losses.length,
    stoppedEarly: state.stoppedEarly,
    rmCalls: state.calls,
    totalRmCalls: Object.values(state.calls).reduce((a, c) => a + c.responses, 0),
    lossByIteration: state.losses.map((l) => (l.batches > 0 ? l.sum / l.batches : Number.NaN)),
    selection: summariseSelection(records, o.lateFraction),
  };
  await writeFile(join(dir, "laser-report.json"), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(dir, "selection.csv"), selectionCsv(records));
  return report;
}

/** The results.jsonl id of global batch `g`. */
const recordId = (g: number) => `batch-${g}`;
