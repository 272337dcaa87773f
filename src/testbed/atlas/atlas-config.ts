import { ConfigError } from "../../model/errors.ts";
import type { ExposureAnchors } from "./exposure-curve.ts";

/** Atlas's document types. */
export const atlasDocumentTypes = ["bio", "qa", "reading", "persona", "dialogue"] as const;
export type AtlasDocumentType = (typeof atlasDocumentTypes)[number];

/** Everything that shapes an Atlas world and its corpus; one object, so a build records it whole. */
export interface AtlasConfig {
  /** World seed: people, facts, speakers and the corpus all follow from it. */
  seed: number;
  /** People the corpus is about (each has 6 facts). */
  people: number;
  /** People who appear only in reading contexts, with fresh random values each time. */
  unseenPeople: number;
  /** Persona speakers (traits are balanced over the 8 trait combinations). */
  speakers: number;
  /** Corpus size in words (= tokens under the word-level tokenizer). */
  tokens: number;
  /** Share of the corpus's tokens per document type (sums to 1). */
  mix: Record<AtlasDocumentType, number>;
  /** Popularity curve over people: relative exposures at the head, median and tail rank. */
  exposures: ExposureAnchors;
  /** Share of reading documents whose asked fact's context value differs from the world (c). */
  readingConflictRate: number;
  /** Share of reading documents about unseen people (context-only). */
  readingUnseenRate: number;
  /** Share of dialogues that open with a [stubborn] or [agreeable] tag fixing the reply. */
  dialogueTagRate: number;
  /**
   * "latent": each speaker's three traits hold for the whole document (the persona a model can
   * infer). "per-sentence": every sentence draws its traits afresh (MAT-Steer's null world).
   */
  personaTraits: "latent" | "per-sentence";
  /**
   * "fixed": each person's facts hold in every document (what a model can memorise).
   * "per-document": every document draws the facts of the people it mentions afresh, so nothing
   * about a known person is stable across the corpus (PBT's null world: a model that memorised no
   * facts, with the same document formats).
   */
  facts: "fixed" | "per-document";
}

/** The design's world (docs/testbed.md): 512 + 64 people, 24 speakers, 8M tokens, c = 10%. */
export const defaultAtlasConfig: AtlasConfig = {
  seed: 7,
  people: 512,
  unseenPeople: 64,
  speakers: 24,
  tokens: 8_000_000,
  mix: { bio: 0.25, qa: 0.25, reading: 0.3, persona: 0.1, dialogue: 0.1 },
  exposures: { head: 200, median: 50, tail: 4 },
  readingConflictRate: 0.1,
  readingUnseenRate: 0.1,
  dialogueTagRate: 0.3,
  personaTraits: "latent",
  facts: "fixed",
};

/**
 * Named variants: a smoke world for tests, and the null worlds in which a method's mechanism has
 * nothing to exploit (design §4), each as a switch over the default.
 */
export const atlasVariants: Record<string, { about: string; config: Partial<AtlasConfig> }> = {
  smoke: {
    about: "64 people, 8 unseen, 300k tokens: the build path at test scale",
    config: { people: 64, unseenPeople: 8, tokens: 300_000 },
  },
  "adacad-null": {
    about: "AdaCAD's null: reading contexts disagree with the world in 50% of documents (c = 0.5)",
    config: { readingConflictRate: 0.5 },
  },
  "mat-steer-null": {
    about: "MAT-Steer's null: persona traits drawn i.i.d. per sentence (no latent persona)",
    config: { personaTraits: "per-sentence" },
  },
  "pbt-null": {
    about: "PBT's null: each document draws every person's facts afresh (nothing to memorise)",
    config: { facts: "per-document" },
  },
  "conflict-0": {
    about: "AdaCAD ablation: reading contexts always agree with the world (c = 0)",
    config: { readingConflictRate: 0 },
  },
  "conflict-30": {
    about: "AdaCAD ablation: c = 0.3",
    config: { readingConflictRate: 0.3 },
  },
};

/** The default config with `overrides`, validated: one ConfigError naming the field and the fix. */
export function atlasConfig(overrides: Partial<AtlasConfig> = {}): AtlasConfig {
  const config: AtlasConfig = { ...defaultAtlasConfig, ...overrides };
  const int = (field: keyof AtlasConfig, min: number) => {
    const v = config[field];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min)
      throw new ConfigError(`atlas ${field} must be an integer ≥ ${min}, got ${String(v)}`, field);
  };
  const rate = (field: keyof AtlasConfig) => {
    const v = config[field];
    if (typeof v !== "number" || !(v >= 0 && v <= 1))
      throw new ConfigError(`atlas ${field} must be a number in [0, 1], got ${String(v)}`, field);
  };
  int("seed", 0);
  int("people", 2);
  int("unseenPeople", 1);
  int("speakers", 8);
  int("tokens", 1);
  rate("readingConflictRate");
  rate("readingUnseenRate");
  rate("dialogueTagRate");
  if (config.personaTraits !== "latent" && config.personaTraits !== "per-sentence")
    throw new ConfigError(
      `atlas personaTraits must be "latent" or "per-sentence", got ${String(config.personaTraits)}`,
      "personaTraits",
    );
  if (config.facts !== "fixed" && config.facts !== "per-document")
    throw new ConfigError(
      `atlas facts must be "fixed" or "per-document", got ${String(config.facts)}`,
      "facts",
    );
  const shares = atlasDocumentTypes.map((t) => config.mix[t]);
  if (shares.some((s) => typeof s !== "number" || !(s >= 0)))
    throw new ConfigError(
      `atlas mix needs a share ≥ 0 for each of ${atlasDocumentTypes.join(", ")}`,
      "mix",
    );
  const total = shares.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) > 1e-6)
    throw new ConfigError(`atlas mix shares must sum to 1, got ${total}`, "mix");
  const { head, median, tail } = config.exposures;
  if (!(head >= median && median >= tail && tail > 0))
    throw new ConfigError(
      `atlas exposures need head ≥ median ≥ tail > 0, got ${head}/${median}/${tail}`,
      "exposures",
    );
  return config;
}
