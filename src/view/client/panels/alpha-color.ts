/**
 * One sequential scale for α in [0, 1]: pale yellow (trust the plain model) to deep blue (trust
 * the context). Perceptually ordered light → dark, readable for common colour-vision deficiencies.
 */
const stops: Array<[number, number, number]> = [
  [255, 252, 220],
  [161, 218, 180],
  [65, 182, 196],
  [34, 94, 168],
  [12, 44, 132],
];

export function alphaColor(alpha: number): string {
  const t = Math.max(0, Math.min(1, alpha)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(t));
  const f = t - i;
  const [a, b] = [stops[i]!, stops[i + 1]!];
  const mix = (k: 0 | 1 | 2) => Math.round(a[k] + (b[k] - a[k]) * f);
  return `rgb(${mix(0)}, ${mix(1)}, ${mix(2)})`;
}

/** Dark text on light cells, light on dark. */
export const alphaTextColor = (alpha: number) => (alpha > 0.55 ? "#fff" : "#111");
