import { dot, norm } from "./steerer.ts";

/** L_ortho = Σ_{i<j} cos(θ_i, θ_j)², and its gradient with respect to every θ. */
export function orthogonalityLoss(thetas: readonly Float64Array[]): {
  value: number;
  gradients: Float64Array[];
} {
  const norms = thetas.map((t) => norm(t));
  const gradients = thetas.map((t) => new Float64Array(t.length));
  let value = 0;
  for (let i = 0; i < thetas.length; i++) {
    for (let j = i + 1; j < thetas.length; j++) {
      const a = thetas[i]!;
      const b = thetas[j]!;
      const na = norms[i]!;
      const nb = norms[j]!;
      const cos = dot(a, b) / (na * nb);
      value += cos * cos;
      // d cos/d a = b/(|a||b|) − cos·a/|a|²; the loss contributes 2·cos times that
      const ga = gradients[i]!;
      const gb = gradients[j]!;
      for (let d = 0; d < a.length; d++) {
        ga[d]! += 2 * cos * (b[d]! / (na * nb) - (cos * a[d]!) / (na * na));
        gb[d]! += 2 * cos * (a[d]! / (na * nb) - (cos * b[d]!) / (nb * nb));
      }
    }
  }
  return { value, gradients };
}
