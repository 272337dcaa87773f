import { UsageError } from "../../model/errors.ts";
import type { MoeFormat } from "./prompt-format.ts";

/** Symbolic-MoE settings (defaults from the official code), read from `--set key=value`. */
export interface MoeSettings {
  /** Experts per instance (sampled with replacement). */
  k: number;
  /** Annotator samples per question. */
  keywordSamples: number;
  keywordTemperature: number;
  keywordMaxTokens: number;
  /** Expert and aggregator sampling. */
  temperature: number;
  /** Expert/aggregator token limit; default per model: 32768 when its name contains "R1", else 4096. */
  maxTokens?: number;
  /** Global-competence temperature (power 1/τ). */
  tau: number;
  /** Keyword matcher: "lexical" (hashed trigrams, deterministic, default) or "model" (hidden states of the annotator). */
  embedder: "lexical" | "model";
  /** Optional rare-expert pruning threshold (official helper, unused by its main script); 0 = off. */
  prune: number;
  concurrency: number;
  /** Saved profiles (from `chorus moe profile`); when absent they are built from the validation split. */
  profiles?: string;
  /** Validation items used when building profiles on the fly. */
  validationLimit: number;
  validationSplit: string;
  /** Where to save profiles built on the fly. */
  saveProfiles?: string;
  /** Prompts: "chat" (the paper's instructions, default) or "completion" (`Q: … A:` for base models). */
  format: MoeFormat;
  /**
   * The aggregator: a pool model's name, or "majority" (vote over the experts' parsed answers, no
   * model). Unset: the model the aggregation benchmark chose (the paper's rule); when set, the
   * benchmark is skipped.
   */
  aggregator?: string;
}

/** The `aggregator` value that votes instead of asking a model. */
export const majorityAggregator = "majority";

const defaults: MoeSettings = {
  k: 3,
  keywordSamples: 5,
  keywordTemperature: 0.7,
  keywordMaxTokens: 4096,
  temperature: 0.7,
  tau: 0.5,
  embedder: "lexical",
  prune: 0,
  concurrency: 4,
  validationLimit: 50,
  validationSplit: "validation",
  format: "chat",
};

/** Validated settings from the option map. */
export function readMoeSettings(options: Readonly<Record<string, unknown>>): MoeSettings {
  const s: MoeSettings = { ...defaults };
  const ints = [
    "k",
    "keywordSamples",
    "keywordMaxTokens",
    "maxTokens",
    "concurrency",
    "validationLimit",
  ] as const;
  const nums = ["keywordTemperature", "temperature", "tau", "prune"] as const;
  for (const key of [...ints, ...nums]) {
    const v = options[key];
    if (v === undefined) continue;
    const n = Number(v);
    const integer = (ints as readonly string[]).includes(key);
    if (!Number.isFinite(n) || n < 0 || (integer && (!Number.isInteger(n) || n < 1)))
      throw new UsageError(
        `--set ${key}: expected a ${integer ? "positive integer" : "non-negative number"}, got "${String(v)}"`,
      );
    (s as unknown as Record<string, number>)[key] = n;
  }
  if (s.tau <= 0) throw new UsageError("--set tau: must be above 0");
  const embedder = options["embedder"];
  if (embedder !== undefined) {
    if (embedder !== "lexical" && embedder !== "model")
      throw new UsageError(`--set embedder: expected lexical or model, got "${String(embedder)}"`);
    s.embedder = embedder;
  }
  const format = options["format"];
  if (format !== undefined) {
    if (format !== "chat" && format !== "completion")
      throw new UsageError(`--set format: expected chat or completion, got "${String(format)}"`);
    s.format = format;
  }
  for (const key of ["profiles", "saveProfiles", "validationSplit", "aggregator"] as const)
    if (options[key] !== undefined) s[key] = String(options[key]);
  return s;
}

/** The token limit for one model: the explicit setting, else the official per-model default. */
export function maxTokensFor(settings: MoeSettings, modelName: string): number {
  return settings.maxTokens ?? (/r1/i.test(modelName) ? 32768 : 4096);
}
