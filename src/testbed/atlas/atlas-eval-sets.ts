import { adacadItems } from "./adacad-items.ts";
import type { AtlasWorld } from "./atlas-world.ts";
import { knowledgeItems, neutralItems, readingItems } from "./knowledge-items.ts";
import { steerChoiceItems, steerStatements } from "./steer-items.ts";

/** Every Atlas eval set by name: what it is for, and how to draw it (`n` scales its size). */
export const atlasEvalSets: Record<
  string,
  {
    about: string;
    /** Whether `n` sets its size (the knowledge probe is every fact, once). */
    sized: boolean;
    draw: (world: AtlasWorld, evalSeed: number, n?: number) => object[];
  }
> = {
  adacad: {
    about:
      "AdaCAD: conflict, agreeing and context-only items (n = items per set; default 500/500/300)",
    sized: true,
    draw: (w, seed, n) =>
      adacadItems(w, seed, n ? { conflict: n, agreeing: n, contextOnly: n } : undefined),
  },
  knowledge: {
    about: "closed-book probe of every known fact in the held-out template (the knowledge curve)",
    sized: false,
    draw: (w) => knowledgeItems(w),
  },
  reading: {
    about: "reading accuracy: corpus-like contexts asked in the held-out template (default 500)",
    sized: true,
    draw: (w, seed, n) => readingItems(w, seed, n),
  },
  "steer-statements": {
    about:
      "MAT-Steer training statements {attribute, text, label} (n pairs per attribute; default 300)",
    sized: true,
    draw: (w, seed, n) => steerStatements(w, seed, n),
  },
  "steer-mc": {
    about:
      "MAT-Steer MC items: undesirable-persona prompts (default 500/attribute) and desirable ones (167/attribute)",
    sized: true,
    draw: (w, seed, n) =>
      steerChoiceItems(w, seed, n ? { undesirable: n, desirable: Math.ceil(n / 3) } : undefined),
  },
  "steer-neutral": {
    about: "MAT-Steer neutral QA prompts for side effects (default 500)",
    sized: true,
    draw: (w, seed, n) => neutralItems(w, seed, n),
  },
};
