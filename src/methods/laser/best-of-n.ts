import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SeededRandom } from "../../math/seeded-random.ts";
import type { Run } from "../../runtime/run.ts";
import type { OutcomeRewardModel } from "../../scoring/reward-model.ts";
import { type ArmStrategy, fixedArms, strategyName } from "./arm-strategy.ts";
import { batchContext, projectedMean, RandomProjection } from "./batch-context.ts";
import { type AnswerReading, type ItemOutcome, judgeResponse } from "./evaluate.ts";
import type { LaserItem } from "./laser-items.ts";
import type { ArmCalls } from "./laser-state.ts";
import { LinUcb, type LinUcbState } from "./linucb.ts";
import type { LaserPolicy } from "./policy.ts";

/** Best-of-n with RM selection (spec §3.6): settings; defaults as the training loop's. */
export interface BestOfNOptions extends AnswerReading {
  strategy?: ArmStrategy;
  /** Samples per query (default 8). */
  n?: number;
  temperature?: number;
  maxTokens?: number;
  alpha?: number;
  rewardScaling?: "quantile" | "none";
  firstReward?: "raw" | "neutral";
  contextDim?: number;
  centreContexts?: boolean;
  seed?: number;
  signal?: AbortSignal;
  onItem?: (o: BestOfNOutcome, index: number, total: number) => void;
}

/** One query: the arm(s) that picked, the picked response and whether it is right. */
export interface BestOfNOutcome extends ItemOutcome {
  arms: string[];
  chosen: string | null;
  /** Bandit reward: the policy's mean token log-prob of the picked response (laser only). */
  reward?: number;
}

interface BestOfNState {
  done: number;
  bandit?: LinUcbState;
  centre?: number[];
  calls: Record<string, ArmCalls>;
  /** The last query's outcome (appended to results.jsonl after this state; replayed on resume). */
  last?: BestOfNOutcome;
}

const stateFile = "best-of-n-state.json";

/**
 * Inference-time LASeR: for each query the fixed policy samples n responses, the bandit picks one
 * RM from the query's own context (instance level), only that RM scores the n responses and the
 * top one is the answer. The released code does not say what rewards the bandit here; following
 * the spec, the policy's length-normalised log-likelihood of the picked response, scaled as in
 * training. Baselines: random, single, ensemble (mean of all RMs, K× the calls), sequential
 * (arms in turn). Resumable: the bandit and counts are saved after every query.
 */
export async function bestOfN(
  policy: Pick<LaserPolicy, "sample" | "pooledStates" | "meanLogProb">,
  arms: readonly OutcomeRewardModel[],
  items: readonly LaserItem[],
  run: Run,
  options: BestOfNOptions = {},
): Promise<{ outcomes: BestOfNOutcome[]; rmCalls: Record<string, ArmCalls>; strategy: string }> {
  const strategy = options.strategy ?? { kind: "laser" };
  const seed = options.seed ?? 0;
  const names = arms.map((a) => a.name);
  const statePath = join(run.dir, stateFile);
  const state: BestOfNState = existsSync(statePath)
    ? (JSON.parse(readFileSync(statePath, "utf8")) as BestOfNState)
    : { done: 0, calls: Object.fromEntries(names.map((n) => [n, { batches: 0, responses: 0 }])) };
  if (state.last && state.done > 0 && !run.finished.has(state.last.id))
    run.appendResult({ id: state.last.id, index: state.done - 1, result: state.last });
  let bandit = state.bandit ? LinUcb.fromJSON(state.bandit) : undefined;
  let projection: RandomProjection | undefined;
  const pooledOf = async (prompts: string[]) => {
    const pooled = await policy.pooledStates(prompts);
    projection ??= new RandomProjection(pooled[0]!.length, options.contextDim ?? 128, seed);
    return pooled;
  };
  if (strategy.kind === "laser" && (options.centreContexts ?? true) && !state.centre) {
    let acc: Float64Array | undefined;
    for (const it of items) {
      const m = projectedMean(await pooledOf([it.prompt]), projection!);
      acc ??= new Float64Array(m.length);
      for (let i = 0; i < m.length; i++) acc[i]! += m[i]! / items.length;
    }
    state.centre = Array.from(acc!);
  }

  for (let i = state.done; i < items.length; i++) {
    options.signal?.throwIfAborted();
    const item = items[i]!;
    let called: number[];
    let x: Float64Array | undefined;
    if (strategy.kind === "laser") {
      x = batchContext(
        await pooledOf([item.prompt]),
        projection!,
        state.centre ? Float64Array.from(state.centre) : undefined,
      );
      bandit ??= new LinUcb(x.length, arms.length, {
        alpha: options.alpha ?? 0.1,
        normalise: options.rewardScaling ?? "quantile",
        firstReward: options.firstReward ?? "raw",
      });
      called = [bandit.select(x)];
    } else called = fixedArms(strategy, arms.length, i + 1, i, seed);
    const [responses] = (await policy.sample([item.prompt], {
      n: options.n ?? 8,
      temperature: options.temperature ?? 0.8,
      maxTokens: options.maxTokens ?? 512,
      seed: new SeededRandom(`laser-bon:${seed}:${i}`).int(2 ** 31),
    })) as [string[]];
    const inputs = responses.map((solution) => ({
      question: item.question ?? item.prompt,
      solution,
    }));
    const scores = new Array<number>(inputs.length).fill(0);
    for (const a of called) {
      const s = await arms[a]!.scoreOutcomes(
        inputs,
        options.signal ? { signal: options.signal } : {},
      );
      for (let k = 0; k < s.length; k++) scores[k]! += s[k]! / called.length;
      state.calls[names[a]!]!.batches++;
      state.calls[names[a]!]!.responses += inputs.length;
    }
    let best = 0;
    for (let k = 1; k < scores.length; k++) if (scores[k]! > scores[best]!) best = k;
    const response = responses[best]!;
    let reward: number | undefined;
    if (bandit && x) {
      reward = await policy.meanLogProb(item.prompt, response);
      bandit.update(called[0]!, x, reward);
      state.bandit = bandit.toJSON();
    }
    const outcome: BestOfNOutcome = {
      id: item.id,
      family: item.family ?? "",
      prompt: item.prompt,
      gold: item.answer ?? null,
      response,
      ...judgeResponse(item, response, options),
      arms: called.map((a) => names[a]!),
      chosen: called.length === 1 ? names[called[0]!]! : null,
      ...(reward !== undefined ? { reward } : {}),
    };
    state.done = i + 1;
    state.last = outcome;
    const tmp = `${statePath}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(state));
    renameSync(tmp, statePath);
    run.appendResult({ id: item.id, index: i, result: outcome });
    options.onItem?.(outcome, i, items.length);
  }
  const outcomes = run.results<BestOfNOutcome>().map((r) => r.result);
  return { outcomes, rmCalls: state.calls, strategy: strategyName(strategy) };
}
