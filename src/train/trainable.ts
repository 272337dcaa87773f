import {
  type DpoRecord,
  encodePromptCompletion,
  type Located,
  parseDpoRecords,
  parseSftRecords,
  readJsonl,
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
import { dpoObjective, type PreferencePair, sftObjective } from "./objectives.ts";
import { enableGrad } from "./param.ts";
import { fileSha256, ReferenceLogProbs } from "./reference-logprobs.ts";
import { scoreSequence, type TokenizedExample } from "./sequence-scores.ts";
import { loadTokenizer, type TrainTokenizer } from "./tokenizer.ts";
import { type TrainOptions, type TrainResult, trainLoop } from "./train-loop.ts";
import { TrainableSession } from "./trainable-session.ts";
import type { SessionOptions } from "./training-session.ts";
import type { ResidualHook, Transformer } from "./transformer.ts";
import { restoreParams, snapshotParams, type WeightsSnapshot } from "./weights-snapshot.ts";

/** How to load a model for training. */
export interface TrainableOptions {
  /** LoRA settings (default rank 8, alpha 16 on q/k/v/o); `false` trains every weight (tiny models). */
  lora?: LoraConfig | false;
  precision?: "f32" | "f64";
}

/** How records become tokenized examples. */
export interface ExampleOptions {
  /** Longest example in tokens; longer ones are a DataError before training (default 512). */
  maxLength?: number;
  /** End each completion with EOS (chat records: the end-of-turn token). Default true. */
  appendEos?: boolean;
  /** Data file name for error messages. */
  file?: string;
}

/** Shared options of `sft` and `dpo`. */
export interface FitOptions extends TrainOptions, ExampleOptions {}

/** DPO settings: β, an optional NLL term, and the reference (default: the loaded weights). */
export interface DpoSettings {
  beta?: number;
  nllWeight?: number;
  /** Reference-log-prob cache folder. */
  cacheDir?: string;
  /** The reference's trainable weights (e.g. last iteration's policy); default: as loaded. */
  reference?: WeightsSnapshot;
}

/** SFT data: records (or a JSONL file of them), or examples already tokenized. */
export type SftData =
  | string
  | ReadonlyArray<SftRecord | Located<SftRecord>>
  | readonly TokenizedExample[];
/** DPO data: records (or a JSONL file of them), or pairs already tokenized. */
export type DpoData =
  | string
  | ReadonlyArray<DpoRecord | Located<DpoRecord>>
  | readonly PreferencePair[];

const isTokenized = (r: unknown): r is TokenizedExample =>
  typeof r === "object" && r !== null && Array.isArray((r as TokenizedExample).tokens);
const isPair = (r: unknown): r is PreferencePair =>
  typeof r === "object" && r !== null && isTokenized((r as PreferencePair).chosen);

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
  /** The trainable weights as loaded (LoRA: B = 0 and A from the seed); `reset` restores them. */
  private initial!: WeightsSnapshot;

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
    t.initial = t.snapshot();
    return t;
  }

  /** sha256 of the model file (the key of cached reference log-probs). */
  async modelHash(): Promise<string> {
    this.hash ??= await fileSha256(this.path);
    return this.hash;
  }

  /**
   * A reference scorer, cached under `cacheDir` when given: the snapshot's weights swapped in,
   * or by default the weights as loaded (LoRA detached; full fine-tuning: the loaded weights).
   * Cached log-probs are keyed by the file's sha256 and the snapshot's hash.
   */
  async reference(
    options: { cacheDir?: string; snapshot?: WeightsSnapshot } = {},
  ): Promise<ReferenceLogProbs> {
    const lora = this.adapters.length > 0;
    const snapshot = options.snapshot ?? (lora ? undefined : this.initial);
    return new ReferenceLogProbs({
      model: this.model,
      modelHash: await this.modelHash(),
      ...(snapshot ? { snapshot } : {}),
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    });
  }

  /** A copy of the trainable weights (LoRA factors or full weights) with a content hash. */
  snapshot(): WeightsSnapshot {
    return snapshotParams(this.model.trainableParams());
  }

  /** Puts a snapshot's weights back (the base weights are never touched with LoRA). */
  restore(snap: WeightsSnapshot): void {
    restoreParams(this.model.trainableParams(), snap);
  }

  /** Back to the weights as loaded: LoRA B = 0 and A from the seed again; full: the file's. */
  reset(): void {
    this.restore(this.initial);
  }

  /**
   * A training session on this model: optimizer state and schedule position persist across
   * its `sft`/`dpo`/`train` calls (see TrainingSession).
   */
  session(options: SessionOptions = {}): TrainableSession {
    return new TrainableSession(this, options);
  }

  /** Tokenized SFT examples from records, a JSONL file, or examples (returned as they are). */
  async sftExamples(data: SftData, options: ExampleOptions = {}): Promise<TokenizedExample[]> {
    if (typeof data === "string")
      return this.sftExamples(parseSftRecords(await readJsonl(data), data), {
        ...options,
        file: data,
      });
    if (data.length > 0 && data.every(isTokenized)) return [...data];
    return tokenizeSft(
      this.tokenizer,
      wrap(data as ReadonlyArray<SftRecord | Located<SftRecord>>),
      {
        maxLength: options.maxLength ?? 512,
        ...(options.appendEos !== undefined ? { appendEos: options.appendEos } : {}),
        ...(options.file ? { file: options.file } : {}),
      },
    );
  }

  /** Tokenized preference pairs from records, a JSONL file, or pairs (returned as they are). */
  async dpoPairs(data: DpoData, options: ExampleOptions = {}): Promise<PreferencePair[]> {
    if (typeof data === "string")
      return this.dpoPairs(parseDpoRecords(await readJsonl(data), data), {
        ...options,
        file: data,
      });
    if (data.length > 0 && data.every(isPair)) return [...data];
    return tokenizeDpo(
      this.tokenizer,
      wrap(data as ReadonlyArray<DpoRecord | Located<DpoRecord>>),
      {
        maxLength: options.maxLength ?? 512,
        ...(options.appendEos !== undefined ? { appendEos: options.appendEos } : {}),
        ...(options.file ? { file: options.file } : {}),
      },
    );
  }

  /**
   * The DPO objective against `settings.reference` (default: the loaded weights), with every
   * pair's reference log-probs computed up front so they are not mixed into step timings.
   */
  async dpoObjectiveFor(pairs: readonly PreferencePair[], settings: DpoSettings = {}) {
    const reference = await this.reference({
      ...(settings.cacheDir ? { cacheDir: settings.cacheDir } : {}),
      ...(settings.reference ? { snapshot: settings.reference } : {}),
    });
    await reference.sums(pairs.flatMap((p) => [p.chosen, p.rejected]));
    return dpoObjective({
      beta: settings.beta ?? 0.1,
      reference,
      ...(settings.nllWeight !== undefined ? { nllWeight: settings.nllWeight } : {}),
    });
  }

  /** Token ids of prompt + completion and where the completion starts. */
  encode(prompt: string, completion: string, appendEos = true) {
    return encodePromptCompletion(this.tokenizer, prompt, completion, appendEos);
  }

  /** Supervised fine-tuning on prompt–completion or chat records, in one run. */
  async sft(data: SftData, options: FitOptions = {}): Promise<TrainResult> {
    const examples = await this.sftExamples(data, options);
    return trainLoop(this.model, examples, sftObjective(), options);
  }

  /**
   * DPO (β default 0.1) in one run, against `reference` (a snapshot; default the loaded
   * weights), with reference log-probs cached in `cacheDir`.
   */
  async dpo(data: DpoData, options: FitOptions & DpoSettings = {}): Promise<TrainResult> {
    const pairs = await this.dpoPairs(data, options);
    const objective = await this.dpoObjectiveFor(pairs, options);
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
      stopTokens: [...this.tokenizer.endTokens],
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
