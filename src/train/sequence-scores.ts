import type { SeededRandom } from "../math/seeded-random.ts";
import type { TokenGrads, TokenScores } from "./losses.ts";
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

/** Scores of a batch of examples (in order) and, when training, ONE backward for all of them. */
export interface BatchScores {
  scores: SequenceScores[];
  /** `grads[i]` is dL/dscores of example i; accumulates every trainable parameter's gradient. */
  backward?: (grads: readonly TokenGrads[]) => Promise<void>;
}

export interface ScoreOptions {
  train?: boolean;
  rng?: SeededRandom;
  hooks?: readonly ResidualHook[];
}

function checkExample(e: TokenizedExample, i: number): void {
  if (!(Number.isInteger(e.start) && e.start >= 1 && e.start < e.tokens.length)) {
    throw new RangeError(
      `example ${i} has ${e.tokens.length} tokens and supervision starting at ${e.start}; it needs 1 ≤ start < length`,
    );
  }
}

/**
 * Teacher-forced scores of every example's completion in ONE packed forward over
 * tokens[0..T−2] of each (position t predicts tokens[t+1]; the head runs only on completion
 * positions). With `train`, keeps what the single `backward` needs: the caller bounds the
 * batch's rows (see `scoreAndBackprop`), since activations of all of them are held.
 */
export async function scoreSequences(
  model: Transformer,
  examples: readonly TokenizedExample[],
  options: ScoreOptions = {},
): Promise<BatchScores> {
  examples.forEach(checkExample);
  const targets: number[] = [];
  for (const { tokens, start } of examples)
    for (let t = start; t < tokens.length; t++) targets.push(tokens[t]!);
  const fwd = await model.scoreBatch(
    examples.map((e) => e.tokens.slice(0, -1)),
    examples.map((e) => e.start - 1),
    targets,
    {
      train: options.train ?? false,
      ...(options.rng ? { rng: options.rng } : {}),
      ...(options.hooks ? { hooks: options.hooks } : {}),
    },
  );
  const scores = examples.map((e, i): SequenceScores => {
    const o = fwd.logitOffsets[i]!;
    const n = e.tokens.length - e.start;
    const target = fwd.target.subarray(o, o + n);
    let sum = 0;
    for (const x of target) sum += x;
    return { target, meanAll: fwd.meanAll.subarray(o, o + n), sum };
  });
  if (!fwd.backward) return { scores };
  const back = fwd.backward;
  let used = false;
  const backward = async (grads: readonly TokenGrads[]): Promise<void> => {
    if (used) throw new Error("scoreSequences: this batch's backward already ran");
    used = true;
    const gTarget = new Float64Array(targets.length);
    const gMean = new Float64Array(targets.length);
    grads.forEach((g, i) => {
      gTarget.set(g.target, fwd.logitOffsets[i]!);
      gMean.set(g.mean, fwd.logitOffsets[i]!);
    });
    await back(gTarget, gMean);
  };
  return { scores, backward };
}

/**
 * Teacher-forced scores of one example (a batch of one `scoreSequences`), with a per-example
 * `backward` for callers that score sequences one at a time.
 */
export async function scoreSequence(
  model: Transformer,
  example: TokenizedExample,
  options: ScoreOptions = {},
): Promise<SequenceScores> {
  const batch = await scoreSequences(model, [example], options);
  const s = batch.scores[0]!;
  const back = batch.backward;
  if (back) s.backward = (g: TokenGrads) => back([g]);
  return s;
}

/** Gradient for a sequence-level loss: dL/dsum spread to every completion token. */
export function sumGrads(n: number, dSum: number): TokenGrads {
  return { target: new Float64Array(n).fill(dSum), mean: new Float64Array(n) };
}
