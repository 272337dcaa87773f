import { generateGreedyEach } from "../../train/generate.ts";
import type { LoraConfig } from "../../train/lora.ts";
import { Trainable } from "../../train/trainable.ts";
import type { TaskInstance, TrainablePredictor, TrainingDatum } from "./types.ts";

export interface LoraStudentOptions {
  /** LoRA settings (default rank 8, alpha 16 on every linear: LLaMA-Factory's `lora_target: all`). */
  lora?: LoraConfig;
  /** Peak learning rate (default 1e-4, LLaMA-Factory's example). */
  lr?: number;
  /** Passes over the data per training (default 3). */
  epochs?: number;
  /** Share of the steps spent warming up (default 0.1); cosine decay after. */
  warmupRatio?: number;
  /** Examples per micro-batch (default 1) and micro-batches per step (default 16: batch 16). */
  batchSize?: number;
  gradientAccumulation?: number;
  seed?: number;
  /** Longest training example in tokens (default 1024, LLaMA-Factory's cutoff). */
  maxLength?: number;
  /** Longest answer when predicting (default 350, the MATH student's). */
  maxTokens?: number;
  /**
   * Prompts decoded together when predicting (default 32; `generateGreedyBatch`). 1 decodes one
   * prompt at a time (`generateGreedy`, the path before batching): the same answers, slower;
   * kept as the fallback should a model not batch.
   */
  evalBatch?: number;
  /**
   * Texts that end an answer when one of them is a single token of the model's vocabulary (e.g.
   * "Q:" for Abacus models, whose corpus runs one task into the next); EOS always does.
   */
  stopAt?: readonly string[];
  /** The student's prompt for an instruction (default `Problem: …\nSolution:`). */
  prompt?: (instruction: string) => string;
  /** End training completions with EOS (default true; false for models that never saw it). */
  appendEos?: boolean;
  /** Called after each training: data used, data too long to use, steps, last loss. */
  onTrained?: (info: {
    data: number;
    dropped: number;
    steps: number;
    loss: number;
    seconds: number;
  }) => void;
}

const allLinear = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"];

/**
 * The trainable student: a GGUF model fine-tuned with LoRA SFT through the trainer's session
 * API. Every `train` starts FROM THE BASE (the adapter reset to its initial weights, a new
 * session and optimizer) on the data it is given, as the paper's LLaMA-Factory runs did; the
 * environment decides whether that is all data so far or the newest only. Answers greedily.
 */
export class LoraStudent implements TrainablePredictor {
  private constructor(
    readonly trainable: Trainable,
    private readonly options: LoraStudentOptions,
  ) {}

  static async load(path: string, options: LoraStudentOptions = {}): Promise<LoraStudent> {
    const lora = options.lora ?? {
      rank: 8,
      alpha: 16,
      targets: allLinear,
      seed: options.seed ?? 0,
    };
    return new LoraStudent(await Trainable.load(path, { lora }), options);
  }

  private prompt(instruction: string): string {
    return this.options.prompt?.(instruction) ?? `Problem: ${instruction}\nSolution:`;
  }

  async train(data: readonly TrainingDatum[]): Promise<void> {
    const t = this.trainable;
    t.reset();
    const o = this.options;
    // Longer examples are cut by LLaMA-Factory's cutoff; here they are left out (and counted),
    // since a truncated target would teach an answer without its final line.
    const maxLength = o.maxLength ?? 1024;
    const eos = o.appendEos ?? true;
    const examples = data
      .map((d) => t.encode(this.prompt(d.instruction), d.response, eos))
      .filter((e) => e.tokens.length <= maxLength);
    const dropped = data.length - examples.length;
    if (examples.length === 0) {
      o.onTrained?.({ data: 0, dropped, steps: 0, loss: Number.NaN, seconds: 0 });
      return;
    }
    const batchSize = o.batchSize ?? 1;
    const accum = o.gradientAccumulation ?? 16;
    const epochs = o.epochs ?? 3;
    const perEpoch = Math.max(1, Math.ceil(Math.ceil(examples.length / batchSize) / accum));
    const totalSteps = perEpoch * epochs;
    const session = t.session({
      lr: o.lr ?? 1e-4,
      totalSteps,
      warmupSteps: Math.round((o.warmupRatio ?? 0.1) * totalSteps),
      schedule: "cosine",
      batchSize,
      gradientAccumulation: accum,
      seed: o.seed ?? 0,
    });
    const r = await session.sft(examples, { epochs });
    o.onTrained?.({
      data: examples.length,
      dropped,
      steps: r.steps,
      loss: r.losses.at(-1) ?? Number.NaN,
      seconds: r.seconds,
    });
  }

  async predict(instances: readonly TaskInstance[]): Promise<string[]> {
    const t = this.trainable;
    const tok = t.tokenizer;
    const extra = (this.options.stopAt ?? [])
      .map((text) => tok.tokenize(text))
      .filter((ids) => ids.length === 1)
      .map((ids) => ids[0]!);
    const head = tok.addBos && tok.bos !== undefined ? [tok.bos] : [];
    const prompts = instances.map((x) => [...head, ...tok.tokenize(this.prompt(x.instruction))]);
    const options = {
      maxTokens: this.options.maxTokens ?? 350,
      stopTokens: [...tok.endTokens, ...extra],
    };
    const batchSize = this.options.evalBatch ?? 32;
    const answers = await generateGreedyEach(t.model, prompts, { ...options, batchSize });
    return answers.map((tokens) => tok.detokenize(tokens));
  }

  async save(path: string): Promise<void> {
    await this.trainable.saveAdapter(path);
  }

  async close(): Promise<void> {
    await this.trainable.close();
  }
}
