import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  type BatchServerEvent,
  type BatchTestServer,
  startBatchTestServer,
} from "../../../test/support/batch-server.ts";

const bin = fileURLToPath(new URL("../../../bin/chorus.js", import.meta.url));

function lines(path: string): Array<Record<string, unknown>> {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe("online Batch API: journal, crashes, reattach (T4)", () => {
  let server: BatchTestServer;
  /** The running coordinator, and the event (with its count) at which the test kills it. */
  let child: ChildProcess | undefined;
  let killAt: { event: BatchServerEvent; count: number } | undefined;
  let seen = 0;
  const dir = mkdtempSync(join(tmpdir(), "chorus-online-batch-"));
  const dataset = join(dir, "items.jsonl");
  const run = join(dir, "run");
  const items = 60;
  const config = join(dir, "chorus.config.json");
  const args = (first: boolean) => [
    "eval",
    "self-refine",
    "--baselines",
    "cot",
    "--set",
    "selfRefineRounds=1",
    "--dataset",
    dataset,
    "--config",
    config,
    "--model",
    "router",
    "--no-cache",
    "--batch",
    "online",
    "--batch-max-lines",
    "40",
    "--batch-flush-ms",
    "200",
    "--batch-poll-ms",
    "100",
    ...(first ? ["--out", run] : ["--resume", run]),
  ];
  /** Runs the coordinator; with `kill`, SIGKILLs it when the server sees that event that often. */
  const coordinator = (first: boolean, kill?: { event: BatchServerEvent; count: number }) => {
    killAt = kill;
    seen = 0;
    let stderr = "";
    child = spawn(process.execPath, [bin, ...args(first)], { env: { ...process.env, CI: "1" } });
    child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdout?.resume();
    return new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) =>
      child!.on("exit", (code, signal) => resolve({ code, signal, stderr })),
    );
  };

  before(async () => {
    server = await startBatchTestServer({
      finishMs: 300,
      expiredPercent: 4,
      badPercent: 2,
      maxLines: 40,
      onEvent: (event) => {
        if (killAt?.event === event && ++seen === killAt.count) child?.kill("SIGKILL");
      },
    });
    const rows = Array.from({ length: items }, (_, i) =>
      JSON.stringify({
        id: `q${i}`,
        question: `How many wheels do ${i + 1} cars have?`,
        answer: String(4 * (i + 1)),
      }),
    );
    writeFileSync(dataset, `${rows.join("\n")}\n`);
    // a vLLM production-stack router in front of vLLM: the Batch API with vLLM's dialect (prefill)
    const model = { engine: "openai", baseURL: server.url, model: "test-model", flavor: "vllm" };
    writeFileSync(config, JSON.stringify({ models: { router: model } }));
  });
  after(() => server.close());

  it("finishes every item once through kills after an upload, a create and mid-ingest", async () => {
    for (const [first, kill] of [
      [true, { event: "upload", count: 2 }],
      [false, { event: "create", count: 1 }],
      [false, { event: "content", count: 2 }],
    ] as const) {
      const r = await coordinator(first, kill);
      assert.equal(r.signal, "SIGKILL", `expected a kill at ${kill.event}; ${r.stderr}`);
    }
    const last = await coordinator(false);
    assert.equal(last.code, 1, last.stderr); // the 400 requests are failed items
    assert.match(last.stderr, /failed/);

    // each (method, item) exactly once, and every item either finished or failed
    const results = lines(join(run, "results.jsonl"));
    const ids = results.map((r) => r["id"]);
    assert.equal(new Set(ids).size, ids.length, "an item finished twice");
    const failures = lines(join(run, "failures.jsonl"));
    const failedIds = new Set(failures.map((f) => f["id"]));
    assert.equal(results.length + failedIds.size, 2 * items);
    assert.ok(failedIds.size > 0, "some requests hash into the 400s");
    for (const f of failures) assert.match(String(f["error"]), /refused by the test server/);

    // no (run, batch) pair created twice, and the crash after create was healed by reattaching
    const pairs = server.batches.map(
      (b) => `${b.metadata["chorus_run"]}/${b.metadata["chorus_batch"]}`,
    );
    assert.equal(
      new Set(pairs).size,
      pairs.length,
      `a batch was created twice: ${pairs.join(", ")}`,
    );
    const journal = lines(join(run, "batch", "journal.jsonl"));
    assert.equal(journal.filter((e) => e["event"] === "created").length, server.batches.length);

    // expired requests were resubmitted and answered
    const answers = lines(join(run, "batch", "answers.jsonl"));
    const expired = answers.filter(
      (a) => (a["error"] as { code?: string } | undefined)?.code === "batch_expired",
    );
    assert.ok(expired.length > 0);
    for (const e of expired)
      assert.ok(
        answers.some((a) => a["customId"] === e["customId"] && a["status"] === 200),
        "expired, never answered",
      );

    // a resume of the finished run asks the Batch API nothing
    const before = server.requests.length;
    const again = await coordinator(false);
    assert.equal(again.code, 1, again.stderr);
    assert.equal(server.requests.length, before, server.requests.slice(before).join(", "));
    assert.equal(lines(join(run, "results.jsonl")).length, results.length);
  });
});
