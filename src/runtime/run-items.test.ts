import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { BatchPendingError, DataError } from "../model/errors.ts";
import { ScriptedModel } from "../testing/scripted-model.ts";
import { Run } from "./run.ts";
import { runItems } from "./run-items.ts";
import { RunStats } from "./run-stats.ts";
import { TokenBudget } from "./token-budget.ts";
import { wrapModel } from "./wrap-model.ts";

const items = Array.from({ length: 12 }, (_, i) => ({ id: `q${i}`, text: `question ${i}` }));

test("a budget stop keeps finished items and a resume finishes the rest once each", async () => {
  const runsDir = mkdtempSync(join(tmpdir(), "chorus-items-"));
  const inner = new ScriptedModel({ script: (r) => `answer to ${r.prompt}` });
  const events: string[] = [];
  const attempt = async (run: Run, limit: number) => {
    const stats = new RunStats();
    const model = wrapModel(inner, {
      budget: new TokenBudget(limit, run.tokensSpentBefore),
      stats,
      onCall: (e) => {
        run.appendEvent(e);
        events.push(e.item ?? "");
      },
    });
    return runItems(
      items,
      async (item) => (await model.generate({ prompt: item.text })).generations[0]?.text,
      { run, concurrency: 3, stats },
    );
  };

  const run = Run.create({ runsDir, config: {} });
  // Each call spends 2 + 4 = 6 tokens: the budget of 30 is reached after 5 calls.
  const first = await attempt(run, 30);
  run.close();
  assert.equal(first.stopped?.reason, "budget");
  assert.match(first.stopped?.message ?? "", /token budget reached/);
  assert.ok(first.completed >= 5 && first.completed < items.length);
  assert.deepEqual(first.failed, []);

  const resumed = Run.resume(run.dir);
  const second = await attempt(resumed, 1000);
  resumed.close();
  assert.equal(second.stopped, undefined);
  assert.equal(second.skipped, first.completed);
  assert.equal(second.completed, items.length - first.completed);
  assert.deepEqual(
    second.results.map((r) => [r.id, r.result]),
    items.map((item) => [item.id, `answer to ${item.text}`]),
  );
  const lines = readFileSync(resumed.resultsPath, "utf8").trim().split("\n");
  assert.equal(lines.length, items.length);
  assert.ok(
    events.every((item) => item.startsWith("q")),
    "events name their item",
  );
});

test("a failing item is recorded and retried on resume; duplicate ids are refused", async () => {
  const run = Run.create({ runsDir: mkdtempSync(join(tmpdir(), "chorus-items-")), config: {} });
  let broken = true;
  const work = async (n: number) => {
    if (n === 2 && broken) throw new Error("bad item");
    return n * 10;
  };
  const first = await runItems([1, 2, 3], work, { run });
  assert.deepEqual(
    first.failed.map((f) => [f.id, f.error]),
    [["1", "bad item"]],
  );
  broken = false;
  const second = await runItems([1, 2, 3], work, { run });
  assert.deepEqual(
    second.results.map((r) => r.result),
    [10, 20, 30],
  );
  assert.equal(second.skipped, 2);
  run.close();
  await assert.rejects(
    runItems([{ id: "x" }, { id: "x" }], async () => 1),
    DataError,
  );
});

test("holdCalls logs a deferred item's calls only in the round that finishes it", async () => {
  const run = Run.create({ runsDir: mkdtempSync(join(tmpdir(), "chorus-items-")), config: {} });
  let answered = false; // whether item b's second call has its batch answer yet
  const inner = new ScriptedModel({
    script: (r) => {
      if (r.prompt === "b 2" && !answered) throw new BatchPendingError("b-2");
      if (r.prompt === "c 2") throw new Error("refused");
      return `answer to ${r.prompt}`;
    },
  });
  const events: string[] = [];
  const stats = new RunStats();
  const model = wrapModel(inner, { stats, onCall: (e) => events.push(e.item ?? "") });
  const round = () =>
    runItems(
      ["a", "b", "c"],
      async (id) => {
        await model.generate({ prompt: `${id} 1` });
        return (await model.generate({ prompt: `${id} 2` })).generations[0]?.text;
      },
      { id: (id) => id, run, holdCalls: true },
    );
  const first = await round();
  assert.equal(first.deferred, 1);
  assert.deepEqual(events.sort(), ["a", "a", "c", "c"], "b's answered first call waits");
  assert.equal(stats.calls, 4);
  answered = true;
  const second = await round();
  run.close();
  assert.equal(second.completed, 1);
  assert.deepEqual(
    second.failed.map((f) => f.id),
    ["c"],
  );
  assert.deepEqual(
    events.filter((e) => e === "b"),
    ["b", "b"],
  );
});
