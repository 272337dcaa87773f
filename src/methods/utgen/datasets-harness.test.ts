import assert from "node:assert/strict";
import { test } from "node:test";
import { loadDataset } from "../../evals/datasets/index.ts";
import { debugTaskFromItem } from "./debug-task-from-item.ts";
import { runHiddenTests } from "./hidden-tests.ts";

// A sample of the full sweep in scripts/check-datasets.ts (all items, several minutes): the
// canonical solution passes its hidden tests in the sandbox and the buggy one fails them.
const python = await loadDataset("humanevalfix-python");
const js = await loadDataset("humanevalfix-js");
const mbpp = await loadDataset("mbpp-plus-fix-hard");
const sample = [
  ...[0, 57, 120].map((i) => python[i]!),
  ...[3, 99].map((i) => js[i]!),
  ...[0, 85].map((i) => mbpp[i]!),
];

test("sampled datasets: canonical solutions pass and buggy solutions fail the hidden tests", async () => {
  const outcomes = await Promise.all(
    sample.map(async (item) => {
      const task = debugTaskFromItem(item);
      const [gold, buggy] = await Promise.all([
        runHiddenTests(task, task.goldCode!),
        runHiddenTests(task, task.buggyCode),
      ]);
      return { id: item.id, gold: gold.pass, buggy: buggy.pass, why: gold.reason };
    }),
  );
  for (const o of outcomes) {
    assert.equal(o.gold, true, `${o.id}: canonical solution fails: ${o.why}`);
    assert.equal(o.buggy, false, `${o.id}: buggy solution passes`);
  }
});
