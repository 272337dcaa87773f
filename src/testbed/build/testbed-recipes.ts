import type { PretrainShape } from "../../train/pretrain-shape.ts";
import type { AbacusConfig } from "../abacus/abacus-config.ts";
import type { AtlasConfig } from "../atlas/atlas-config.ts";

/** How one testbed model is built: its world, its shape and its training run. */
export type TestbedRecipe = AtlasRecipe | AbacusRecipe;

/** A model of the knowledge world, checked by its knowledge curve and reading accuracy. */
export interface AtlasRecipe extends RecipeCommon {
  world: "atlas";
  worldOverrides: Partial<AtlasConfig>;
}

/** A model of the procedural world, checked by its accuracy per skill. */
export interface AbacusRecipe extends RecipeCommon {
  world: "abacus";
  worldOverrides: Partial<AbacusConfig>;
}

interface RecipeCommon {
  name: string;
  /** A named switch of the world (atlasVariants, abacusVariants), applied before `worldOverrides`. */
  variant?: string;
  shape: PretrainShape;
  /**
   * Vocabulary size; absent: the smallest multiple of 256 that holds the corpus's words, their
   * prefix pieces and the byte tokens (Atlas: 1280, Abacus: 768). The design planned 2048 and 512;
   * the unused slots would only cost head compute, and below the needed size rare words split into
   * pieces, so the shipped models use the measured size.
   */
  vocabSize?: number;
  train: {
    /**
     * Passes over the corpus. A list is a staged run: train to the first count, then resume the
     * same run to the next (the schedule is recomputed for the new total at the resume), so a
     * longer model extends the shorter one step for step.
     */
    epochs: number | readonly number[];
    batchSize: number;
    lr: number;
    warmupSteps: number;
    schedule: "cosine" | "linear" | "constant";
    seed: number;
  };
  /** Matrix type of the shipped file. */
  type: "F32" | "Q8_0";
  about: string;
}

/** The longest Atlas document is ~160 words (persona monologues); BOS and EOS add two. */
const atlasSeqLen = 192;

const atlas1mShape: PretrainShape = {
  arch: "llama",
  layers: 4,
  dim: 128,
  heads: 4,
  kvHeads: 4,
  ffn: 384,
  seqLen: atlasSeqLen,
  tiedEmbeddings: true,
};

const atlas2mShape: PretrainShape = { ...atlas1mShape, dim: 192, heads: 6, kvHeads: 6, ffn: 576 };

const atlasTrain = {
  epochs: [1, 2],
  batchSize: 32,
  lr: 5e-3,
  warmupSteps: 50,
  schedule: "cosine",
  seed: 1,
} as const;

/**
 * The longest Abacus document at the 12M-word default is 307 words (a long chain task after
 * shorter ones; 99th percentile 256, median 61, world seed 7); BOS and EOS add two.
 */
const abacusSeqLen = 320;

/**
 * Abacus's size, measured (world seed 7): every word, digits included, is one token, so the
 * corpus's 12.0M words are 12.3M training tokens with the BOS and EOS of its 152k documents, the
 * design's 12M build tokens. Unlike Atlas, nothing here is counted in exposures: every task is a
 * fresh draw of its skill, so a second pass would repeat problems the generator can draw anew;
 * the design's budget is read once. The other settings are Atlas's.
 */
const abacusTrain = { ...atlasTrain, epochs: 1 } as const;

/** The procedural world's model; abacus-lsb-1m is the same recipe on the little-endian world. */
const abacus1m: TestbedRecipe = {
  name: "abacus-1m",
  world: "abacus",
  worldOverrides: { seed: 7, tokens: 12_000_000 },
  shape: { ...atlas1mShape, seqLen: abacusSeqLen },
  train: abacusTrain,
  type: "Q8_0",
  about:
    "the procedural world (digits, chains, list programs): MAgICoRe, UTGen, Symbolic-MoE, LASeR",
};

/**
 * The build recipes (design §3 and §6): the shipped models and the smoke world CI builds through
 * the same path. The world's token budget sets how often each fact is stated in the corpus (the
 * exposure counts of the knowledge curve are per pass; the models read it twice). The design's 8M
 * words give 3× its exposure targets (head 651 / median 165 / tail 14 measured); 2.5M words give
 * the targets (205 / 53 / 6: head ~200, median ~50, tail ~4), so atlas-1m reads 2.5M and
 * atlas-mini, the weaker model with fewer exposures, half of that. One pass (atlas-1m v1,
 * 2026-12-02) learned the facts but not to read a context (context-only accuracy 6%), the design's
 * risk (a); the second pass is a resumed stage, so v1 is its first half.
 */
