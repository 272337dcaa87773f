import type { Arr } from "./array.ts";
import type { KvCache, ResidualHook, Transformer } from "./transformer.ts";

/** What greedy decoding stops at, and hooks on every pass. */
export interface GreedyOptions {
  maxTokens: number;
  stopTokens?: readonly number[];
  hooks?: readonly ResidualHook[];
}

/** The first highest of the `V` logits from `offset`: both decoders break ties the same way. */
function argmax(logits: Arr, offset: number, V: number): number {
  let best = 0;
  for (let v = 1; v < V; v++) if (logits[offset + v]! > logits[offset + best]!) best = v;
  return best;
}

/**
 * Greedy decoding with a KV cache: the prompt is evaluated once, then one token per step.
 * Stops at `maxTokens` or any of `stopTokens`; returns the new tokens only.
 */
export async function generateGreedy(
  model: Transformer,
  prompt: readonly number[],
  options: GreedyOptions,
): Promise<number[]> {
  const kv = model.newKvCache();
  const hooks = options.hooks ? { hooks: options.hooks } : {};
  let { logits } = await model.forward(prompt, { kv, lastOnly: true, ...hooks });
  const out: number[] = [];
  const stop = new Set(options.stopTokens ?? []);
  for (let i = 0; i < options.maxTokens; i++) {
    const best = argmax(logits, 0, logits.length);
    if (stop.has(best)) break;
    out.push(best);
    ({ logits } = await model.forward([best], { kv, lastOnly: true, ...hooks }));
  }
  return out;
}

/** A prompt being decoded: its index, its own KV cache and the tokens of its next pass. */
interface Row {
  index: number;
  kv: KvCache;
  input: readonly number[];
}

/**
 * `generateGreedy` of every prompt, decoded together: up to `batchSize` (default 32) prompts
 * at a time, each with its own KV cache, one `forwardBatch` per step over all of them, so every
 * linear is one product over the batch's rows instead of one per prompt. A prompt that stops
 * frees its place for the next one (continuous batching), so a long answer does not hold the
 * others back. Each row computes what `generateGreedy` computes for it; only the products'
 * kernels may differ (onnxruntime above the size threshold, TypeScript below), which can move
 * a logit in its last float32 bits.
 */
export async function generateGreedyBatch(
  model: Transformer,
  prompts: readonly (readonly number[])[],
  options: GreedyOptions & { batchSize?: number },
): Promise<number[][]> {
  const V = model.config.vocabSize;
  const stop = new Set(options.stopTokens ?? []);
  const width = Math.max(1, options.batchSize ?? 32);
  const hooks = options.hooks ? { hooks: options.hooks } : {};
  const outs: number[][] = prompts.map(() => []);
  let next = 0;
  let decoding: Row[] = [];
  while (next < prompts.length || decoding.length > 0) {
    const admitted: Row[] = [];
    while (next < prompts.length && decoding.length + admitted.length < width) {
      admitted.push({ index: next, kv: model.newKvCache(), input: prompts[next]! });
      next++;
    }
    // New prompts run in a pass of their own: in one pass with the one-token rows, attention
    // would pad every row to the longest prompt.
    const still: Row[] = [];
    for (const rows of [admitted, decoding]) {
      if (rows.length === 0) continue;
      const { logits, logitOffsets } = await model.forwardBatch(
        rows.map((r) => r.input),
        { kv: rows.map((r) => r.kv), logitsFrom: rows.map((r) => r.input.length - 1), ...hooks },
      );
      for (const [b, row] of rows.entries()) {
        const out = outs[row.index]!;
        if (out.length >= options.maxTokens) continue;
        const best = argmax(logits, logitOffsets[b]! * V, V);
        if (stop.has(best)) continue;
        out.push(best);
        if (out.length < options.maxTokens) still.push({ ...row, input: [best] });
      }
    }
    decoding = still;
  }
  return outs;
}

/**
 * Greedy outputs of `prompts` with the decoder a caller chose: `batchSize` 1 decodes them one at
 * a time (`generateGreedy`), more decodes them together (`generateGreedyBatch`). The batched
 * products may round differently in the last float32 bits, which could flip a near-tie, so callers
 * that measure keep the choice in their records.
 */
export async function generateGreedyEach(
  model: Transformer,
  prompts: readonly (readonly number[])[],
  options: GreedyOptions & { batchSize: number },
): Promise<number[][]> {
  const { batchSize, ...greedy } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`the evaluation batch must be a whole number ≥ 1; got ${batchSize}`);
  if (batchSize > 1) return generateGreedyBatch(model, prompts, options);
  const outputs: number[][] = [];
  for (const prompt of prompts) outputs.push(await generateGreedy(model, prompt, greedy));
  return outputs;
}
