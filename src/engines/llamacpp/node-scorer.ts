import type { LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import type { TokenLogprob } from "../../model/language-model.ts";

/**
 * Teacher-forced log-probs through node-llama-cpp's `controlledEvaluate` with full probability
 * maps: the fallback where the FFI layer is unavailable (GPU builds, other platforms). 2-2.5x
 * slower than raw logits, and probabilities below float32's range come back as -Infinity.
 */
export async function scoreTokensWithNode(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  prompt: readonly number[],
  continuation: readonly number[],
  topLogprobs: number,
): Promise<TokenLogprob[]> {
  if (continuation.length === 0) return [];
  await sequence.clearHistory();
  const full = [...prompt, ...continuation] as Token[];
  const first = prompt.length - 1;
  const input = full.map((token, i) =>
    i >= first && i < full.length - 1
      ? ([token, { generateNext: { probabilities: true } }] as [
          Token,
          { generateNext: { probabilities: true } },
        ])
      : token,
  );
  const outputs = await sequence.controlledEvaluate(input);
  await sequence.clearHistory();
  // With the previous token as context, SPM pieces keep their leading space.
  const text = (t: number, previous: Token) => model.detokenize([t as Token], true, [previous]);
  return continuation.map((token, j) => {
    const previous = full[first + j]!;
    const probabilities = outputs[first + j]?.next.probabilities ?? new Map<Token, number>();
    const top = [...probabilities.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topLogprobs)
      .map(([t, p]) => ({ token: text(t, previous), logprob: Math.log(p) }));
    return {
      token: text(token, previous),
      logprob: Math.log(probabilities.get(token as Token) ?? 0),
      top,
    };
  });
}
