import type { SeededRandom } from "../math/seeded-random.ts";
import type { TokenGrads } from "./losses.ts";
import { type SequenceScores, scoreSequences, type TokenizedExample } from "./sequence-scores.ts";
import type { Transformer, TransformerConfig } from "./transformer.ts";

/** Activation memory a training forward may hold at once, by default (see `defaultMaxRows`). */
export const defaultActivationBytes = 1 << 30;

/**
 * Rows (tokens) per training forward that keep the activations under `bytes`: per row and layer
 * the backward keeps the norms' inputs and outputs, q/k/v, the attention output, the FFN's
 * gate/up/σ/activation (float32) and a row of attention probabilities per head.
 */
export function defaultMaxRows(
  c: TransformerConfig,
  maxLength: number,
  bytes = defaultActivationBytes,
): number {
  const perLayer =
    5 * c.nEmbd + 2 * (c.nHead + c.nHeadKv) * c.headDim + 4 * c.nFf + c.nHead * maxLength;
  const perRow = 4 * (c.nLayer * perLayer + 2 * c.vocabSize);
  return Math.max(1, Math.floor(bytes / perRow));
}

/** Splits examples, in order, into runs of at most `maxRows` forward rows (≥ 1 example each). */
export function chunkByRows(examples: readonly TokenizedExample[], maxRows: number): number[][] {
  const chunks: number[][] = [];
  let cur: number[] = [];
  let rows = 0;
  examples.forEach((e, i) => {
    const n = e.tokens.length - 1;
    if (cur.length > 0 && rows + n > maxRows) {
      chunks.push(cur);
      cur = [];
      rows = 0;
    }
    cur.push(i);
    rows += n;
  });
  if (cur.length > 0) chunks.push(cur);
  return chunks;
}

/**
 * Scores `examples` with the training forward, asks `loss` for dL/dscores, and runs the
 * backward: one forward and one backward when the batch fits in `maxRows`. Larger batches are
 * split in chunks of ≤ maxRows rows so memory stays bounded, at the price of running each
 * chunk's forward twice: a first pass collects every score (its activations dropped chunk by
 * chunk), the loss — which for DPO/NPO couples all sequences — gives every gradient, then each
 * chunk is re-run and back-propagated. Each chunk's dropout masks are replayed exactly by
 * restoring the RNG state it started from.
 */
export async function scoreAndBackprop<R extends { grads: readonly TokenGrads[] }>(
  model: Transformer,
  examples: readonly TokenizedExample[],
  rng: SeededRandom,
  loss: (scores: readonly SequenceScores[]) => R,
  maxRows?: number,
): Promise<R> {
  const maxLength = Math.max(...examples.map((e) => e.tokens.length - 1));
  const cap = maxRows ?? defaultMaxRows(model.config, maxLength);
  const chunks = chunkByRows(examples, cap);
  if (chunks.length === 1) {
    const batch = await scoreSequences(model, examples, { train: true, rng });
    const r = loss(batch.scores);
    await batch.backward!(r.grads);
    return r;
  }
  const starts: number[] = [];
  const scores: SequenceScores[] = [];
  for (const idx of chunks) {
    starts.push(rng.state);
    const batch = await scoreSequences(
      model,
      idx.map((i) => examples[i]!),
      { train: true, rng },
    );
    scores.push(...batch.scores);
  }
  const end = rng.state;
  const r = loss(scores);
  for (const [c, idx] of chunks.entries()) {
    rng.state = starts[c]!;
    const batch = await scoreSequences(
      model,
      idx.map((i) => examples[i]!),
      { train: true, rng },
    );
    await batch.backward!(idx.map((i) => r.grads[i]!));
  }
  rng.state = end;
  return r;
}
