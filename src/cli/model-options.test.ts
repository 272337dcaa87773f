import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startOpenAITestServer } from "../../test/support/openai-server.ts";
import { runChorusInProcess } from "../../test/support/run-chorus.ts";
import { openSession, reportRunEnd, runSessionItems } from "./model-options.ts";

test("a session over a real server stops at the token budget and resumes to the end", async () => {
  const server = await startOpenAITestServer({ flavor: "llamacpp" });
  const dir = mkdtempSync(join(tmpdir(), "chorus-session-"));
  const out = join(dir, "run");
  const items = Array.from({ length: 6 }, (_, i) => ({
    id: `q${i}`,
    text: `question number ${i}`,
  }));
  const ask = (session: Awaited<ReturnType<typeof openSession>>) =>
    runSessionItems(session, items, (item) =>
      session.pool.use(session.models[0]!, async (model) => {
        const result = await model.generate({ prompt: item.text, temperature: 0 });
        return result.generations[0]?.text;
      }),
    );
  const flags = { model: ["test-model"], baseUrl: [server.url], cacheDir: dir };
  const stderr = process.stderr.write;
  let said = "";
  process.stderr.write = ((chunk: string) => {
    said += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    const first = await openSession({ ...flags, out, maxTokensTotal: 20 }, { run: true });
    const stopped = await ask(first);
    const code = reportRunEnd(first, stopped);
    await first.close();
    assert.equal(code, 1);
    assert.equal(stopped.stopped?.reason, "budget");
    assert.ok(stopped.completed > 0 && stopped.completed < items.length);
    assert.match(said, /stopped: token budget reached: \d+ of 20 tokens used/);
    assert.match(said, new RegExp(`continue with --resume ${out}`));

    const second = await openSession({ ...flags, resume: out, maxTokensTotal: 1000 });
    const done = await ask(second);
    assert.equal(reportRunEnd(second, done), 0);
    await second.close();
    assert.equal(done.skipped, stopped.completed);
    assert.deepEqual(
      done.results.map((r) => r.id),
      items.map((i) => i.id),
    );
    assert.ok(done.results.every((r) => typeof r.result === "string" && r.result.includes("echo")));
    const manifest = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    assert.equal(manifest.models["test-model"].engine, "openai");
    assert.equal(manifest.resumedAt.length, 1);
    const events = readFileSync(join(out, "events.jsonl"), "utf8").trim().split("\n");
    const byItem = new Set(events.map((line) => JSON.parse(line).item));
    assert.equal(byItem.size, items.length, "every item's call is in events.jsonl");
  } finally {
    process.stderr.write = stderr;
    await server.close();
  }
});

test("Ctrl-C stops a session run after the items in flight, keeping them", async () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-session-"));
  const session = await openSession({ cacheDir: dir, out: join(dir, "run") });
  const stderr = process.stderr.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  const listeners = process.listenerCount("SIGINT");
  try {
    const report = await runSessionItems(session, [1, 2, 3, 4, 5], async (n) => {
      if (n === 2) process.kill(process.pid, "SIGINT");
      await new Promise((resolve) => setTimeout(resolve, 30));
      return n;
    });
    assert.equal(report.stopped?.reason, "aborted");
    assert.deepEqual(
      report.results.map((r) => r.result),
      [1, 2],
    );
    assert.equal(process.listenerCount("SIGINT"), listeners, "no handler is left behind");
  } finally {
    process.stderr.write = stderr;
    await session.close();
  }
});

test("--base-url repeated: one model over the replicas, recorded in the run's config.json", async () => {
  const servers = await Promise.all([1, 2].map(() => startOpenAITestServer({ flavor: "vllm" })));
  const dir = mkdtempSync(join(tmpdir(), "chorus-replicas-"));
  const out = join(dir, "run");
  try {
    const urls = servers.map((s) => s.url);
    const result = await runChorusInProcess([
      "generate",
      ...["--base-url", urls[0]!, "--base-url", urls[1]!, "--model", "test-model"],
      ...["--no-cache", "--n", "4", "--temperature", "0", "--out", out, "--json", "hi"],
    ]);
    assert.equal(result.code, 0, result.stderr);
    const manifest = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    assert.deepEqual(manifest.config.baseURL, urls);
    assert.deepEqual(manifest.models["test-model"].replicas, urls);
    const bad = await runChorusInProcess(["generate", "--base-url", "nope", "--model", "m", "x"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expected a URL/);
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
});
