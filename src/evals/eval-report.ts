import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { bootstrapMean, type Interval } from "./bootstrap.ts";
import type { EvalRecord } from "./eval-record.ts";

/**
 * What the report's score column holds: `"accuracy"` when every compared record was checked
 * against a gold answer (score 1 or 0), `"mean score"` when methods score items themselves
 * (faithfulness, partial credit) or the dataset has no gold answers (answer type `none`).
 */
export type ScoreMetric = "accuracy" | "mean score";

/** One method's line in the report. */
export interface MethodSummary {
  method: string;
  items: number;
  /** The mean score with its interval: accuracy or mean score, as `EvalReport.metric` says. */
  accuracy: Interval;
  tokensPerItem: number;
  callsPerItem: number;
  /** Calls per item whose results were shared with another method of the run. */
  reusedCallsPerItem: number;
  wallMs: number;
  /** Accuracy minus the first method's, paired on the same items (absent for the first). */
  versusFirst?: Interval;
}

/** `report.json`. */
export interface EvalReport {
  dataset: string;
  split: string;
  items: number;
  seed: number;
  /** What `accuracy` means (absent in reports written before it was recorded: accuracy). */
  metric?: ScoreMetric;
  methods: MethodSummary[];
}

/**
 * `"accuracy"` when every record has a gold answer and a 0/1 score, else `"mean score"` (a
 * method's own score such as MAMM-Refine's mean faithfulness, or items without a gold answer).
 */
export function scoreMetric(records: readonly Pick<EvalRecord, "gold" | "score">[]): ScoreMetric {
  return records.every((r) => r.gold !== "" && (r.score === 0 || r.score === 1))
    ? "accuracy"
    : "mean score";
}

/**
 * Summaries per method from the records (only items every method finished are compared, so the
 * table is paired), with seeded 95% bootstrap intervals.
 */
export function summarize(
  records: readonly EvalRecord[],
  meta: { dataset: string; split: string; seed: number; methods: readonly string[] },
): EvalReport {
  const byMethod = new Map<string, Map<string, EvalRecord>>();
  for (const r of records) {
    if (!byMethod.has(r.method)) byMethod.set(r.method, new Map());
    byMethod.get(r.method)!.set(r.itemId, r);
  }
  const methods = meta.methods.filter((m) => byMethod.has(m));
  const common = [...(byMethod.get(methods[0] ?? "")?.keys() ?? [])].filter((id) =>
    methods.every((m) => byMethod.get(m)!.has(id)),
  );
  const first = methods[0] ? common.map((id) => byMethod.get(methods[0]!)!.get(id)!.score) : [];
  const summaries = methods.map((method, index): MethodSummary => {
    const rows = common.map((id) => byMethod.get(method)!.get(id)!);
    const n = Math.max(1, rows.length);
    const scores = rows.map((r) => r.score);
    const sum = (f: (r: EvalRecord) => number) => rows.reduce((a, r) => a + f(r), 0);
    return {
      method,
      items: rows.length,
      accuracy: bootstrapMean(scores, { seed: meta.seed }),
      tokensPerItem: sum((r) => r.usage.inputTokens + r.usage.outputTokens) / n,
      callsPerItem: sum((r) => r.usage.calls) / n,
      reusedCallsPerItem: sum((r) => r.usage.reusedCalls) / n,
      wallMs: sum((r) => r.wallMs),
      ...(index > 0
        ? { versusFirst: bootstrapMean(scores, { seed: meta.seed, paired: first }) }
        : {}),
    };
  });
  return {
    dataset: meta.dataset,
    split: meta.split,
    items: common.length,
    seed: meta.seed,
    metric: scoreMetric(methods.flatMap((m) => common.map((id) => byMethod.get(m)!.get(id)!))),
    methods: summaries,
  };
}

const pct = (x: number) => (Number.isNaN(x) ? "–" : `${(100 * x).toFixed(1)}`);
const plain = (x: number) => (Number.isNaN(x) ? "–" : x.toFixed(3));

/**
 * The report as Markdown: one table row per method, paired differences against the first.
 * Accuracy is shown in percent (differences in points); a mean score as is, in [0, 1].
 */
export function reportMarkdown(report: EvalReport): string {
  const accuracy = (report.metric ?? "accuracy") === "accuracy";
  const fmt = accuracy ? pct : plain;
  const lines = [
    `# Eval: ${report.dataset} (${report.split})`,
    "",
    `${report.items} item(s) finished by every method; 95% bootstrap intervals (1000 resamples, seed ${report.seed}).`,
    ...(accuracy
      ? []
      : [
          "The score is each method's own per-item score in [0, 1] (e.g. mean faithfulness), averaged over items.",
        ]),
    "",
    `| method | ${accuracy ? "accuracy %" : "mean score"} | 95% CI | ${accuracy ? "Δ vs first (pp)" : "Δ vs first"} | tokens/item | calls/item | reused calls/item | wall s |`,
    "|---|---:|---|---|---:|---:|---:|---:|",
  ];
  for (const m of report.methods) {
    const delta = m.versusFirst
      ? `${fmt(m.versusFirst.mean)} [${fmt(m.versusFirst.low)}, ${fmt(m.versusFirst.high)}]`
      : "";
    lines.push(
      `| ${m.method} | ${fmt(m.accuracy.mean)} | [${fmt(m.accuracy.low)}, ${fmt(m.accuracy.high)}] | ${delta} | ` +
        `${m.tokensPerItem.toFixed(0)} | ${m.callsPerItem.toFixed(2)} | ${m.reusedCallsPerItem.toFixed(2)} | ${(m.wallMs / 1000).toFixed(1)} |`,
    );
  }
  lines.push(
    "",
    "Tokens and calls count every call a method needed, including samples shared with another",
    "method of this run (made once, counted for each user; the reused column says how many).",
    "",
  );
  return lines.join("\n");
}

/** Writes `report.json` and `report.md` into `dir`. */
export function writeReport(dir: string, report: EvalReport): void {
  writeFileSync(join(dir, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, "report.md"), reportMarkdown(report));
}
