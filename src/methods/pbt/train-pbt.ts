import type { LoraConfig } from "../../train/lora.ts";
import { Trainable } from "../../train/trainable.ts";
import type { StepInfo } from "../../train/training-session.ts";
import type { WeightsSnapshot } from "../../train/weights-snapshot.ts";
import { toDpoRecord, toSftRecord } from "./pair-records.ts";
import type { PersuasionPair } from "./sibling-pairs.ts";

/** One stage's optimizer and batching (spec 3.6). */
export interface StageSettings {
  lr: number;
  batchSize: number;
  gradientAccumulation: number;
  warmupSteps: number;
  schedule: "cosine" | "linear" | "constant";
}

export interface PbtTrainSettings {
  lora: LoraConfig;
  /** SFT on the chosen replies: steps (240 in the paper's scripts; 0 skips the stage). */
  sftSteps: number;
  sft: StageSettings;
  /** DPO epochs (5 for 8B, 2 for 70B) and β. */
  dpoEpochs: number;
  beta: number;
  /**
   * Weight of the chosen reply's NLL added to the DPO loss (RPO; 0 = plain DPO as in the paper).
   * On tiny models plain DPO can push probability off both replies (greedy text degenerates).
   */
  nllWeight: number;
  dpo: StageSettings;
  /**
   * DPO's reference: "sft" (the SFT policy, snapshotted before DPO; default) or "base" (the
   * loaded weights, adapters off: TRL's `ref_model=None` on an un-merged adapter).
   */
  reference: "sft" | "base";
  maxLength: number;
  seed: number;
}

/** The spec's defaults (§4): LoRA r16/α32/dropout 0.05 on q/k/v, SFT 240 steps, DPO β 0.1 × 5 epochs at lr 5e-4, warmup 100, cosine. */
export const pbtTrainDefaults: PbtTrainSettings = {
  lora: { rank: 16, alpha: 32, dropout: 0.05, targets: ["q_proj", "k_proj", "v_proj"] },
  sftSteps: 240,
  sft: { lr: 5e-4, batchSize: 8, gradientAccumulation: 10, warmupSteps: 0, schedule: "cosine" },
  dpoEpochs: 5,
  beta: 0.1,
  nllWeight: 0,
  // 7 per device × 5 accumulation × 2 GPUs in the paper: 7 × 10 on one device.
  dpo: { lr: 5e-4, batchSize: 7, gradientAccumulation: 10, warmupSteps: 100, schedule: "cosine" },
  reference: "sft",
  maxLength: 1024,
  seed: 12,
};

export interface PbtTrainHooks {
  onStep?: (stage: "sft" | "dpo", info: StepInfo) => void | Promise<void>;
  /**
   * Called after each DPO epoch with the trainer (its adapter can be saved and evaluated); the
   * epoch with the highest returned score is kept (the paper keeps the best balanced dev
   * accuracy). Without it the last epoch is kept.
   */
  devScore?: (trainable: Trainable, epoch: number) => Promise<number>;
  /** Reference log-prob cache folder. */
  cacheDir?: string;
  signal?: AbortSignal;
}

export interface PbtTrainResult {
  sftLosses: number[];
  dpoLosses: number[];
  /** Dev score per DPO epoch (when `devScore` was given) and the epoch kept (1-based). */
  devScores: number[];
  keptEpoch: number;
  seconds: number;
}

/**
 * SFT on the chosen replies, then DPO on the pairs, through the trainer's session API on one
 * LoRA; the adapter is written as a GGUF LoRA the llamacpp engine serves.
 */
export async function trainPbt(
  modelPath: string,
  pairs: readonly PersuasionPair[],
  adapterPath: string,
  settings: PbtTrainSettings = pbtTrainDefaults,
  hooks: PbtTrainHooks = {},
): Promise<PbtTrainResult> {
  if (pairs.length === 0) throw new Error("no training pairs");
  const started = performance.now();
  const t = await Trainable.load(modelPath, { lora: { seed: settings.seed, ...settings.lora } });
  try {
    const common = {
      maxLength: settings.maxLength,
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    };
    let sftLosses: number[] = [];
    if (settings.sftSteps > 0) {
      const sft = t.session({
        ...settings.sft,
        totalSteps: settings.sftSteps,
        seed: settings.seed,
      });
      const r = await sft.sft(pairs.map(toSftRecord), {
        ...common,
        steps: settings.sftSteps,
        onStep: (i) => hooks.onStep?.("sft", i),
      });
      sftLosses = r.losses;
    }
    const reference: WeightsSnapshot | undefined =
      settings.reference === "sft" ? t.snapshot() : undefined;
    const records = pairs.map(toDpoRecord);
    const micro = Math.ceil(pairs.length / settings.dpo.batchSize);
    const perEpoch = Math.max(1, Math.ceil(micro / settings.dpo.gradientAccumulation));
    const session = t.session({
      ...settings.dpo,
      totalSteps: perEpoch * settings.dpoEpochs,
      seed: settings.seed,
    });
    const devScores: number[] = [];
    let best: { score: number; epoch: number; weights: WeightsSnapshot } | undefined;
    const r = await session.dpo(records, {
      ...common,
      epochs: settings.dpoEpochs,
      beta: settings.beta,
      ...(settings.nllWeight > 0 ? { nllWeight: settings.nllWeight } : {}),
      ...(reference ? { reference } : {}),
      ...(hooks.cacheDir ? { cacheDir: hooks.cacheDir } : {}),
      onStep: (i) => hooks.onStep?.("dpo", i),
      onEpoch: async () => {
        if (!hooks.devScore) return;
        const epoch = devScores.length + 1;
        const score = await hooks.devScore(t, epoch);
        devScores.push(score);
        if (!best || score > best.score) best = { score, epoch, weights: t.snapshot() };
      },
    });
    const kept = best as { epoch: number; weights: WeightsSnapshot } | undefined;
    if (kept) t.restore(kept.weights);
    await t.saveAdapter(adapterPath);
    return {
      sftLosses,
      dpoLosses: r.losses,
      devScores,
      keptEpoch: kept?.epoch ?? settings.dpoEpochs,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await t.close();
  }
}
