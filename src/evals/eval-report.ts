import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { bootstrapMean, type Interval } from "./bootstrap.ts";
import type { EvalRecord } from "./eval-record.ts";

/** One method's line in the report. */
export interface MethodSummary {
  method: string;
  items: number;
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
  methods: MethodSummary[];
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
    methods: summaries,
  };
}

const pct = (x: number) => (Number.isNaN(x) ? "–" : `${(100 * x).toFixed(1)}`);

/** The report as Markdown: one table row per method, paired differences against the first. */
export function reportMarkdown(report: EvalReport): string {
  const lines = [
    `# Eval: ${report.dataset} (${report.split})`,
    "",
    `${report.items} item(s) finished by every method; 95% bootstrap intervals (1000 resamples, seed ${report.seed}).`,
    "",
    "| method | accuracy % | 95% CI | Δ vs first (pp) | tokens/item | calls/item | reused calls/item | wall s |",
    "|---|---:|---|---|---:|---:|---:|---:|",
  ];
  for (const m of report.methods) {
    const delta = m.versusFirst
      ? `${pct(m.versusFirst.mean)} [${pct(m.versusFirst.low)}, ${pct(m.versusFirst.high)}]`
      : "";
    lines.push(
      `| ${m.method} | ${pct(m.accuracy.mean)} | [${pct(m.accuracy.low)}, ${pct(m.accuracy.high)}] | ${delta} | ` +
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
