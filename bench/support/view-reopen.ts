/**
 * Child process of bench/view.ts: opens a run's index as a new `chorus view` process would, with
 * a cache folder, and prints how long that took (the process's own start excluded), in wall
 * time and CPU time (on a loaded box the first mostly says how long it waited for a CPU). A child,
 * because reopening in the bench's process would parse the cache into a heap that already holds
 * the synthetic run, where garbage collection costs what a fresh process never pays.
 * Usage: node --import tsx bench/support/view-reopen.ts <run-dir> <cache-dir>
 */
import { RunIndex } from "../../src/view/run-index.ts";

const [dir, cacheDir] = process.argv.slice(2) as [string, string];
const start = performance.now();
const cpu = process.cpuUsage();
const index = new RunIndex(dir, "big", { cacheDir });
const ms = performance.now() - start;
const used = process.cpuUsage(cpu);
const cpuMs = (used.user + used.system) / 1000;
process.stdout.write(`${JSON.stringify({ ms, cpuMs, rows: index.rows.length })}\n`);
