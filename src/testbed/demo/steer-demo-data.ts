import { deriveSeed } from "../../math/seeded-random.ts";
import type { AttributeTexts } from "../../methods/mat-steer/index.ts";
import type { AtlasWorld } from "../atlas/atlas-world.ts";
import { type KnowledgeItem, neutralItems } from "../atlas/knowledge-items.ts";
import {
  type SteerAttribute,
  type SteerChoiceItem,
  steerAttributes,
  steerChoiceItems,
  steerStatements,
} from "../atlas/steer-items.ts";

/** The statements' draw is fixed: `--seed` draws a fresh evaluation, not fresh training data. */
export const statementSeed = 0;
/** Share of each attribute's contrast pairs held out from training (for the gate rule). */
const heldOutShare = 0.2;

/** Everything the MAT-Steer demo reads from the world, split so that no tuning sees the eval items. */
export interface SteerDemoData {
  /** Training statements per attribute (label 1 = positive). */
  train: Record<SteerAttribute, AttributeTexts>;
  /** Held-out statements: the gate rule (docs/mat-steer.md) reads the gates on these. */
  heldOut: Record<SteerAttribute, AttributeTexts>;
  /** Validation draw (its own seed): undesirable-persona items and neutral prompts for α tuning. */
  validation: { mc: SteerChoiceItem[]; neutral: KnowledgeItem[] };
  /** The evaluation draw of `--seed`: undesirable and desirable items per attribute, neutral prompts. */
  eval: { mc: SteerChoiceItem[]; neutral: KnowledgeItem[] };
}

export interface SteerDemoSizes {
  /** Contrast pairs per attribute (the design: 300). */
  pairs: number;
  /** Undesirable-persona eval items per attribute; desirable ones are a third of it. */
  n: number;
  /** Neutral eval prompts. */
  neutral: number;
  /** Undesirable validation items per attribute, and as many neutral validation prompts. */
  validation: number;
}

export function steerDemoData(
  world: AtlasWorld,
  evalSeed: number,
  sizes: SteerDemoSizes,
): SteerDemoData {
  const statements = steerStatements(world, statementSeed, sizes.pairs);
  const train = {} as SteerDemoData["train"];
  const heldOut = {} as SteerDemoData["heldOut"];
  for (const attribute of steerAttributes) {
    const mine = statements.filter((s) => s.attribute === attribute);
    const positive = mine.filter((s) => s.label === 1).map((s) => s.text);
    const negative = mine.filter((s) => s.label === 0).map((s) => s.text);
    // pairs are adjacent and in the same order in both lists, so a cut keeps pairs together
    const cut = Math.max(1, Math.round(positive.length * (1 - heldOutShare)));
    train[attribute] = { positive: positive.slice(0, cut), negative: negative.slice(0, cut) };
    heldOut[attribute] = { positive: positive.slice(cut), negative: negative.slice(cut) };
  }
  const validationSeed = deriveSeed(evalSeed, "mat-steer-demo:validation");
  return {
    train,
    heldOut,
    validation: {
      mc: steerChoiceItems(world, validationSeed, {
        undesirable: sizes.validation,
        desirable: 0,
      }),
      neutral: neutralItems(world, validationSeed, sizes.validation),
    },
    eval: {
      mc: steerChoiceItems(world, evalSeed, {
        undesirable: sizes.n,
        desirable: Math.max(1, Math.round(sizes.n / 3)),
      }),
      neutral: neutralItems(world, evalSeed, sizes.neutral),
    },
  };
}
