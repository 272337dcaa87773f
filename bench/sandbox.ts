/**
 * Sandbox cost per run: `npm run bench -- sandbox [rounds] [runs]`.
 * A trivial Python test through the fork server (the default) and through one launcher process
 * per run, against spawning a bare `python3 -c pass`: milliseconds per run as medians of
 * `rounds` interleaved rounds (a burst of load hits every variant alike), then executions per
 * second of `runs` runs at concurrency 2 for each path. The last line is the summary.
 */
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { pythonInterpreter } from "../src/sandbox/interpreters.ts";
import { Sandbox } from "../src/sandbox/sandbox.ts";
import { interleavedMedians } from "./support/interleaved.ts";

const rounds = Number(process.argv[3] ?? 7);
const runs = Number(process.argv[4] ?? 20);
const trivial = "assert sum([1, 2, 3]) == 6\n";

function bare(python: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ["-c", "pass"], { stdio: "ignore" });
    child.on("error", reject);
    child.on("close", () => resolve());
  });
}

async function trivialRun(sandbox: Sandbox): Promise<void> {
  const result = await sandbox.run({ lang: "python", code: trivial });
  if (result.status !== "pass") throw new Error(`a trivial run did not pass: ${result.reason}`);
}

async function perSecond(sandbox: Sandbox): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: runs }, () => trivialRun(sandbox)));
  return runs / ((performance.now() - started) / 1000);
}

const python = pythonInterpreter();
const forkServer = new Sandbox({ concurrency: 1 });
const launcher = new Sandbox({ concurrency: 1, forkServer: false });
const loadBefore = loadavg()[0]!;
const ms = await interleavedMedians(
  {
    bare: () => bare(python),
    launcher: () => trivialRun(launcher),
    forkServer: () => trivialRun(forkServer),
  },
  { rounds, minMs: 1000 },
);
if (forkServer.startMode !== "fork-server")
  throw new Error("the fork server could not start here; its figures would be the launcher's");
const forkServer2 = new Sandbox({ concurrency: 2 });
const launcher2 = new Sandbox({ concurrency: 2, forkServer: false });
await trivialRun(forkServer2);
const throughput = {
  forkServer: await perSecond(forkServer2),
  launcher: await perSecond(launcher2),
};
for (const sandbox of [forkServer, launcher, forkServer2, launcher2]) sandbox.close();
const load = `load ${loadBefore.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}`;
const ratio = (x: number) => (x / ms.bare).toFixed(2);
process.stderr.write(
  `medians of ${rounds} rounds, ${load}\n` +
    `bare python3 -c pass:      ${ms.bare.toFixed(1)} ms/run\n` +
    `sandbox, launcher per run: ${ms.launcher.toFixed(1)} ms/run (${ratio(ms.launcher)}x bare)\n` +
    `sandbox, fork server:      ${ms.forkServer.toFixed(1)} ms/run (${ratio(ms.forkServer)}x bare)\n` +
    `concurrency 2, ${runs} runs: fork server ${throughput.forkServer.toFixed(2)} exec/s, launcher ${throughput.launcher.toFixed(2)} exec/s\n`,
);
process.stdout.write(
  `sandbox: fork server ${ms.forkServer.toFixed(1)} ms/run = ${ratio(ms.forkServer)}x bare python3 -c pass (${ms.bare.toFixed(1)} ms), launcher ${ms.launcher.toFixed(1)} ms/run = ${ratio(ms.launcher)}x; concurrency 2: ${throughput.forkServer.toFixed(2)} vs ${throughput.launcher.toFixed(2)} exec/s; medians of ${rounds} rounds, ${load}\n`,
);
