/**
 * What the demos that train role adapters live and evaluate them through `runEval` share
 * (MAgICoRe, UTGen + UTDebug, MAMM-Refine): their run options and how they load models.
 */
import type { ModelConfig } from "../../runtime/config.ts";
import type { Run } from "../../runtime/run.ts";

export interface LiveDemoOptions {
  evalSeed: number;
  run: Run;
  /** llama.cpp threads per context. */
  threads: number;
  /**
   * Calls or items in flight at once (default 2: a 2-core box's two llama.cpp contexts). Every
   * call's seed comes from its item, and models load with `liveDemoModel`, so results do not
   * depend on it.
   */
  concurrency?: number;
  onStage?: (line: string) => void;
}

/**
 * A llama.cpp model entry (base GGUF, optional LoRA adapter) that evaluates every prompt from an
 * empty KV cache: with calls in flight side by side, a reused prefix would make a seeded sample
 * depend on which context served the previous call, i.e. on timing (docs/engines-llamacpp.md).
 */
export function liveDemoModel(file: string, threads: number, adapter?: string): ModelConfig {
  return {
    engine: "llamacpp",
    file,
    threads,
    reusePrefix: false,
    ...(adapter ? { lora: [{ path: adapter }] } : {}),
  };
}
