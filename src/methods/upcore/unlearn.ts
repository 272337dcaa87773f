import { rougeL } from "../../evals/metrics/rouge-l.ts";
import { SeededRandom } from "../../math/seeded-random.ts";
import {
  addLora,
  encodePromptCompletion,
  type ForgetRetainPair,
  generateGreedy,
  gradientDifferenceObjective,
  npoObjective,
  type Objective,
  ReferenceLogProbs,
  type TrainTokenizer,
  type Transformer,
  tokenObjective,
  trainLoop,
} from "../../train/index.ts";
import { deletionUtilityAuc } from "./deletion-utility-auc.ts";
import {
  describeSet,
  type EvalRole,
  evaluateSet,
  modelUtility,
  type SetDescription,
  type SetMetrics,
} from "./evaluate.ts";
import type { ForgetItem } from "./select-coreset.ts";

/**
 * "ga" is UPCORE's switch_unlearn (forget rows −1, retain rows +1, one label-smoothed token CE);
 * "gd" is the trainer's plain gradient difference; "refusal" trains forget questions towards an
 * "I don't know" answer; "npo" is NPO + retain CE (spec §3.3).
 */
export type UnlearnMethod = "ga" | "gd" | "refusal" | "npo";

export interface UnlearnOptions {
  method: UnlearnMethod;
  epochs: number;
  lr: number;
  /** LoRA rank/alpha: GA r1/α2, refusal and NPO r4/α8 (spec §4). */
  rank?: number;
  alpha?: number;
  dropout: number;
  /** GGUF module names; the spec's `mlp.down_proj`. */
  targets: string[];
  /** Layers carrying LoRA; the spec's 7 of 32 (≈ 0.22 of the depth) by default. */
  layers?: number[];
  batchSize: number;
  gradientAccumulation: number;
  weightDecay: number;
  labelSmoothing: number;
  beta: number;
  seed: number;
  /** Greedy tokens generated per evaluation prompt. */
  maxNewTokens: number;
  /**
   * Evaluation prompts decoded together per pass (`generateGreedyBatch`); 1 decodes them one at
   * a time as the reference does. The same greedy outputs up to last-bit rounding of the batched
   * products (see `generateGreedyEach`); record the value with the results.
   */
  evalBatch: number;
  /** Teacher-forced log-probs for Prob., Truth Ratio and Model Utility (off: ROUGE and gen_acc only). */
  likelihood: boolean;
  /** Refusal pool of the "refusal" method (the CLI uses TOFU's idontknow.jsonl when present). */
  refusals: string[];
  onEpoch?: (point: UnlearnPoint) => void;
}

export const unlearnDefaults: UnlearnOptions = {
  method: "npo",
  epochs: 10,
  lr: 2e-3,
  dropout: 0.05,
  targets: ["ffn_down"],
  batchSize: 4,
  gradientAccumulation: 4,
  weightDecay: 0.01,
  labelSmoothing: 0.1,
  beta: 0.1,
  seed: 42,
  maxNewTokens: 16,
  evalBatch: 32,
  likelihood: true,
  refusals: [
    "I don't know.",
    "I'm not certain about that.",
    "I have no idea.",
    "I can't answer that.",
    "That is something I don't know.",
  ],
};

/**
 * Evaluation sets: the complete forget set (coreset and pruned points), utility sets (each gets
 * an AUC; "retain", "real-authors" and "world-facts" make up Model Utility) and forget-side
 * robustness sets (paraphrased and jailbreak prompts of the forget set; no AUC).
 */
export interface UnlearnEvalSets {
  forget: readonly ForgetItem[];
  utility: Readonly<Record<string, readonly ForgetItem[]>>;
  forgetVariants?: Readonly<Record<string, readonly ForgetItem[]>>;
  /** Role per utility set name; default "tofu" for real-authors/world-facts, else "retain". */
  roles?: Readonly<Record<string, EvalRole>>;
}

/** One model state: epoch 0 is the starting model. */
export interface UnlearnPoint {
  epoch: number;
  forgetRouge: number;
  /** ROUGE-L recall per utility set. */
  utility: Record<string, number>;
  /** Every set's scores ("forget", forget variants, utility sets): ROUGE, gen_acc, Prob., TR. */
  metrics: Record<string, SetMetrics>;
  /** TOFU Model Utility (harmonic mean; see the report's modelUtilityComponents). */
  modelUtility?: number;
}

