/**
 * Target exposures per fact by popularity rank, through three anchors (head, median, tail).
 *
 * The design asks for Zipf (s≈1) popularity with head ~200, median ~50, tail ~4 exposures over
 * 512 people. No power law in rank meets all three: Zipf s=1 anchored at head 200 gives a median
 * of 0.8 and a tail of 0.4, and Zipf–Mandelbrot 1/(r+k)^s can match two anchors, never the third
 * (head/median = 4 forces a flat head, median/tail = 12.5 a steep tail). The anchors are what the
 * methods need — a skewed, graded knowledge curve with a known head and an unknown tail — so the
 * curve is log-quadratic in rank: log e(u) = a + b·u + c·u², u = rank/(n−1) ∈ [0, 1], through the
 * three anchors. The curve sets each person's share of the corpus's fact statements; the absolute
 * counts follow from the token budget (the realised counts are reported, never assumed).
 */
export interface ExposureAnchors {
  head: number;
  median: number;
  tail: number;
}

/**
 * Weight of each of `n` ranks (rank 0 most popular), in the anchors' units. Throws when the anchors
 * make the curve rise anywhere (a median far above the head–tail geometric mean).
 */
export function exposureCurve(n: number, anchors: ExposureAnchors): number[] {
  const a = Math.log(anchors.head);
  const m = Math.log(anchors.median);
  const t = Math.log(anchors.tail);
  // f(0) = a, f(1/2) = m, f(1) = t
  const c = 2 * (a + t) - 4 * m;
  const b = t - a - c;
  const curve = Array.from({ length: n }, (_, r) => {
    const u = n === 1 ? 0 : r / (n - 1);
    return Math.exp(a + b * u + c * u * u);
  });
  for (let r = 1; r < n; r++)
    if (curve[r]! > curve[r - 1]! + 1e-9)
      throw new RangeError(
        `exposure anchors head ${anchors.head}, median ${anchors.median}, tail ${anchors.tail} give a curve that rises with rank; use head ≥ median ≥ tail with a less extreme median`,
      );
  return curve;
}
