import assert from "node:assert/strict";
import { test } from "node:test";
import { loadDataset } from "./index.ts";

test("mbpp-plus-fix-hard: 170 tasks with buggy code, hidden EvalPlus tests and the prompt's example", async () => {
  const items = await loadDataset("mbpp-plus-fix-hard", { split: "test" });
  assert.equal(items.length, 170);
  const first = items[0]!;
  assert.equal(first.id, "mbpp-6");
  const meta = first.meta as Record<string, unknown>;
  assert.equal(meta["entryPoint"], "differ_At_One_Bit_Pos");
  assert.match(meta["codePrompt"] as string, /assert differ_At_One_Bit_Pos\(13,9\) == True/);
  assert.deepEqual(meta["exampleTests"], [{ input: "13,9", output: "True" }]);
  assert.match(
    meta["hiddenTest"] as string,
    /for i, \(inp, exp\) in enumerate\(zip\(inputs, results\)\)/,
  );
  assert.equal(items.filter((i) => (i.meta as Record<string, unknown>)["setCompare"]).length, 6);
});
