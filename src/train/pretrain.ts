import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { buildCorpusVocab } from "../gguf/corpus-vocab.ts";
import { type GgufValue, openGguf, spmVocabMetadata, writeRandomModel } from "../gguf/index.ts";
import { DataError, UsageError } from "../model/errors.ts";
import { documentExamples } from "./corpus.ts";
import type { Located } from "./data.ts";
import { loadTransformer } from "./load-gguf.ts";
import { exportFullModel } from "./model-export.ts";
import { sftObjective } from "./objectives.ts";
import { enableGrad } from "./param.ts";
import { checkPretrainShape, type PretrainShape, parameterCount } from "./pretrain-shape.ts";
import { loadTokenizer } from "./tokenizer.ts";
import { type TrainOptions, type TrainResult, trainLoop } from "./train-loop.ts";

/** Everything decided before training: the shape, the vocabulary and what it covers. */
export interface PretrainPlan {
  shape: PretrainShape;
  vocabSize: number;
  /** The `tokenizer.*` metadata the model file gets. */
  tokenizer: Array<[string, GgufValue]>;
  /** Where the vocabulary came from: built from the corpus, or a `--tokenizer` file. */
  vocabSource: string;
  /** Distinct corpus words and how many are one token (corpus-built vocabularies). */
  words?: number;
  wordsInVocab?: number;
  parameters: number;
}

/**
 * Checks the shape and builds the vocabulary — from the corpus (every word one token, see
 * `buildCorpusVocab`) or from `tokenizer`, another GGUF whose vocabulary is reused — so that
 * every input error is thrown before a file is written or a step is taken.
 */
export async function planPretrain(
  texts: ReadonlyArray<Located<string>>,
  options: { shape: PretrainShape; vocabSize?: number; tokenizer?: string },
): Promise<PretrainPlan> {
  checkPretrainShape(options.shape);
  if (options.tokenizer !== undefined) {
    if (options.vocabSize !== undefined) {
      throw new UsageError(
        "--vocab-size cannot be combined with --tokenizer (the vocabulary is that file's); drop one",
      );
    }
    const file = await openGguf(options.tokenizer);
    try {
      const tokenizer = [...file.metadata].filter(([key]) => key.startsWith("tokenizer."));
      const tokens = file.metadata.get("tokenizer.ggml.tokens");
      if (tokens?.type !== "array" || tokens.items.length === 0) {
        throw new DataError("has no tokenizer.ggml.tokens; pass a GGUF model file to --tokenizer", {
          file: options.tokenizer,
        });
      }
      const vocabSize = tokens.items.length;
      return {
        shape: options.shape,
        vocabSize,
        tokenizer,
        vocabSource: options.tokenizer,
        parameters: parameterCount(options.shape, vocabSize),
      };
    } finally {
      await file.close();
    }
  }
  let built: ReturnType<typeof buildCorpusVocab>;
  try {
    built = buildCorpusVocab(
      texts.map((t) => t.record),
      options.vocabSize !== undefined ? { vocabSize: options.vocabSize } : {},
    );
  } catch (error) {
    throw new UsageError(`--vocab-size: ${(error as Error).message}`);
  }
  const vocabSize = built.vocab.tokens.length;
  return {
    shape: options.shape,
    vocabSize,
    tokenizer: spmVocabMetadata(built.vocab),
    vocabSource: "corpus",
    words: built.words,
    wordsInVocab: built.wordsInVocab,
    parameters: parameterCount(options.shape, vocabSize),
  };
}

export interface PretrainOptions extends TrainOptions {
  /** Folder for the initial model (`init.gguf`) and `checkpoint/`; a second call resumes there. */
  dir: string;
  /** Where to write the trained model. */
  out: string;
  /** The corpus file, for error messages. */
  file?: string;
  /** Matrix type of the written model (default F32). */
  type?: "F32" | "Q8_0";
}

export interface PretrainResult extends TrainResult {
  /** Training sequences: one per document. */
  documents: number;
  /** Tokens of the tokenized corpus, BOS and EOS included. */
  corpusTokens: number;
}

/**
 * Trains a model of `plan`'s shape from random initialisation on `texts` (each document one
 * sequence, BOS + text + EOS, next-token loss on every position) and writes it.
 * Initialisation: uniform weights of std 0.02, the residual-stream projections (`attn_output`,
 * `ffn_down`) at 0.02/sqrt(2·layers) as in GPT-2, norms at 1; the same seed gives the same start.
 */
export async function pretrain(
  plan: PretrainPlan,
  texts: ReadonlyArray<Located<string>>,
  options: PretrainOptions,
): Promise<PretrainResult> {
  const { shape } = plan;
  const init = join(options.dir, "init.gguf");
  const createdInit = !existsSync(init);
  if (createdInit) {
    await mkdir(options.dir, { recursive: true });
    const std = 0.02;
    await writeRandomModel(`${init}.tmp`, {
      architecture: shape.arch,
      embeddingLength: shape.dim,
      blockCount: shape.layers,
      feedForwardLength: shape.ffn,
      headCount: shape.heads,
      headCountKv: shape.kvHeads,
      vocabSize: plan.vocabSize,
      contextLength: shape.seqLen,
      tiedEmbeddings: shape.tiedEmbeddings,
      tokenizer: plan.tokenizer,
      std,
      residualStd: std / Math.sqrt(2 * shape.layers),
      seed: options.seed ?? 0,
      name: "chorus-pretrain",
    });
    await rename(`${init}.tmp`, init);
  }
  const { model } = await loadTransformer(init);
  for (const p of model.params.values()) enableGrad(p);
  const tokenizer = await loadTokenizer(init);
  let documents: Array<Located<number[]>>;
  try {
    const head = tokenizer.bos !== undefined ? [tokenizer.bos] : [];
    const tail = tokenizer.eos !== undefined ? [tokenizer.eos] : [];
    documents = texts.map(({ record, line }) => ({
      record: [...head, ...tokenizer.tokenize(record), ...tail],
      line,
    }));
  } finally {
    await tokenizer.close();
  }
  let examples: ReturnType<typeof documentExamples>;
  try {
    examples = documentExamples(documents, shape.seqLen, options.file);
  } catch (error) {
    // A document too long for --seq-len is only known once the file's tokenizer exists; leave no
    // half-made run behind, so fixing the flag and rerunning starts clean.
    if (createdInit) await rm(init, { force: true });
    throw error;
  }
  const result = await trainLoop(model, examples, sftObjective(), {
    ...options,
    checkpointDir: join(options.dir, "checkpoint"),
  });
  await exportFullModel(model, init, options.out, { type: options.type ?? "F32" });
  return {
    ...result,
    documents: examples.length,
    corpusTokens: examples.reduce((n, e) => n + e.tokens.length, 0),
  };
}
