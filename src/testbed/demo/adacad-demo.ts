import type { LanguageModel } from "../../model/language-model.ts";
import type { ProgressLine } from "../../runtime/progress-line.ts";
import type { Run } from "../../runtime/run.ts";
import { runItems } from "../../runtime/run-items.ts";
import type { RunStats } from "../../runtime/run-stats.ts";
import type { ContextItem, ContextSet } from "./context-items.ts";
import { type ContextReport, contextReport } from "./context-report.ts";
import { type ItemOutcome, runContextItem } from "./context-run.ts";

/** The result of the AdaCAD demo: the report, every item's outcome, and two worked examples. */
export interface AdacadDemoResult {
  report: ContextReport;
  outcomes: ItemOutcome[];
  /** A conflicting item AdaCAD fixed and an agreeing item CAD broke (when there are such). */
  examples: Array<{ item: ContextItem; outcome: ItemOutcome }>;
}

/**
 * Runs greedy, CAD and AdaCAD over `items` with `model`, writing each item's outcome to `run`
 * (a resumed run skips finished items), and reports the pre-registered claim with bootstrap CIs.
 */
export async function runAdacadDemo(
  model: LanguageModel,
  items: readonly ContextItem[],
  options: {
    run?: Run;
    stats?: RunStats;
    progress?: ProgressLine;
    signal?: AbortSignal;
    bootstrapSeed?: number;
  } = {},
): Promise<AdacadDemoResult> {
  const done = await runItems(items, (item, ctx) => runContextItem(model, item, ctx.signal), {
    ...(options.run ? { run: options.run } : {}),
    ...(options.stats ? { stats: options.stats } : {}),
    ...(options.progress ? { progress: options.progress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    stopOnError: true,
  });
  if (done.stopped) throw new Error(`the demo stopped early: ${done.stopped.message}`);
  const outcomes = done.results.map((r) => r.result);
  const byId = new Map(items.map((i) => [i.id, i]));
  const pick = (set: ContextSet, when: (o: ItemOutcome) => boolean) => {
    const o = outcomes.find((x) => x.set === set && when(x)) ?? outcomes.find((x) => x.set === set);
    return o ? [{ item: byId.get(o.id)!, outcome: o }] : [];
  };
  const examples = [
    ...pick("conflict", (o) => !o.outcomes.greedy.correct && o.outcomes.adacad.correct),
    ...pick("agreeing", (o) => !o.outcomes.cad.correct && o.outcomes.adacad.correct),
  ];
  return { report: contextReport(outcomes, options.bootstrapSeed ?? 0), outcomes, examples };
}
