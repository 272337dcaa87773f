/** One training batch as the run folder records it (`results.jsonl`, one line per batch). */
export interface BatchRecord {
  iteration: number;
  /** Batch position within the iteration. */
  batch: number;
  /** The batch's family (most common item family, "mixed" on a tie). */
  family: string;
  strategy: string;
  /** Reward models called for this batch (one, except for the ensemble). */
  arms: string[];
  /** The bandit's (or baseline's) single choice; null for the ensemble. */
  chosen: string | null;
  /** LinUCB's upper confidence bound per arm at the choice (laser only). */
  ucb?: number[];
  responses: number;
  pairs: number;
  /** Mean DPO+NLL loss of the batch's update; null when no pair (every score tied). */
  loss: number | null;
  /** The bandit reward: −loss raw, and as scaled into b (laser only). */
  reward: number | null;
  scaledReward?: number;
}

/** How often each arm was chosen, per batch family, over all and over the late batches. */
export interface SelectionSummary {
  /** family → arm → batches choosing it. */
  all: Record<string, Record<string, number>>;
  late: Record<string, Record<string, number>>;
  /** family → arm chosen most in late batches and its share of them. */
  lateChoice: Record<string, { arm: string; share: number; batches: number }>;
  /** Batches counted as late: the last `lateFraction` of the run's batches. */
  lateFrom: number;
}

const count = (into: Record<string, Record<string, number>>, family: string, arm: string) => {
  const f = into[family] ?? {};
  f[arm] = (f[arm] ?? 0) + 1;
  into[family] = f;
};

/**
 * The selection history summed up: per family, the arms chosen in all batches and in the late
 * ones (the spec's acceptance reads late batches: ≥ 80% choose the reliable RM).
 */
export function summariseSelection(
  records: readonly BatchRecord[],
  lateFraction: number,
): SelectionSummary {
  const lateFrom = Math.floor(records.length * (1 - lateFraction));
  const all: SelectionSummary["all"] = {};
  const late: SelectionSummary["late"] = {};
  for (const [i, r] of records.entries()) {
    const arm = r.chosen ?? "ensemble";
    count(all, r.family, arm);
    if (i >= lateFrom) count(late, r.family, arm);
  }
  const lateChoice: SelectionSummary["lateChoice"] = {};
  for (const [family, arms] of Object.entries(late)) {
    const batches = Object.values(arms).reduce((a, b) => a + b, 0);
    const [arm, n] = Object.entries(arms).sort((a, b) => b[1] - a[1])[0]!;
    lateChoice[family] = { arm, share: n / batches, batches };
  }
  return { all, late, lateChoice, lateFrom };
}

/** The selection history as CSV (one row per batch) for plots: arm chosen per batch and family. */
export function selectionCsv(records: readonly BatchRecord[]): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const rows = records.map((r, i) =>
    [
      i,
      r.iteration,
      r.batch,
      q(r.family),
      q(r.chosen ?? "ensemble"),
      r.pairs,
      r.loss ?? "",
      r.reward ?? "",
      r.scaledReward ?? "",
    ].join(","),
  );
  return `index,iteration,batch,family,arm,pairs,loss,reward,scaled_reward\n${rows.join("\n")}\n`;
}
