/**
 * Child process of bench/view.ts: opens a run's index as a new `chorus view` process would, with
 * a cache folder, and prints how long that took (the process's own start excluded), how long its
 * first summary then took (a cached index parses its rows then; Symbolic-MoE's expert × skill
 * matrix comes with it) and its first item detail (the item's question from items.jsonl), each
 * in wall time and CPU time (on a loaded box the first mostly says how long it waited for a
 * CPU). A child, because reopening in the bench's process would parse the cache into a heap that
 * already holds the synthetic run, where garbage collection costs what a fresh process never pays.
 * Usage: node --import tsx bench/support/view-reopen.ts <run-dir> <cache-dir> <line>
 */
import { RunIndex } from "../../src/view/run-index.ts";

const [dir, cacheDir, line] = process.argv.slice(2) as [string, string, string];
function measured<T>(f: () => T): [T, { ms: number; cpuMs: number }] {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const value = f();
  const used = process.cpuUsage(cpu);
  return [value, { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 }];
}

const [index, open] = measured(() => new RunIndex(dir, "big", { cacheDir }));
// a cached index parses its rows when first asked for them (the summary a table loads)
const [summary, rows] = measured(() => index.summary());
const [detail, item] = measured(() => index.detail(Number(line)));
process.stdout.write(
  `${JSON.stringify({
    open,
    rows,
    item,
    count: summary.rows.length,
    matrixItems: summary.expertSkills?.map((m) => m.items) ?? [],
    question: detail?.item?.question.length ?? 0,
  })}\n`,
);
