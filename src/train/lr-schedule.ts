/** Learning-rate schedule: linear warmup, then cosine, linear or constant decay. */
export interface LrSchedule {
  lr: number;
  totalSteps: number;
  warmupSteps?: number;
  kind?: "cosine" | "linear" | "constant";
  /** Final learning rate as a fraction of `lr` (default 0, as HF's schedules). */
  minLrRatio?: number;
}

/**
 * Learning rate for optimizer step `step` (0-based): HF's get_*_schedule_with_warmup shapes,
 * except that warmup starts at lr/(warmup+1) rather than 0 (a zero first step is wasted work).
 */
export function learningRate(s: LrSchedule, step: number): number {
  const warm = s.warmupSteps ?? 0;
  if (step < warm) return (s.lr * (step + 1)) / (warm + 1);
  const kind = s.kind ?? "cosine";
  if (kind === "constant") return s.lr;
  const span = Math.max(1, s.totalSteps - warm);
  const progress = Math.min(1, (step - warm) / span);
  const floor = s.minLrRatio ?? 0;
  const shape = kind === "cosine" ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
  return s.lr * (floor + (1 - floor) * shape);
}
