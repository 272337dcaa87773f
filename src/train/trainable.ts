import {
  type DpoRecord,
  encodePromptCompletion,
  type Located,
  type SftRecord,
  tokenizeDpo,
  tokenizeSft,
} from "./data.ts";
import { generateGreedy } from "./generate.ts";
import type { LoraAdapter } from "./linear.ts";
import { loadTransformer } from "./load-gguf.ts";
import { addLora, type LoraConfig } from "./lora.ts";
import { exportLoraAdapter } from "./lora-export.ts";
import { exportFullModel } from "./model-export.ts";
import { dpoObjective, sftObjective } from "./objectives.ts";
import { enableGrad } from "./param.ts";
import { fileSha256, ReferenceLogProbs } from "./reference-logprobs.ts";
import { scoreSequence } from "./sequence-scores.ts";
import { loadTokenizer, type TrainTokenizer } from "./tokenizer.ts";
import { type TrainOptions, type TrainResult, trainLoop } from "./train-loop.ts";
import type { ResidualHook, Transformer } from "./transformer.ts";

/** How to load a model for training. */
export interface TrainableOptions {
  /** LoRA settings (default rank 8, alpha 16 on q/k/v/o); `false` trains every weight (tiny models). */
  lora?: LoraConfig | false;
  precision?: "f32" | "f64";
}

/** Shared options of `sft` and `dpo`. */
export interface FitOptions extends TrainOptions {
  /** Longest example in tokens; longer ones are a DataError before training (default 512). */
  maxLength?: number;
  appendEos?: boolean;
  /** Data file name for error messages. */
  file?: string;
}

const wrap = <T>(records: ReadonlyArray<T | Located<T>>): Array<Located<T>> =>
  records.map((r, i) =>
    typeof r === "object" && r !== null && "record" in r && "line" in r
      ? (r as Located<T>)
      : { record: r as T, line: i + 1 },
  );

/**
 * A GGUF model loaded for training: the one object methods (UPCORE, PBT, LASeR, ...) need to
 * fine-tune with SFT/DPO or their own objectives, then write the adapter the llamacpp engine
 * serves. Reference log-probs (DPO/NPO) use the same weights with the adapters detached.
 *
 * @example
 * const t = await Trainable.load("model.gguf", { lora: { rank: 8 } });
 * await t.sft([{ prompt: "Q: 2+2?\nA:", completion: " 4" }], { epochs: 3, lr: 1e-3 });
 * await t.saveAdapter("adapter.gguf");
 * await t.close();
 */
export class Trainable {
  private hash: string | undefined;

  private constructor(
    readonly path: string,
    readonly model: Transformer,
    readonly tokenizer: TrainTokenizer,
  ) {}

  static async load(path: string, options: TrainableOptions = {}): Promise<Trainable> {
    const { model } = await loadTransformer(
      path,
      options.precision ? { precision: options.precision } : {},
    );
    const tokenizer = await loadTokenizer(path);
    const t = new Trainable(path, model, tokenizer);
    if (options.lora === false) for (const p of model.params.values()) enableGrad(p);
    else addLora(model, options.lora ?? { rank: 8, alpha: 16 });
    return t;
  }

  /** sha256 of the model file (the key of cached reference log-probs). */
  async modelHash(): Promise<string> {
    this.hash ??= await fileSha256(this.path);
    return this.hash;
  }

  /** A reference scorer on the base weights, cached under `cacheDir` when given. */
  async reference(cacheDir?: string): Promise<ReferenceLogProbs> {
    return new ReferenceLogProbs({
      model: this.model,
      modelHash: await this.modelHash(),
      ...(cacheDir ? { cacheDir } : {}),
    });
  }

  /** Token ids of prompt + completion and where the completion starts. */
  encode(prompt: string, completion: string, appendEos = true) {
    return encodePromptCompletion(this.tokenizer, prompt, completion, appendEos);
  }

  /** Supervised fine-tuning on prompt–completion or chat records. */
  async sft(
    records: ReadonlyArray<SftRecord | Located<SftRecord>>,
    options: FitOptions = {},
  ): Promise<TrainResult> {
    const examples = await tokenizeSft(this.tokenizer, wrap(records), {
      maxLength: options.maxLength ?? 512,
      ...(options.appendEos !== undefined ? { appendEos: options.appendEos } : {}),
      ...(options.file ? { file: options.file } : {}),
    });
    return trainLoop(this.model, examples, sftObjective(), options);
  }

  /** DPO (β default 0.1) with reference log-probs from the base weights, cached in `cacheDir`. */
  async dpo(
    records: ReadonlyArray<DpoRecord | Located<DpoRecord>>,
    options: FitOptions & { beta?: number; nllWeight?: number; cacheDir?: string } = {},
  ): Promise<TrainResult> {
    const pairs = tokenizeDpo(this.tokenizer, wrap(records), {
      maxLength: options.maxLength ?? 512,
      ...(options.appendEos !== undefined ? { appendEos: options.appendEos } : {}),
      ...(options.file ? { file: options.file } : {}),
    });
    const reference = await this.reference(options.cacheDir);
    // Once, before the first step, so the reference passes are not mixed into step timings.
    await reference.sums(pairs.flatMap((p) => [p.chosen, p.rejected]));
    const objective = dpoObjective({
      beta: options.beta ?? 0.1,
      reference,
      ...(options.nllWeight !== undefined ? { nllWeight: options.nllWeight } : {}),
    });
    return trainLoop(this.model, pairs, objective, options);
  }

  /** Summed log-probability of `completion` after `prompt` under the current weights. */
  async logProb(prompt: string, completion: string): Promise<number> {
    return (await scoreSequence(this.model, this.encode(prompt, completion, false))).sum;
  }

  /** Greedy continuation of `prompt` (text), with optional residual hooks. */
  async generate(
    prompt: string,
    options: { maxTokens?: number; hooks?: readonly ResidualHook[] } = {},
  ): Promise<string> {
    const head =
      this.tokenizer.addBos && this.tokenizer.bos !== undefined ? [this.tokenizer.bos] : [];
    const tokens = await generateGreedy(this.model, [...head, ...this.tokenizer.tokenize(prompt)], {
      maxTokens: options.maxTokens ?? 64,
      ...(this.tokenizer.eos !== undefined ? { stopTokens: [this.tokenizer.eos] } : {}),
      ...(options.hooks ? { hooks: options.hooks } : {}),
    });
    return this.tokenizer.detokenize(tokens);
  }

  /** Writes the LoRA adapters as a GGUF LoRA file for the llamacpp engine. */
  async saveAdapter(path: string): Promise<void> {
    await exportLoraAdapter(this.model, path);
  }

  /** Writes the whole model (adapters merged) as an F32 GGUF with the source file's metadata. */
  async saveModel(path: string): Promise<void> {
    await exportFullModel(this.model, this.path, path);
  }

  /** The attached adapters (empty for full fine-tuning). */
  get adapters(): LoraAdapter[] {
    return this.model.blocks.flatMap((b) =>
      Object.values(b.linears).flatMap((l) => (l.lora ? [l.lora] : [])),
    );
  }

  async close(): Promise<void> {
    await this.tokenizer.close();
  }
}
