/**
 * Context-aware combination in logit space: s = (1 + α)·z_c − α·z_n. AdaCAD uses the per-step
 * JSD as α, CAD a fixed α. Works equally on log-softmax values (the result shifts by a constant).
 * Writes into `out` when given (no allocation per step on a 49k vocabulary).
 */
export function contrastiveLogits(
  withContext: ArrayLike<number>,
  withoutContext: ArrayLike<number>,
  alpha: number,
  out: Float32Array = new Float32Array(withContext.length),
): Float32Array {
  if (withContext.length !== withoutContext.length) {
    throw new RangeError(
      `logit vectors differ in length (${withContext.length} vs ${withoutContext.length})`,
    );
  }
  const keep = 1 + alpha;
  for (let i = 0; i < withContext.length; i++) {
    out[i] = keep * withContext[i]! - alpha * withoutContext[i]!;
  }
  return out;
}

/**
 * AdaCAD's α for one step: the JSD raised to the floor (0 for QA, 0.3 for summaries in the
 * reference scripts; a constant lower bound at every step, not a warm-up schedule).
 */
export function flooredAlpha(jsd: number, alphaFloor: number): number {
  return Math.max(jsd, alphaFloor);
}