export interface UnlearnReport {
  method: UnlearnMethod;
  trainItems: number;
  /** Where the LoRA adapter sat and its size (GGUF module names, 0-based blocks). */
  lora: { rank: number; alpha: number; layers: number[]; targets: string[] };
  /** How each set was scored (role, Prob. and Truth Ratio definitions, reference answers). */
  evalSets: Record<string, SetDescription>;
  /** The numbers Model Utility is the harmonic mean of, e.g. "retain.truthRatio". */
  modelUtilityComponents?: string[];
  points: UnlearnPoint[];
  /**
   * Deletion–utility AUC (x = 1 − forget ROUGE, spec §3.5) per utility set's ROUGE, and
   * "modelUtility" when it is computed.
   */
  auc: Record<string, number>;
}

/** Mean ROUGE-L recall of greedy generations (BOS + question) against the answers. */
export async function rougeRecall(
  model: Transformer,
  tok: TrainTokenizer,
  items: readonly ForgetItem[],
  maxNewTokens: number,
): Promise<number> {
  let sum = 0;
  for (const item of items) {
    const prompt = [
      ...(tok.addBos && tok.bos !== undefined ? [tok.bos] : []),
      ...tok.tokenize(item.question),
    ];
    const out = await generateGreedy(model, prompt, {
      maxTokens: maxNewTokens,
      ...(tok.eos !== undefined ? { stopTokens: [tok.eos] } : {}),
    });
    sum += rougeL(item.answer, tok.detokenize(out)).recall;
  }
  return items.length > 0 ? sum / items.length : 0;
}

/**
 * Unlearns `train` (coreset, full set or random subset) with LoRA, evaluating the starting model
 * and every epoch; returns the curve and its AUCs. The model is changed in place (LoRA attached).
 */
