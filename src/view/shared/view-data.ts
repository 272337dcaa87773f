import type { TrainingView } from "./training-data.ts";

/**
 * What the viewer's server (or an export) hands the page. Shared by the Node side and the browser
 * code, so it imports nothing: the page type-checks against the same shapes the server builds.
 */

/** One run folder in the runs list. */
export interface RunListing {
  /** The folder name; unique among the runs one `chorus view` serves. */
  id: string;
  command: string;
  methods: string[];
  dataset: string;
  split: string;
  /** Model names with the first 12 hex digits of their sha256 (or base URL) when recorded. */
  models: string[];
  createdAt: string;
  /** Lines in results.jsonl (one per method and item for eval runs). */
  results: number;
  failures: number;
  tokens: number;
  calls: number;
  wallMs: number;
  resumes: number;
}

/** A value shown in a table cell and usable in a filter expression. */
export type Scalar = string | number | boolean | null;

/** One results.jsonl line reduced to table columns; `n` is its line number (0-based). */
export interface ItemRow {
  n: number;
  /** The run item id (`method/itemId` for eval runs); events.jsonl calls carry the same id. */
  id: string;
  method: string;
  itemId: string;
  prediction: string;
  gold: string;
  correct: boolean | null;
  score: number | null;
  tokens: number;
  calls: number;
  wallMs: number;
  /** The method's scalar `details` fields (`intervened`, `hard`, `changed`...). */
  extra: Record<string, Scalar>;
}

/** A report.json interval. */
export interface IntervalView {
  mean: number;
  low: number;
  high: number;
}

/** The fields of report.json the page shows. */
export interface ReportView {
  dataset: string;
  split: string;
  items: number;
  seed: number;
  metric?: string;
  methods: Array<{
    method: string;
    items: number;
    accuracy: IntervalView;
    tokensPerItem: number;
    callsPerItem: number;
    wallMs: number;
    versusFirst?: IntervalView;
  }>;
}

/** One model call from events.jsonl, for an item's calls list. */
export interface CallView {
  time: string;
  model: string;
  kind: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  cached: boolean;
  retries: number;
  error?: string;
}

/** How often an expert was recruited for a skill, and how often its answer was then right. */
export interface SkillCell {
  recruited: number;
  correct: number;
}

/**
 * Symbolic-MoE at run level, for one method: experts (rows) × skills (columns, most recruited
 * first; the rest summed as "other skills"), and over its items how often the experts' plain
 * majority and the final answer were right.
 */
export interface ExpertSkillMatrix {
  method: string;
  items: number;
  experts: string[];
  skills: string[];
  /** `cells[e][s]`: expert e recruited for an item with skill s (once per recruited slot). */
  cells: SkillCell[][];
  /** Per expert over all its slots, each counted once whatever the item's skills. */
  totals: SkillCell[];
  majorityCorrect: number;
  finalCorrect: number;
}

/** Everything the page needs for one run except the full records, which load one at a time. */
export interface RunSummary {
  listing: RunListing;
  report: ReportView | null;
  /** The names of `ItemRow.extra` columns, in first-seen order. */
  extraColumns: string[];
  rows: ItemRow[];
  failures: Array<{ id: string; error: string }>;
  /** Model calls over the run, by kind and by model. */
  callsByModel: Array<{ model: string; calls: number; tokens: number; latencyMs: number }>;
  /** The run's config.json as written. */
  config: unknown;
  /** Symbolic-MoE runs: per method with keyword routing, the expert × skill matrix. */
  expertSkills?: ExpertSkillMatrix[];
  /**
   * LASeR, DataEnvGym and PBT runs: their own overview panels' data (training-data.ts); sent
   * with a run's summary and embedded in exports, never in the runs list.
   */
  training?: TrainingView[];
}

/** An eval run's `items.jsonl` line: what the item asked (question, choices, short meta). */
export interface ItemInput {
  id: string;
  question: string;
  answer?: string;
  answerType?: string;
  choices?: string[];
  meta?: Record<string, unknown>;
}

/** One full results.jsonl record with its item's model calls and, when recorded, its input. */
export interface ItemDetail {
  n: number;
  record: unknown;
  calls: CallView[];
  item?: ItemInput;
}

/** One side of a paired comparison: a method's lines in a run. */
export interface CompareSide {
  run: string;
  method: string;
  /** `steered (fingerprint…, site)` when the run was made with `--steer`, else empty. */
  steer: string;
}

/** One item both sides finished, with each side's line number and outcome. */
export interface ComparePair {
  itemId: string;
  a: { n: number; score: number | null; correct: boolean | null; prediction: string };
  b: { n: number; score: number | null; correct: boolean | null; prediction: string };
  /** "gained": B right where A was wrong; "lost": the reverse; "changed": scores differ otherwise. */
  flip: "gained" | "lost" | "changed" | null;
}

/**
 * A paired comparison of two sides on the items both finished: flips first, then the rest in
 * item order; Δ = mean(B − A) of the scores with a seeded paired 95% bootstrap interval (the same
 * computation as report.json's `versusFirst`), computed in Node.
 */
export interface CompareView {
  a: CompareSide;
  b: CompareSide;
  /** Items in only one side. */
  onlyA: number;
  onlyB: number;
  meanA: number;
  meanB: number;
  delta: IntervalView;
  seed: number;
  /** Correct/incorrect confusion over shared items whose records say `correct`. */
  confusion: { both: number; neither: number; onlyA: number; onlyB: number };
  pairs: ComparePair[];
}

/** The key of a comparison of two sides (an export's `comparisons`, the page's cache). */
export const compareKey = (a: Omit<CompareSide, "steer">, b: Omit<CompareSide, "steer">) =>
  JSON.stringify([a.run, a.method, b.run, b.method]);
