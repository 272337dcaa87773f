import type { Internals } from "../../model/internals.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { requireCapability } from "../../model/require-capability.ts";
import type { LaserPolicy, SampleOptions } from "./policy.ts";

/**
 * The inference side of a LASeR policy on a loaded model (llama.cpp, with its adapters): raw-
 * prompt sampling, mean-pooled last-layer hidden states, teacher-forced log-likelihood. Best-of-n
 * and evaluation need only this; `TrainablePolicy` adds training on top.
 */
export class ServedPolicy implements Pick<LaserPolicy, "sample" | "pooledStates" | "meanLogProb"> {
  private readonly internals: Internals;

  constructor(readonly model: LanguageModel) {
    requireCapability(model, "internals");
    this.internals = model.internals!;
  }

  async sample(prompts: readonly string[], o: SampleOptions): Promise<string[][]> {
    const out: string[][] = [];
    for (const [i, prompt] of prompts.entries()) {
      const r = await this.model.generate({
        prompt,
        n: o.n,
        temperature: o.temperature,
        maxTokens: o.maxTokens,
        ...(o.stop ? { stop: [...o.stop] } : {}),
        seed: (o.seed + i * o.n) >>> 0,
      });
      out.push(r.generations.map((g) => g.text));
    }
    return out;
  }

  /** Last layer's residual stream averaged over the prompt's own tokens (no padding exists). */
  async pooledStates(prompts: readonly string[]): Promise<Float64Array[]> {
    const last = this.internals.nLayers - 1;
    const out: Float64Array[] = [];
    for (const prompt of prompts) {
      const h = await this.internals.captureHidden(prompt, {
        layers: [last],
        positions: "all",
        rawPrompt: true,
      });
      const rows = h.states.get(last)!;
      const mean = new Float64Array(h.nEmbd);
      for (const row of rows)
        for (let k = 0; k < mean.length; k++) mean[k]! += row[k]! / rows.length;
      out.push(mean);
    }
    return out;
  }

  async meanLogProb(prompt: string, completion: string): Promise<number> {
    if (completion === "") return 0;
    const r = await this.model.score!({ prompt, continuation: completion });
    return r.tokens.length > 0 ? r.total / r.tokens.length : 0;
  }
}
