/**
 * Start-up time of whole `chorus` processes, as a user running it in a loop or a script meets it:
 * `--version`, `--help`, `eval --help`, `generate` of 8 tokens on stories260K, and an eval of two
 * items against an OpenAI-compatible server (the loopback test server in this process). Each
 * process reports its own CPU time on exit (a preloaded module), so a loaded machine shows in the
 * wall column but much less in the CPU one. Cases interleave within a round; medians of rounds.
 *
 *   npm run bench -- startup [--rounds 5] [--bin path/to/bin/chorus.js]
 *
 * `--bin` times another copy, e.g. the package `npm pack` makes, unpacked (docs/decisions/0003).
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { sharedFile } from "../src/evals/shared-dir.ts";
import { startOpenAITestServer } from "../test/support/openai-server.ts";
import { median } from "./support/bench-model.ts";

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== "startup"),
  options: {
    rounds: { type: "string", default: "5" },
    bin: { type: "string", default: fileURLToPath(new URL("../bin/chorus.js", import.meta.url)) },
  },
});
const rounds = Number(values.rounds);
const bin = resolve(values.bin);

const scratch = mkdtempSync(join(tmpdir(), "chorus-startup-bench-"));
const cpuFile = join(scratch, "cpu");
// Written at exit by the measured process itself: its user + system CPU, all threads.
const cpuProbe = `data:text/javascript,${encodeURIComponent(
  `import { writeFileSync } from "node:fs";
   process.on("exit", () => { const u = process.cpuUsage();
     writeFileSync(${JSON.stringify(cpuFile)}, String((u.user + u.system) / 1e6)); });`,
)}`;

const dataset = join(scratch, "two.jsonl");
writeFileSync(
  dataset,
  '{"question":"What is 2+2?","answer":"4"}\n{"question":"What is 3+3?","answer":"6"}\n',
);
const server = await startOpenAITestServer({ flavor: "vllm" });
const stories = sharedFile("models", "stories260K.gguf");

const cases: Array<{ name: string; args: string[] }> = [
  { name: "--version", args: ["--version"] },
  { name: "--help", args: ["--help"] },
  { name: "eval --help", args: ["eval", "--help"] },
  ...(stories
    ? [
        {
          name: "generate 8 tokens (stories260K)",
          args: ["generate", "--model", stories, "--raw", "--max-tokens", "8", "Once upon a time"],
        },
      ]
    : []),
  {
    name: "eval cot, 2 items, HTTP server",
    args: [
      ...["eval", "cot", "--dataset", dataset, "--base-url", server.url, "--model", "test-model"],
      ...["--no-cache", "--runs-dir", join(scratch, "runs")],
    ],
  },
];

/** Runs one case; fails the bench when the command fails (a fast failure is no start-up time). */
function time(args: string[]): Promise<{ wall: number; cpu: number }> {
  rmSync(cpuFile, { force: true });
  const started = performance.now();
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ["--import", cpuProbe, bin, ...args],
      { env: { ...process.env, CI: "1" }, cwd: scratch },
      (error, _stdout, stderr) => {
        const wall = (performance.now() - started) / 1000;
        if (error) fail(new Error(`chorus ${args.join(" ")} failed:\n${stderr}`));
        else done({ wall, cpu: Number(readFileSync(cpuFile, "utf8")) });
      },
    );
  });
}

const samples = new Map<string, Array<{ wall: number; cpu: number }>>();
try {
  for (let round = 0; round < rounds; round++) {
    for (const { name, args } of cases) {
      const list = samples.get(name) ?? [];
      list.push(await time(args));
      samples.set(name, list);
    }
  }
} finally {
  await server.close();
  rmSync(scratch, { recursive: true, force: true });
}

const rows = cases.map(({ name }) => {
  const list = samples.get(name)!;
  return { name, wall: median(list.map((s) => s.wall)), cpu: median(list.map((s) => s.cpu)) };
});
for (const row of rows)
  console.log(`${row.name.padEnd(34)} wall ${row.wall.toFixed(2)} s  cpu ${row.cpu.toFixed(2)} s`);
if (!stories) console.log("(generate skipped: no stories260K.gguf in the shared folder)");
console.log(
  `startup (${bin}, medians of ${rounds} rounds, load ${loadavg()[0]!.toFixed(1)}): ` +
    rows.map((r) => `${r.name} ${r.wall.toFixed(2)} s wall / ${r.cpu.toFixed(2)} s cpu`).join("; "),
);
