import { UsageError } from "../model/errors.ts";
import type { EvalMethod } from "./eval-method.ts";

/** A registered method: listed without loading its code. */
export interface EvalMethodEntry {
  name: string;
  description: string;
  load(): Promise<EvalMethod>;
}

/**
 * Every method `chorus eval` can run, loaded lazily (so this layer does not pull method code in
 * at import time). Add yours as ONE entry (one line per method keeps concurrent edits apart):
 *   { name, description, load: async () => (await import("../methods/<m>/<file>.ts")).<export> },
 */
// biome-ignore format: one line per method keeps concurrent additions apart
export const evalMethods: readonly EvalMethodEntry[] = [
  { name: "cot", description: "single chain-of-thought sample (greedy)", load: async () => (await import("../methods/magicore/baselines.ts")).cotMethod },
  { name: "self-consistency", description: "majority vote over k sampled solutions", load: async () => (await import("../methods/magicore/baselines.ts")).selfConsistencyMethod },
  { name: "best-of-k", description: "the k-sample solution with the highest reward (ORM + PRM product)", load: async () => (await import("../methods/magicore/baselines.ts")).bestOfKMethod },
  { name: "rm-vote", description: "reward-weighted vote over k samples (weights ORM + PRM product)", load: async () => (await import("../methods/magicore/baselines.ts")).rmVoteMethod },
  { name: "self-refine", description: "Self-Refine: one solution, self-feedback and refinement rounds", load: async () => (await import("../methods/magicore/baselines.ts")).selfRefineMethod },
  { name: "magicore", description: "MAgICoRe: easy/hard triage, reviewer + refiner with PRM-scored steps", load: async () => (await import("../methods/magicore/eval-method.ts")).magicoreMethod },
  { name: "adacad", description: "AdaCAD: context-aware decoding with a per-token JSD weight (CAD, greedy via --set decoding=)", load: async () => (await import("../methods/adacad/eval-method.ts")).adacadMethod },
  { name: "utdebug", description: "UTDebug: debug code with generated failing unit tests (SC outputs, back-tracking)", load: async () => (await import("../methods/utgen/utdebug-eval.ts")).utdebugMethod },
  { name: "utdebug-random", description: "UTDebug baseline: randomly sampled unit tests", load: async () => (await import("../methods/utgen/utdebug-eval.ts")).utdebugRandomMethod },
  { name: "utdebug-example", description: "UTDebug baseline: the prompt's example tests", load: async () => (await import("../methods/utgen/utdebug-eval.ts")).utdebugExampleMethod },
  { name: "self-debug", description: "no-UT baseline: the model reviews and fixes its code without running it", load: async () => (await import("../methods/utgen/utdebug-eval.ts")).selfDebugMethod },
  { name: "symbolic-moe", description: "Symbolic-MoE: skill-based expert recruitment, batched experts, aggregator", load: async () => (await import("../methods/symbolic-moe/eval-method.ts")).symbolicMoeMethod },
  { name: "moe-best-single", description: "Symbolic-MoE baseline: the best single model on the validation profiles", load: async () => (await import("../methods/symbolic-moe/baselines.ts")).bestSingleMethod },
  { name: "moe-best-single-k", description: "Symbolic-MoE baseline: the best single model sampled k times + the aggregator", load: async () => (await import("../methods/symbolic-moe/baselines.ts")).bestSingleKMethod },
  { name: "moe-random-k", description: "Symbolic-MoE baseline: k random experts + the aggregator", load: async () => (await import("../methods/symbolic-moe/baselines.ts")).randomKMethod },
  { name: "moa-all", description: "Mixture-of-Agents style: every pool model answers, the aggregator synthesises", load: async () => (await import("../methods/symbolic-moe/baselines.ts")).moaAllMethod },
  { name: "mamm-refine", description: "MAMM-Refine: multi-agent multi-model detect, critique, refine (rerank debates); scored by faithfulness", load: async () => (await import("../methods/mamm-refine/eval-method.ts")).mammRefineMethod },
  { name: "dcr", description: "MAMM-Refine baseline: single-agent detect, critique, refine (DCR; no debate, no rerank)", load: async () => (await import("../methods/mamm-refine/eval-method.ts")).dcrMethod },
  { name: "no-refine", description: "MAMM-Refine baseline: the summary as given, scored by the same faithfulness judge", load: async () => (await import("../methods/mamm-refine/eval-method.ts")).noRefineMethod },
];

/**
 * The method named `name`, loaded.
 * @throws UsageError listing the known methods.
 */
export async function loadEvalMethod(name: string): Promise<EvalMethod> {
  const entry = evalMethods.find((m) => m.name === name);
  if (!entry)
    throw new UsageError(
      `unknown eval method "${name}"; methods: ${evalMethods.map((m) => m.name).join(", ")}`,
    );
  return entry.load();
}
