import type { ResidualHook, Transformer } from "./transformer.ts";

/**
 * Greedy decoding with a KV cache: the prompt is evaluated once, then one token per step.
 * Stops at `maxTokens` or any of `stopTokens`; returns the new tokens only.
 */
export async function generateGreedy(
  model: Transformer,
  prompt: readonly number[],
  options: { maxTokens: number; stopTokens?: readonly number[]; hooks?: readonly ResidualHook[] },
): Promise<number[]> {
  const kv = model.newKvCache();
  const hooks = options.hooks ? { hooks: options.hooks } : {};
  let { logits } = await model.forward(prompt, { kv, lastOnly: true, ...hooks });
  const out: number[] = [];
  const stop = new Set(options.stopTokens ?? []);
  for (let i = 0; i < options.maxTokens; i++) {
    let best = 0;
    for (let v = 1; v < logits.length; v++) if (logits[v]! > logits[best]!) best = v;
    if (stop.has(best)) break;
    out.push(best);
    ({ logits } = await model.forward([best], { kv, lastOnly: true, ...hooks }));
  }
  return out;
}
