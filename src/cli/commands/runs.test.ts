import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  type OpenAITestServer,
  startOpenAITestServer,
} from "../../../test/support/openai-server.ts";
import { runChorus, runChorusInProcess } from "../../../test/support/run-chorus.ts";

const bin = fileURLToPath(new URL("../../../bin/chorus.js", import.meta.url));

/** results.jsonl without the wall time (the only field that differs between processes). */
function results(dir: string): Array<Record<string, unknown>> {
  return readFileSync(join(dir, "results.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => {
      const r = JSON.parse(line) as { id: string; index: number; result: Record<string, unknown> };
      const { wallMs: _wallMs, ...result } = r.result;
      return { ...r, result };
    })
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

function report(dir: string): unknown {
  const r = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as {
    methods: Array<Record<string, unknown>>;
  };
  return { ...r, methods: r.methods.map(({ wallMs: _w, ...m }) => m) };
}

describe("chorus eval --shard and chorus runs merge (T6)", () => {
  let server: OpenAITestServer;
  const dir = mkdtempSync(join(tmpdir(), "chorus-shards-"));
  const dataset = join(dir, "items.jsonl");
  const common = () => [
    "eval",
    "cot",
    "--baselines",
    "self-consistency",
    "--set",
    "k=2",
    "--dataset",
    dataset,
    "--base-url",
    server.url,
    "--model",
    "test-model",
    "--no-cache",
    "--seed",
    "7",
  ];
  before(async () => {
    server = await startOpenAITestServer({ flavor: "vllm", delayMs: 30 });
    const lines = Array.from({ length: 22 }, (_, i) =>
      JSON.stringify({ id: `q${i}`, question: `What is ${i} plus ${i}?`, answer: String(2 * i) }),
    );
    writeFileSync(dataset, `${lines.join("\n")}\n`);
  });
  after(() => server.close());

  it("four shards, one killed and resumed, merge to what one process writes", async () => {
    const single = await runChorus([...common(), "--out", join(dir, "single")]);
    assert.equal(single.code, 0, single.stderr);

    const shardDirs = [0, 1, 2, 3].map((i) => join(dir, `s${i}`));
    // shard 2 is killed once it has written a result, then resumed
    const killed = spawn(
      process.execPath,
      [bin, ...common(), "--shard", "2/4", "--out", shardDirs[2]!],
      {
        env: { ...process.env, CI: "1" },
        stdio: "ignore",
      },
    );
    const exited = new Promise((resolve) => killed.on("exit", resolve));
    const resultsFile = join(shardDirs[2]!, "results.jsonl");
    while (!(existsSync(resultsFile) && readFileSync(resultsFile, "utf8").length > 0))
      await new Promise((resolve) => setTimeout(resolve, 20));
    killed.kill("SIGKILL");
    await exited;
    const partial = readFileSync(resultsFile, "utf8").trim().split("\n").length;
    assert.ok(partial < 12, `shard 2 finished ${partial} of 12 before the kill`);

    const others = await Promise.all(
      [0, 1, 3].map((i) => runChorus([...common(), "--shard", `${i}/4`, "--out", shardDirs[i]!])),
    );
    for (const r of others) assert.equal(r.code, 0, r.stderr);
    const resumed = await runChorus([...common(), "--shard", "2/4", "--resume", shardDirs[2]!]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const wrongShard = await runChorus([...common(), "--shard", "1/4", "--resume", shardDirs[2]!]);
    assert.equal(wrongShard.code, 2);
    assert.match(wrongShard.stderr, /made with --shard 2\/4; resume it with the same shard/);

    const merged = await runChorus(["runs", "merge", ...shardDirs, "--out", join(dir, "merged")]);
    assert.equal(merged.code, 0, merged.stderr);
    assert.deepEqual(results(join(dir, "merged")), results(join(dir, "single")));
    assert.deepEqual(report(join(dir, "merged")), report(join(dir, "single")));
    assert.equal(results(join(dir, "merged")).length, 44);
    // each shard recorded its own items; the merge holds every item once, as one process writes
    const items = (d: string) =>
      readFileSync(join(d, "items.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
    assert.deepEqual(
      items(shardDirs[1]!).map((i) => i.id),
      ["q1", "q5", "q9", "q13", "q17", "q21"],
    );
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    assert.deepEqual(items(join(dir, "merged")).sort(byId), items(join(dir, "single")).sort(byId));
    assert.deepEqual(items(join(dir, "single"))[3], {
      id: "q3",
      question: "What is 3 plus 3?",
      answer: "6",
      answerType: "math",
      meta: {},
    });

    const missing = await runChorusInProcess([
      "runs",
      "merge",
      ...shardDirs.slice(0, 3),
      "--out",
      join(dir, "m2"),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /shard\(s\) 3\/4 missing/);
    const twice = await runChorusInProcess([
      "runs",
      "merge",
      ...shardDirs,
      shardDirs[1]!,
      "--out",
      join(dir, "m3"),
    ]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /are both shard 1\/4/);
    const notShard = await runChorusInProcess([
      "runs",
      "merge",
      ...shardDirs.slice(1),
      join(dir, "single"),
      "--out",
      join(dir, "m4"),
    ]);
    assert.equal(notShard.code, 2);
    assert.match(notShard.stderr, /was not run with --shard/);
  });
});
