import { contextDecode } from "../../methods/adacad/context-decode.ts";
import type { LanguageModel } from "../../model/language-model.ts";

/**
 * The greedy completion of `prompt`, at most `maxTokens` tokens: how every build check probes a
 * model. Goes through the model's stepwise decoder when it has one (llama.cpp's FFI path: a few
 * ms per short probe on these models, where a generate call costs ~0.1–0.3 s of per-call setup),
 * else through generate.
 */
export async function greedyCompletion(
  model: LanguageModel,
  prompt: string,
  maxTokens: number,
): Promise<string> {
  if (model.capabilities.decoder && model.decoder) {
    const r = await contextDecode(
      model,
      { contextPrompt: prompt, plainPrompt: prompt, maxTokens },
      { kind: "greedy" },
    );
    return r.text;
  }
  const r = await model.generate({ prompt, maxTokens, temperature: 0 });
  return r.generations[0]?.text ?? "";
}
