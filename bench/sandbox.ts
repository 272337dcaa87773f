/**
 * Sandbox throughput and overhead: `npm run bench -- sandbox [runs]`.
 * Executions per second of a trivial Python test at concurrency 1 and 2, and the sandbox's
 * overhead per run over spawning the same interpreter bare (`python3 -c pass`).
 */
import { spawn } from "node:child_process";
import { pythonInterpreter } from "../src/sandbox/interpreters.ts";
import { Sandbox } from "../src/sandbox/sandbox.ts";

const runs = Number(process.argv[3] ?? 40);
const trivial = "assert sum([1, 2, 3]) == 6\n";

function bare(python: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ["-c", "pass"], { stdio: "ignore" });
    child.on("error", reject);
    child.on("close", () => resolve());
  });
}

async function timeRuns(concurrency: number): Promise<{ perSecond: number; meanMs: number }> {
  const sandbox = new Sandbox({ concurrency });
  await sandbox.run({ lang: "python", code: trivial }); // warm-up (interpreter probe, page cache)
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: runs }, () => sandbox.run({ lang: "python", code: trivial })),
  );
  const elapsed = performance.now() - started;
  const failed = results.filter((r) => r.status !== "pass");
  if (failed.length > 0)
    throw new Error(`${failed.length} trivial runs did not pass: ${failed[0]!.reason}`);
  return {
    perSecond: runs / (elapsed / 1000),
    meanMs: results.reduce((s, r) => s + r.totalMs, 0) / runs,
  };
}

const python = pythonInterpreter();
await bare(python);
const bareStart = performance.now();
for (let i = 0; i < runs; i++) await bare(python);
const bareMs = (performance.now() - bareStart) / runs;
const one = await timeRuns(1);
const two = await timeRuns(2);
const overheadMs = 1000 / one.perSecond - bareMs;
process.stderr.write(
  `runs per setting: ${runs}\nbare python3 -c pass: ${bareMs.toFixed(1)} ms/run\n` +
    `sandbox, concurrency 1: ${one.perSecond.toFixed(2)} exec/s (${(1000 / one.perSecond).toFixed(1)} ms/run)\n` +
    `sandbox, concurrency 2: ${two.perSecond.toFixed(2)} exec/s\n`,
);
process.stdout.write(
  `sandbox: ${one.perSecond.toFixed(2)} exec/s at concurrency 1, ${two.perSecond.toFixed(2)} exec/s at concurrency 2; overhead ${overheadMs.toFixed(1)} ms/run over bare python3 -c pass (${bareMs.toFixed(1)} ms)\n`,
);