export const testbedRecipes: Record<string, TestbedRecipe> = {
  "atlas-1m": {
    name: "atlas-1m",
    world: "atlas",
    worldOverrides: { seed: 7, tokens: 2_500_000 },
    shape: atlas1mShape,
    train: atlasTrain,
    type: "Q8_0",
    about: "the knowledge world (c = 10%): AdaCAD, MAT-Steer, UPCORE, PBT (strong)",
  },
  "atlas-null-1m": {
    name: "atlas-null-1m",
    world: "atlas",
    variant: "adacad-null",
    worldOverrides: { seed: 7, tokens: 2_500_000 },
    shape: atlas1mShape,
    train: atlasTrain,
    type: "Q8_0",
    about: "AdaCAD's null world: reading contexts disagree with the world in 50% of documents",
  },
  "atlas-steer-null-1m": {
    name: "atlas-steer-null-1m",
    world: "atlas",
    variant: "mat-steer-null",
    worldOverrides: { seed: 7, tokens: 2_500_000 },
    shape: atlas1mShape,
    train: atlasTrain,
    type: "Q8_0",
    about: "MAT-Steer's null world: persona traits drawn per sentence, no latent persona to find",
  },
  /**
   * PBT's pre-registered null (docs/pbt.md): a model that memorised no facts. Same documents,
   * shape and schedule as atlas-1m, but every document draws its people's facts afresh, so the
   * corpus holds nothing stable to memorise; closed-book accuracy should sit near chance.
   */
  "atlas-pbt-null-1m": {
    name: "atlas-pbt-null-1m",
    world: "atlas",
    variant: "pbt-null",
    worldOverrides: { seed: 7, tokens: 2_500_000 },
    shape: atlas1mShape,
    train: atlasTrain,
    type: "Q8_0",
    about: "PBT's null world: facts drawn afresh per document, so the model memorises none",
  },
  /**
   * The design's fallback for risk (a), pre-registered before the two-pass atlas-1m was checked
   * (docs/testbed.md, "Reading precondition"): atlas-1m learned its facts (88.6% closed book)
   * but read unseen people's facts from a context 5% of the time, so the next build raises d from
   * 128 to 192 (head size kept at 32, FFN 3·d) on the same world, corpus and schedule.
   */
  "atlas-2m": {
    name: "atlas-2m",
    world: "atlas",
    worldOverrides: { seed: 7, tokens: 2_500_000 },
    shape: atlas2mShape,
    train: atlasTrain,
    type: "Q8_0",
    about: "atlas-1m at d = 192 (the design's fallback for a model that does not read): AdaCAD",
  },
  "atlas-null-2m": {
    name: "atlas-null-2m",
    world: "atlas",
    variant: "adacad-null",
    worldOverrides: { seed: 7, tokens: 2_500_000 },
    shape: atlas2mShape,
    train: atlasTrain,
    type: "Q8_0",
    about: "AdaCAD's null world at atlas-2m's shape",
  },
  "atlas-mini": {
    name: "atlas-mini",
    world: "atlas",
    worldOverrides: { seed: 7, tokens: 1_250_000 },
    shape: {
      arch: "qwen2",
      layers: 3,
      dim: 96,
      heads: 3,
      kvHeads: 3,
      ffn: 256,
      seqLen: atlasSeqLen,
      tiedEmbeddings: true,
    },
    train: atlasTrain,
    type: "Q8_0",
    about:
      "a second family (qwen2) on the same world with fewer exposures: PBT (weak), MAMM-Refine",
  },
  "atlas-smoke": {
    name: "atlas-smoke",
    world: "atlas",
    variant: "smoke",
    worldOverrides: { seed: 7, tokens: 60_000 },
    shape: { ...atlas1mShape, layers: 2, dim: 64, heads: 4, kvHeads: 4, ffn: 192 },
    train: { ...atlasTrain, epochs: 1 },
    type: "Q8_0",
    about: "the build path at test scale (CI builds it; never shipped)",
  },
  "abacus-1m": abacus1m,
  /**
   * Pre-registered in docs/testbed.md ("Abacus with little-endian numbers"): abacus-1m learned no
   * multi-digit arithmetic, and the hypothesis is the notation. Same recipe, numbers written least
   * significant digit first; its skills check asks in that notation. Built 2026-12-03: add 0%,
   * sub 4%, chain 0% (NOT REPRODUCED; not shipped).
   */
  "abacus-lsb-1m": {
    ...abacus1m,
    name: "abacus-lsb-1m",
    variant: "lsb-first",
    about:
      "abacus-1m on the little-endian world (418 is written 8 1 4): does the notation teach arithmetic?",
  },
  /**
   * Pre-registered in docs/testbed.md ("Abacus with worked columns"): neither abacus-1m nor
   * abacus-lsb-1m learned arithmetic; the hypothesis is that worked columns (each token a few
   * written tokens away from its inputs) let the same recipe learn it. The only change besides the
   * world is the window the working needs: the longest document is 663 words (world seed 7), so
   * with BOS and EOS the smallest multiple of 64 that holds it is 704.
   */
  "abacus-scratch-1m": {
    ...abacus1m,
    name: "abacus-scratch-1m",
    variant: "columns",
    shape: { ...abacus1m.shape, seqLen: 704 },
    about:
      "abacus-1m on the worked-columns world (add, sub and chain steps worked column by column): does the working teach arithmetic?",
  },
  "abacus-smoke": {
    name: "abacus-smoke",
    world: "abacus",
    worldOverrides: { seed: 7, tokens: 60_000 },
    shape: {
      ...atlas1mShape,
      layers: 2,
      dim: 64,
      heads: 4,
      kvHeads: 4,
      ffn: 192,
      seqLen: abacusSeqLen,
    },
    train: abacusTrain,
    type: "Q8_0",
    about: "the Abacus build path at test scale (never shipped)",
  },
};
