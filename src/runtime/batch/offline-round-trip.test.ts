import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type OpenAITestServer,
  startOpenAITestServer,
} from "../../../test/support/openai-server.ts";
import { runChorusInProcess } from "../../../test/support/run-chorus.ts";
import type { BatchInputLine } from "./batch-format.ts";

/**
 * A stand-in for `vllm run-batch` (or an OpenAI Batch): answers each input line by POSTing its
 * body to the test server and writes the output file in the runner's shape. vLLM: input order,
 * failures inline with status 400. OpenAI: shuffled, failures in a separate error file.
 */
async function runBatch(
  server: OpenAITestServer,
  input: string,
  output: string,
  shape: "vllm" | "openai",
  fail: ReadonlySet<string> = new Set(),
): Promise<{ lines: BatchInputLine[]; errorFile?: string }> {
  const lines = readFileSync(input, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as BatchInputLine);
  const ok: string[] = [];
  const errors: string[] = [];
  for (const [i, line] of lines.entries()) {
    const id = `${shape === "vllm" ? "vllm" : "batch_req"}-${basename(input)}-${i}`;
    if (fail.has(line.custom_id)) {
      errors.push(
        JSON.stringify(
          shape === "vllm"
            ? {
                id,
                custom_id: line.custom_id,
                response: { status_code: 400, request_id: `vllm-batch-${i}`, body: null },
                error: "prompt is too long for the test",
              }
            : {
                id,
                custom_id: line.custom_id,
                response: {
                  status_code: 500,
                  request_id: `r${i}`,
                  body: { error: { message: "engine overloaded", type: "server_error" } },
                },
                error: null,
              },
        ),
      );
      if (shape === "vllm") ok.push(errors.pop()!);
      continue;
    }
    const response = await fetch(`${server.url}${line.url.slice("/v1".length)}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(line.body),
    });
    const body = await response.json();
    ok.push(
      JSON.stringify({
        id,
        custom_id: line.custom_id,
        response: { status_code: response.status, request_id: `r${i}`, body },
        error: null,
      }),
    );
  }
  if (shape === "openai") ok.reverse();
  writeFileSync(output, ok.map((l) => `${l}\n`).join(""));
  if (errors.length === 0) return { lines };
  const errorFile = `${output}.errors`;
  writeFileSync(errorFile, errors.map((l) => `${l}\n`).join(""));
  return { lines, errorFile };
}

function predictions(dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of readFileSync(join(dir, "results.jsonl"), "utf8").trim().split("\n")) {
    const r = JSON.parse(line) as {
      id: string;
      result: { prediction: unknown; details?: unknown };
    };
    out[r.id] = { prediction: r.result.prediction, details: r.result.details };
  }
  return out;
}

describe("offline batch rounds: export, vllm run-batch, import, resume (T5)", () => {
  let server: OpenAITestServer;
  const dir = mkdtempSync(join(tmpdir(), "chorus-offline-batch-"));
  const dataset = join(dir, "items.jsonl");
  const common = () => [
    "eval",
    "self-refine",
    "--baselines",
    "cot",
    "--set",
    "selfRefineRounds=1",
    "--set",
    "maxTokens=12",
    "--dataset",
    dataset,
    "--base-url",
    server.url,
    "--model",
    "test-model",
    "--no-cache",
  ];
  before(async () => {
    server = await startOpenAITestServer({ flavor: "vllm" });
    const lines = Array.from({ length: 5 }, (_, i) =>
      JSON.stringify({
        id: `q${i}`,
        question: `How many legs do ${i + 2} ants have?`,
        answer: String(6 * (i + 2)),
      }),
    );
    writeFileSync(dataset, `${lines.join("\n")}\n`);
  });
  after(() => server.close());

  for (const shape of ["vllm", "openai"] as const)
    it(`goes round by round to the same results as direct calls (${shape} output lines)`, async () => {
      const direct = join(dir, `direct-${shape}`);
      assert.equal((await runChorusInProcess([...common(), "--out", direct])).code, 0);
      const posts = server.requests.filter((r) => r.method === "POST");
      const directCalls = posts.length;
      // cot's call is self-refine's first call: one batch request serves both
      const distinct = new Set(posts.map((r) => JSON.stringify(r.body))).size;

      const run = join(dir, `batched-${shape}`);
      server.requests.length = 0;
      let step = await runChorusInProcess([
        ...common(),
        "--batch",
        "offline",
        "--batch-max-lines",
        "4",
        "--out",
        run,
      ]);
      let failOnce: string | undefined;
      let retried = false;
      let rounds = 0;
      let exported = 0;
      while (!readdirSync(run).includes("report.json")) {
        assert.equal(step.code, 0, step.stderr);
        assert.match(step.stderr, /item\(s\) wait for batch answers/);
        assert.equal(server.requests.length, 0, "an offline round makes no HTTP call");
        rounds++;
        const files = readdirSync(join(run, "batch"))
          .filter((f) => f.startsWith(`round-${String(rounds).padStart(3, "0")}`))
          .map((f) => join(run, "batch", f));
        assert.ok(files.length > 0);
        const ids = new Set<string>();
        const outputs: string[] = [];
        for (const [p, file] of files.entries()) {
          const input = readFileSync(file, "utf8").trim().split("\n");
          assert.ok(input.length <= 4, `${file} has ${input.length} lines`);
          for (const text of input) {
            const line = JSON.parse(text) as BatchInputLine;
            assert.ok(line.custom_id.length <= 64 && !ids.has(line.custom_id));
            ids.add(line.custom_id);
            assert.equal(line.method, "POST");
            assert.equal(line.url, "/v1/chat/completions");
            assert.equal(line.body["stream"], undefined);
            assert.equal(line.body["model"], "test-model");
          }
          // round 1: one request fails; it must come back in round 2 (once) and then succeed
          const first = JSON.parse(input[0]!) as BatchInputLine;
          if (rounds === 1 && p === 0) failOnce = first.custom_id;
          if (rounds === 2 && failOnce && ids.has(failOnce)) retried = true;
          const out = join(dir, `${shape}-out-${rounds}-${p}.jsonl`);
          const fail = new Set(rounds === 1 && p === 0 ? [first.custom_id] : []);
          const { errorFile } = await runBatch(server, file, out, shape, fail);
          outputs.push(out, ...(errorFile ? [errorFile] : []));
        }
        exported += ids.size;
        server.requests.length = 0;
        const imported = await runChorusInProcess(["batch", "import", run, ...outputs]);
        assert.equal(imported.code, 0, imported.stderr);
        assert.match(
          imported.stderr,
          /0 exported request\(s\) still without an answer|still without an answer/,
        );
        const again = await runChorusInProcess(["batch", "import", run, ...outputs]);
        assert.match(again.stderr, /imported 0 answer\(s\) and 0 failed/);
        step = await runChorusInProcess([
          ...common(),
          "--batch",
          "offline",
          "--batch-max-lines",
          "4",
          "--resume",
          run,
        ]);
        assert.ok(rounds < 8, "rounds do not end");
      }
      assert.equal(step.code, 0, step.stderr);
      assert.equal(
        server.requests.length,
        0,
        "the last resume answers everything from the imports",
      );
      assert.ok(retried, "the failed request was exported again in round 2");
      // solve, critique, refine: three dependent rounds (cot finishes in the first), and one more
      // for the item whose round-1 request failed: it is retried in round 2, so its critique
      // and refine come a round later
      assert.equal(rounds, 4);
      assert.equal(exported, distinct + 1);
      assert.deepEqual(predictions(run), predictions(direct));
      const events = readFileSync(join(run, "events.jsonl"), "utf8").trim().split("\n");
      assert.equal(
        events.length,
        directCalls,
        "one event per answered call, none for pending ones",
      );
      assert.ok(events.every((e) => !("error" in JSON.parse(e))));
      // each round replays an unfinished item's answered calls; they are logged once, not per round
      const perItem = new Map<string, number>();
      for (const e of events) {
        const item = (JSON.parse(e) as { item: string }).item;
        perItem.set(item, (perItem.get(item) ?? 0) + 1);
      }
      for (const [item, calls] of perItem)
        assert.equal(calls, item.startsWith("self-refine/") ? 3 : 1, item);
    });

  it("refuses an output line for a request the run did not export", async () => {
    const run = join(dir, "batched-vllm");
    const stray = join(dir, "stray.jsonl");
    writeFileSync(
      stray,
      `${JSON.stringify({ id: "x", custom_id: "nope-0", response: { status_code: 200, body: {} }, error: null })}\n`,
    );
    const r = await runChorusInProcess(["batch", "import", run, stray]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /stray\.jsonl:1: custom_id "nope-0" is not a request this run exported/);
  });
});
