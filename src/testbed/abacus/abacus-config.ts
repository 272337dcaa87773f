import { ConfigError } from "../../model/errors.ts";
import { type AbacusSkill, abacusSkills } from "./abacus-skills.ts";
import { type ChainShape, defaultChainShape } from "./chain-skill.ts";
import { type Working, workings } from "./column-working.ts";
import { type Notation, notations } from "./digits.ts";

/** Everything that shapes the Abacus corpus. */
export interface AbacusConfig {
  seed: number;
  /** Corpus size in words (= tokens: digits are words of their own). */
  tokens: number;
  /** Share of the corpus's tokens per skill (sums to 1). */
  mix: Record<AbacusSkill, number>;
  /** A document is tasks joined until it has at least this many words. */
  documentWords: number;
  /** Size ranges of chain tasks (difficulty = steps × digits × (distractors + 1)). */
  chain: ChainShape;
  /** How numbers of 2+ digits are written everywhere: questions, working and answers. */
  notation: Notation;
  /** How add, sub and chain steps are answered: the result alone, or worked column by column first. */
  working: Working;
}

export const defaultAbacusConfig: AbacusConfig = {
  seed: 7,
  tokens: 12_000_000,
  mix: {
    add: 0.1,
    sub: 0.1,
    max: 0.075,
    sort: 0.075,
    reverse: 0.075,
    count: 0.075,
    chain: 0.25,
    prog: 0.25,
  },
  documentWords: 48,
  chain: defaultChainShape,
  notation: "msb-first",
  working: "none",
};

/** Named variants over the default. */
export const abacusVariants: Record<string, { about: string; config: Partial<AbacusConfig> }> = {
  smoke: { about: "300k tokens: the build path at test scale", config: { tokens: 300_000 } },
  "magicore-null": {
    about: "MAgICoRe's null: no hard problems (chains of 2 steps, 2 digits, no distractors)",
    config: { chain: { steps: [2, 2], digits: [2, 2], distractors: [0, 0] } },
  },
  "lsb-first": {
    about: "every number of 2+ digits written least significant digit first (418 is `8 1 4`)",
    config: { notation: "lsb-first" },
  },
  columns: {
    about:
      "add, sub and chain steps worked column by column, least significant first, before the answer",
    config: { working: "columns" },
  },
};

/** The default config with `overrides`, validated (one ConfigError naming the field). */
export function abacusConfig(overrides: Partial<AbacusConfig> = {}): AbacusConfig {
  const config = { ...defaultAbacusConfig, ...overrides };
  for (const field of ["seed", "tokens", "documentWords"] as const) {
    const v = config[field];
    const min = field === "seed" ? 0 : 1;
    if (!Number.isInteger(v) || v < min)
      throw new ConfigError(`abacus ${field} must be an integer ≥ ${min}, got ${v}`, field);
  }
  const shares = abacusSkills.map((s) => config.mix[s]);
  if (shares.some((s) => typeof s !== "number" || !(s >= 0)))
    throw new ConfigError(
      `abacus mix needs a share ≥ 0 for each of ${abacusSkills.join(", ")}`,
      "mix",
    );
  for (const [field, min, max] of [
    ["steps", 1, 20],
    ["digits", 1, 3],
    ["distractors", 0, 20],
  ] as const) {
    const [low, high] = config.chain?.[field] ?? [];
    if (
      !Number.isInteger(low) ||
      !Number.isInteger(high) ||
      low! < min ||
      high! > max ||
      low! > high!
    )
      throw new ConfigError(
        `abacus chain.${field} must be [low, high] integers with ${min} ≤ low ≤ high ≤ ${max}, got ${JSON.stringify(config.chain?.[field])}`,
        "chain",
      );
  }
  if (config.chain.steps[1] + config.chain.distractors[1] > 22)
    throw new ConfigError(
      "abacus chain steps + distractors must be ≤ 22 (one letter each)",
      "chain",
    );
  if (!(notations as readonly unknown[]).includes(config.notation))
    throw new ConfigError(
      `abacus notation must be one of ${notations.join(", ")}, got ${JSON.stringify(config.notation)}`,
      "notation",
    );
  if (!(workings as readonly unknown[]).includes(config.working))
    throw new ConfigError(
      `abacus working must be one of ${workings.join(", ")}, got ${JSON.stringify(config.working)}`,
      "working",
    );
  const total = shares.reduce((a, b) => a + b, 0);
  if (Math.abs(total - 1) > 1e-6)
    throw new ConfigError(`abacus mix shares must sum to 1, got ${total}`, "mix");
  return config;
}
