// Whether a large run is bound by syncing its results: runItems over N items whose work is a
// 1 ms wait (a stand-in for a model call in flight, so items overlap as they do against a
// server), with results.jsonl written three ways in the same process: grouped fdatasync (what
// runs do), one fdatasync per line (what they did), and no sync at all (the floor).
// Usage: npm run bench -- runsync [items=100000] [concurrency=256] [workMs=20]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Run } from "../src/runtime/run.ts";
import { runItems } from "../src/runtime/run-items.ts";

const items = Number(process.argv[3] ?? 100_000);
const concurrency = Number(process.argv[4] ?? 256);
const workMs = Number(process.argv[5] ?? 20);
const dir = mkdtempSync(join(tmpdir(), "chorus-runsync-"));
const list = Array.from({ length: items }, (_, i) => ({ id: `q${i}` }));
const work = () => new Promise((resolve) => setTimeout(() => resolve({ answer: "42" }), workMs));

/** One run folder whose results go through `commit`; returns items per second and syncs. */
async function measure(label: string, commit: (run: Run) => Run["commitResult"]) {
  const run = Run.create({ dir: join(dir, label), config: {} });
  // runItems reads finished items and commits results; only the commit differs between variants
  const committing = {
    finished: run.finished,
    commitResult: commit(run),
    appendFailure: run.appendFailure.bind(run),
  } as unknown as Run;
  const started = performance.now();
  const report = await runItems(list, work, { run: committing, concurrency });
  const seconds = (performance.now() - started) / 1000;
  const syncs = run.resultSyncs;
  run.close();
  if (report.completed !== items) throw new Error(`${label}: ${report.completed} of ${items} done`);
  const rate = items / seconds;
  process.stderr.write(
    `${label.padEnd(18)} ${seconds.toFixed(2).padStart(7)} s  ${rate.toFixed(0).padStart(7)} items/s  ${syncs} fdatasync\n`,
  );
  return { seconds, syncs };
}

const none = await measure("no sync", (run) => async (record) => {
  run.appendEvent(record as never);
});
const grouped = await measure("grouped sync", (run) => (record) => run.commitResult(record));
const perLine = await measure("sync per line", (run) => async (record) => run.appendResult(record));
rmSync(dir, { recursive: true, force: true });
console.log(
  `runsync: ${items} items of ${workMs} ms, concurrency ${concurrency}: grouped sync takes ${(grouped.seconds / none.seconds).toFixed(2)}x ` +
    `the unsynced time with ${grouped.syncs} fdatasyncs; one sync per line takes ` +
    `${(perLine.seconds / none.seconds).toFixed(2)}x`,
);
