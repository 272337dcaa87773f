import assert from "node:assert/strict";
import { test } from "node:test";
import { exampleAsserts } from "./humanevalfix.ts";
import { loadDataset } from "./index.ts";

test("humanevalfix-python: 164 tasks with buggy code, gold code, hidden tests and examples", async () => {
  const items = await loadDataset("humanevalfix-python", { split: "test" });
  assert.equal(items.length, 164);
  const first = items[0]!;
  assert.equal(first.id, "Python/0");
  assert.equal(first.answerType, "none");
  const meta = first.meta as Record<string, unknown>;
  assert.equal(meta["entryPoint"], "has_close_elements");
  assert.match(meta["buggyCode"] as string, /def has_close_elements[\s\S]*distance = elem - elem2/);
  assert.match(meta["goldCode"] as string, /abs\(elem - elem2\)/);
  assert.match(meta["hiddenTest"] as string, /check\(has_close_elements\)/);
  assert.deepEqual(meta["exampleTests"], [
    { input: "[1.0, 2.0, 3.0], 0.5", output: "False" },
    { input: "[1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3", output: "True" },
  ]);
  // the registry finds it by name
  assert.equal((await loadDataset("humanevalfix-python", { limit: 2 })).length, 2);
});

test("humanevalfix-js: 164 tasks; the entry point is the declared name (JS/114's field is misspelt)", async () => {
  const items = await loadDataset("humanevalfix-js", { split: "test" });
  assert.equal(items.length, 164);
  const item = items.find((i) => i.id === "JavaScript/114")!;
  assert.equal((item.meta as Record<string, unknown>)["entryPoint"], "minSubArraySum");
  assert.equal((item.meta as Record<string, unknown>)["language"], "js");
});

test("exampleAsserts reads `assert f(args) == value` lines and skips other shapes", async () => {
  assert.deepEqual(
    exampleAsserts(
      "def check(f):\n    assert f([1], 2) == [3]\n    assert abs(f(1) - 2) < 1e-6\n    assert f('a)') == 'b'\n",
      "f",
    ),
    [
      { input: "[1], 2", output: "[3]" },
      { input: "'a)'", output: "'b'" },
    ],
  );
});
