import type { SeededRandom } from "../math/seeded-random.ts";
import type { TokenGrads, TokenScores } from "./losses.ts";
import { tokenLogProbs, tokenLogProbsBackward } from "./token-logprobs.ts";
import type { ResidualHook, Transformer } from "./transformer.ts";

/** A tokenized training sequence: `tokens[start..]` are supervised (the completion). */
export interface TokenizedExample {
  tokens: readonly number[];
  /** Index of the first supervised token (≥ 1: a token needs a context to be predicted). */
  start: number;
}

/** Per-token scores of a sequence's completion, their sum, and (when training) a backward. */
export interface SequenceScores extends TokenScores {
  target: Float64Array;
  meanAll: Float64Array;
  /** Σ log p(y_k) over the completion: the sequence log-probability DPO and NPO use. */
  sum: number;
  /** Pushes dL/dscores back through the model into the trainable parameters' gradients. */
  backward?: (grads: TokenGrads) => Promise<void>;
}

/**
 * Teacher-forced scores of `example`'s completion: one forward over tokens[0..T−2], where
 * position t predicts tokens[t+1] (the head runs only on completion positions). With `train`,
 * keeps what `backward` needs.
 */
export async function scoreSequence(
  model: Transformer,
  example: TokenizedExample,
  options: { train?: boolean; rng?: SeededRandom; hooks?: readonly ResidualHook[] } = {},
): Promise<SequenceScores> {
  const { tokens, start } = example;
  if (!(start >= 1 && start < tokens.length)) {
    throw new RangeError(
      `example has ${tokens.length} tokens and supervision starting at ${start}; it needs 1 ≤ start < length`,
    );
  }
  const input = tokens.slice(0, -1);
  const first = start - 1;
  // Logits only where a supervised token is predicted (positions first..T−2).
  const targets = input.slice(first).map((_, i) => tokens[first + i + 1]!);
  const V = model.config.vocabSize;
  const fwd = await model.forward(input, {
    logitsFrom: first,
    train: options.train ?? false,
    ...(options.rng ? { rng: options.rng } : {}),
    ...(options.hooks ? { hooks: options.hooks } : {}),
  });
  const lp = tokenLogProbs(fwd.logits, V, targets, fwd.backward !== undefined);
  const target = lp.target;
  const meanAll = lp.meanAll;
  let sum = 0;
  for (const x of target) sum += x;
  const result: SequenceScores = { target, meanAll, sum };
  if (fwd.backward) {
    const back = fwd.backward;
    result.backward = async (g: TokenGrads) => {
      await back(tokenLogProbsBackward(fwd.logits, V, targets, g.target, g.mean));
    };
  }
  return result;
}

/** Gradient for a sequence-level loss: dL/dsum spread to every completion token. */
export function sumGrads(n: number, dSum: number): TokenGrads {
  return { target: new Float64Array(n).fill(dSum), mean: new Float64Array(n) };
}