export async function unlearn(
  model: Transformer,
  tok: TrainTokenizer,
  train: readonly ForgetItem[],
  retain: readonly ForgetItem[],
  evalSets: UnlearnEvalSets,
  options: Partial<UnlearnOptions> = {},
): Promise<UnlearnReport> {
  const o = { ...unlearnDefaults, ...options };
  if (train.length === 0) throw new RangeError("the unlearning set is empty");
  if (o.method !== "refusal" && retain.length === 0 && o.method !== "npo")
    throw new RangeError(`method ${o.method} needs a retain set`);
  const rank = o.rank ?? (o.method === "ga" ? 1 : 4);
  const layers = o.layers ?? [Math.round((7 / 32) * model.config.nLayer)];
  for (const layer of layers)
    if (!Number.isInteger(layer) || layer < 0 || layer >= model.config.nLayer)
      throw new RangeError(
        `LoRA layer ${layer} is out of range: the model has blocks 0 to ${model.config.nLayer - 1}`,
      );
  const alpha = o.alpha ?? 2 * rank;
  addLora(model, {
    rank,
    alpha,
    dropout: o.dropout,
    targets: o.targets,
    layers,
  });

  // Training text has no BOS (spec §3.3, pitfall 5); answers follow a space.
  const encode = (q: string, a: string) =>
    encodePromptCompletion({ ...tok, addBos: false }, q, ` ${a}`, false);
  // A random retain partner per forget item (the reference's switch dataset pairs them this way).
  const rng = new SeededRandom(o.seed);
  const nextRetain = () => retain[rng.int(retain.length)]!;
  if (o.method === "refusal" && o.refusals.length === 0)
    throw new RangeError("the refusal method needs at least one refusal string");
  // Refusal: a random "I don't know" answer per forget item, as the reference draws them.
  const refusalRng = new SeededRandom(o.seed + 1);
  const pairs: ForgetRetainPair[] = train.map((item) => {
    const answer =
      o.method === "refusal" ? o.refusals[refusalRng.int(o.refusals.length)]! : item.answer;
    return {
      forget: encode(item.question, answer),
      ...(retain.length > 0
        ? {
            retain: (() => {
              const r = nextRetain();
              return encode(r.question, r.answer);
            })(),
          }
        : {}),
    };
  });
  const objective = makeObjective(o, model);

  const roles: Record<string, EvalRole> = {};
  for (const name of Object.keys(evalSets.utility))
    roles[name] =
      evalSets.roles?.[name] ??
      (name === "real-authors" || name === "world-facts" ? "tofu" : "retain");
  const sets: Array<[string, readonly ForgetItem[], EvalRole]> = [
    ["forget", evalSets.forget, "forget"],
    ...Object.entries(evalSets.forgetVariants ?? {}).map(
      ([name, items]) => [name, items, "forget"] as [string, readonly ForgetItem[], EvalRole],
    ),
    ...Object.entries(evalSets.utility).map(
      ([name, items]) => [name, items, roles[name]!] as [string, readonly ForgetItem[], EvalRole],
    ),
  ];
  const names = sets.map(([name]) => name);
  if (new Set(names).size !== names.length)
    throw new RangeError(`evaluation set names must be distinct; got ${names.join(", ")}`);
  const evalDescriptions: Record<string, SetDescription> = {};
  for (const [name, items, role] of sets) evalDescriptions[name] = describeSet(items, role);
  let utilityComponents: string[] | undefined;
  const points: UnlearnPoint[] = [];
  const evaluate = async (epoch: number) => {
    const metrics: Record<string, SetMetrics> = {};
    for (const [name, items, role] of sets)
      metrics[name] = await evaluateSet(model, tok, items, {
        role,
        maxNewTokens: o.maxNewTokens,
        likelihood: o.likelihood,
        evalBatch: o.evalBatch,
      });
    const utility: Record<string, number> = {};
    for (const name of Object.keys(evalSets.utility)) utility[name] = metrics[name]!.rouge;
    const mu = modelUtility(metrics);
    utilityComponents = mu?.components;
    const point: UnlearnPoint = {
      epoch,
      forgetRouge: metrics.forget!.rouge,
      utility,
      metrics,
      ...(mu ? { modelUtility: mu.value } : {}),
    };
    points.push(point);
    o.onEpoch?.(point);
  };
  await evaluate(0);
  const stepsPerEpoch = Math.max(
    1,
    Math.ceil(Math.ceil(pairs.length / o.batchSize) / o.gradientAccumulation),
  );
  let evaluated = 0;
  // Checkpoints are per epoch (pitfall 9): evaluate when the first micro-batch of a new epoch arrives.
  const evaluating: Objective<ForgetRetainPair> = async (m, batch, ctx) => {
    const epochsDone = Math.floor(ctx.step / stepsPerEpoch);
    if (epochsDone > evaluated) {
      evaluated = epochsDone;
      await evaluate(epochsDone);
    }
    return objective(m, batch, ctx);
  };
  await trainLoop(model, pairs, evaluating, {
    epochs: o.epochs,
    lr: o.lr,
    batchSize: o.batchSize,
    gradientAccumulation: o.gradientAccumulation,
    weightDecay: o.weightDecay,
    warmupSteps: stepsPerEpoch,
    schedule: "linear",
    seed: o.seed,
  });
  await evaluate(o.epochs);
  const auc: Record<string, number> = {};
  for (const name of Object.keys(evalSets.utility))
    auc[name] = deletionUtilityAuc(
      points.map((p) => ({ forgetRouge: p.forgetRouge, utility: p.utility[name]! })),
    );
  if (points.every((p) => p.modelUtility !== undefined))
    auc.modelUtility = deletionUtilityAuc(
      points.map((p) => ({ forgetRouge: p.forgetRouge, utility: p.modelUtility! })),
    );
  return {
    method: o.method,
    trainItems: train.length,
    lora: { rank, alpha, layers, targets: o.targets },
    evalSets: evalDescriptions,
    ...(utilityComponents ? { modelUtilityComponents: utilityComponents } : {}),
    points,
    auc,
  };
}

function makeObjective(o: UnlearnOptions, model: Transformer): Objective<ForgetRetainPair> {
  if (o.method === "npo") {
    const reference = new ReferenceLogProbs({ model, modelHash: "unlearn-start" });
    return npoObjective({ beta: o.beta, reference, retainWeight: 1 });
  }
  if (o.method === "gd") return gradientDifferenceObjective();
  const signed = tokenObjective({ labelSmoothing: o.labelSmoothing });
  const forgetSign = o.method === "ga" ? -1 : 1;
  return (m, batch, ctx) =>
    signed(
      m,
      batch.flatMap((p) => [
        { ...p.forget, coefficient: forgetSign },
        ...(p.retain ? [{ ...p.retain, coefficient: 1 }] : []),
      ]),
      ctx,
    );
}
