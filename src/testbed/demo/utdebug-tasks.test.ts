import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../../math/seeded-random.ts";
import { parseProgram, programCode, randomProgram } from "../abacus/prog-dsl.ts";
import { ProgHarness } from "./utdebug-dsl-harness.ts";
import {
  drawProgTask,
  hiddenPasses,
  keepsBug,
  perturbations,
  progDebugTask,
} from "./utdebug-tasks.ts";

test("parseProgram reads back every program programCode writes, and refuses other text", () => {
  const rng = new SeededRandom(3);
  for (let i = 0; i < 200; i++) {
    const program = randomProgram(rng, 4);
    assert.deepEqual(parseProgram(programCode(program)), program);
  }
  assert.deepEqual(parseProgram("map(+3)|sort"), [{ op: "add", k: 3 }, { op: "sort" }]);
  assert.equal(parseProgram("map ( + 3 ) | shuffle"), undefined);
  assert.equal(parseProgram(""), undefined);
});

test("perturbations: constant ±1, parity, sort↔reverse, swaps and drops, all differing from gold", () => {
  const gold = parseProgram("map ( + 1 ) | keep ( even ) | sort")!;
  const kinds = perturbations(gold).map((p) => `${p.kind}:${programCode(p.program)}`);
  assert.deepEqual(kinds, [
    "constant:map ( + 2 ) | keep ( even ) | sort",
    "swap:keep ( even ) | map ( + 1 ) | sort",
    "drop:keep ( even ) | sort",
    "parity:map ( + 1 ) | keep ( odd ) | sort",
    "swap:map ( + 1 ) | sort | keep ( even )",
    "drop:map ( + 1 ) | sort",
    "sort-reverse:map ( + 1 ) | keep ( even ) | reverse",
    "drop:map ( + 1 ) | keep ( even )",
  ]);
  // one op: no swap, no drop; map(+1) has no k - 1 = 0
  assert.deepEqual(
    perturbations(parseProgram("map ( + 1 )")!).map((p) => programCode(p.program)),
    ["map ( + 2 )"],
  );
});

test("tasks keep hard bugs (≥ 50% and < 100% of 20 hidden tests) or, in the null world, bugs failing all", () => {
  assert.equal(keepsBug("hard", 10, 20), true);
  assert.equal(keepsBug("hard", 9, 20), false);
  assert.equal(keepsBug("hard", 20, 20), false);
  assert.equal(keepsBug("fails-all", 0, 20), true);
  for (let i = 0; i < 30; i++) {
    const hard = drawProgTask(1, "test", i, "hard");
    assert.equal(hard.hidden.length, 20);
    assert.equal(hiddenPasses(hard.gold, hard.buggy, hard.hidden), hard.buggyPasses);
    assert.ok(hard.buggyPasses >= 10 && hard.buggyPasses < 20, `${hard.id}: ${hard.buggyPasses}`);
    const none = drawProgTask(1, "test", i, "fails-all");
    assert.equal(none.buggyPasses, 0);
  }
  assert.deepEqual(drawProgTask(1, "test", 5, "hard"), drawProgTask(1, "test", 5, "hard"));
  assert.notDeepEqual(drawProgTask(1, "test", 5, "hard"), drawProgTask(2, "test", 5, "hard"));
  const task = progDebugTask(drawProgTask(1, "test", 0, "hard"));
  assert.equal(task.language, "prog");
  assert.equal(task.hiddenTest.split(" ; ").length, 20);
});

test("the DSL harness runs code on UTs and scores validity, attack and output correctness", async () => {
  const h = new ProgHarness();
  const gold = "map ( + 1 ) | keep ( even )";
  const buggy = "map ( + 1 ) | keep ( odd )";
  assert.deepEqual(
    await h.run(gold, "program", [
      { input: "1 , 3 , 4", output: "2 , 4" },
      { input: "1 , 3 , 4", output: "5" },
      { input: "1 2", output: "empty" },
    ]),
    [
      { verdict: "pass", actual: "2 , 4" },
      { verdict: "fail", actual: "2 , 4" },
      { verdict: "error", actual: "error" },
    ],
  );
  assert.deepEqual(await h.run("map ( + x )", "program", [{ input: "1", output: "2" }]), [
    { verdict: "error", actual: "error" },
  ]);
  assert.deepEqual(
    await h.intrinsic(gold, buggy, "program", [
      { input: "1 , 3", output: "2 , 4" },
      { input: "1 , 3", output: "2" },
      { input: "nine", output: "2" },
    ]),
    [
      { valid: true, attack: true, outputCorrect: true },
      { valid: true, attack: true, outputCorrect: false },
      { valid: false, attack: false, outputCorrect: false },
    ],
  );
  const parsed = await h.parse(
    ["3 , 1", "3,1", "1 , 2 , 3 , 4 , 5 , 6 , 7 , 8 , 9"],
    ["empty", "1 2 , 3", "x"],
  );
  assert.deepEqual(
    parsed.inputs.map((p) => [p.ok, p.key]),
    [
      [true, "3 , 1"],
      [true, "3 , 1"],
      [false, ""],
    ],
  );
  assert.deepEqual(
    parsed.literals.map((p) => [p.ok, p.repr]),
    [
      [true, "empty"],
      [true, "1 2 , 3"],
      [false, ""],
    ],
  );
});
