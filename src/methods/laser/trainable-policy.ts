import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { LanguageModel } from "../../model/language-model.ts";
import { requireCapability } from "../../model/require-capability.ts";
import type { Trainable } from "../../train/trainable.ts";
import type { TrainableSession } from "../../train/trainable-session.ts";
import type { WeightsSnapshot } from "../../train/weights-snapshot.ts";
import { loadSnapshot, saveSnapshot } from "../../train/weights-snapshot-file.ts";
import type { LaserPolicy, SampleOptions, TextPair } from "./policy.ts";
import { ServedPolicy } from "./served-policy.ts";

/** Training settings of the policy (spec §3.5 defaults). */
export interface TrainablePolicyOptions {
  /** Most pairs one update takes (the loop's batch size × pairs per prompt). */
  maxPairsPerStep: number;
  /** Adam learning rate (default 5e-6, the official value). */
  lr?: number;
  /** DPO β (default 0.1) and the NLL weight λ on the chosen side (default 1). */
  beta?: number;
  nllWeight?: number;
  /** End completions with EOS in training (default true; false for models that never saw it). */
  appendEos?: boolean;
  /** Longest pair sequence in tokens (default 1024). */
  maxLength?: number;
  seed?: number;
  /** Folder for the adapter files served to the engine after every update. */
  workDir: string;
}

/**
 * The real LASeR policy: a GGUF trained in TypeScript (`Trainable` with LoRA, one session for
 * the whole run) and served by a loaded llama.cpp model (`ServedPolicy`: sampling, hidden
 * states); after every update the new adapter is hot-swapped into that model (no reload).
 */
export class TrainablePolicy implements LaserPolicy {
  private readonly session: TrainableSession;
  private readonly served: ServedPolicy;
  private reference: WeightsSnapshot;
  private adapterFile: string | undefined;
  private swaps = 0;

  constructor(
    readonly trainable: Trainable,
    readonly model: LanguageModel,
    private readonly options: TrainablePolicyOptions,
  ) {
    requireCapability(model, "lora");
    this.served = new ServedPolicy(model);
    this.session = trainable.session({
      lr: options.lr ?? 5e-6,
      batchSize: options.maxPairsPerStep,
      shuffle: false,
      seed: options.seed ?? 0,
    });
    this.reference = trainable.snapshot();
  }

  async sample(prompts: readonly string[], o: SampleOptions): Promise<string[][]> {
    if (!this.adapterFile) await this.serve();
    return this.served.sample(prompts, o);
  }

  async pooledStates(prompts: readonly string[]): Promise<Float64Array[]> {
    if (!this.adapterFile) await this.serve();
    return this.served.pooledStates(prompts);
  }

  async setReference(): Promise<void> {
    this.reference = this.trainable.snapshot();
  }

  async update(pairs: readonly TextPair[]): Promise<number> {
    if (pairs.length > this.options.maxPairsPerStep)
      throw new Error(
        `${pairs.length} pairs exceed maxPairsPerStep ${this.options.maxPairsPerStep}`,
      );
    const appendEos = this.options.appendEos ?? true;
    // Without EOS an empty completion has no token to score: such pairs carry no signal.
    const usable = appendEos ? pairs : pairs.filter((p) => p.chosen !== "" && p.rejected !== "");
    if (usable.length === 0) throw new Error("every pair has an empty completion");
    const t = this.trainable;
    const examples = await t.dpoPairs(usable, {
      appendEos,
      maxLength: this.options.maxLength ?? 1024,
    });
    const objective = await t.dpoObjectiveFor(examples, {
      beta: this.options.beta ?? 0.1,
      nllWeight: this.options.nllWeight ?? 1,
      reference: this.reference,
    });
    const r = await this.session.train(examples, objective, { steps: 1, newData: true });
    await this.serve();
    return r.losses[0]!;
  }

  async meanLogProb(prompt: string, completion: string): Promise<number> {
    const ex = this.trainable.encode(prompt, completion, false);
    const n = ex.tokens.length - ex.start;
    return n > 0 ? (await this.trainable.logProb(prompt, completion)) / n : 0;
  }

  async save(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await this.session.saveCheckpoint(dir);
    await saveSnapshot(join(dir, "reference.json"), this.reference);
  }

  async load(dir: string): Promise<void> {
    await this.session.loadCheckpoint(dir);
    this.reference = await loadSnapshot(join(dir, "reference.json"));
    await this.serve();
  }

  /**
   * Writes the current adapter and swaps it into the engine model (also before the first sample,
   * so the engine never serves an adapter left from before this policy).
   */
  private async serve(): Promise<void> {
    await mkdir(this.options.workDir, { recursive: true });
    const path = join(this.options.workDir, `adapter-${process.pid}-${++this.swaps}.gguf`);
    await this.trainable.saveAdapter(path);
    await this.model.setLora!([{ path }]);
    if (this.adapterFile) await rm(this.adapterFile, { force: true });
    this.adapterFile = path;
  }
}
