import assert from "node:assert/strict";
import { test } from "node:test";
import {
  firstTask,
  isRight,
  laserAbacusPrompts,
  laserAbacusTestItems,
  laserFamilies,
} from "./laser-abacus-items.ts";

test("streams: each family's skills in turn, and no prompt shared between streams or with the test", () => {
  const loop = laserAbacusPrompts(1, "loop-train", 60);
  const rm = laserAbacusPrompts(1, "rm-train", 60);
  const held = laserAbacusPrompts(1, "rm-heldout", 60);
  const testItems = laserAbacusTestItems(1, 60);
  assert.equal(loop.length, 120);
  assert.deepEqual(
    loop
      .filter((it) => it.family === "list")
      .slice(0, 4)
      .map((it) => it.skill),
    ["sort", "reverse", "count", "sort"],
  );
  assert.ok(loop.filter((it) => it.family === "prog").every((it) => it.skill === "prog"));
  // prog prompts are long programs: any overlap between streams would be a shared generator
  const progs = (xs: typeof loop) =>
    new Set(xs.filter((x) => x.skill === "prog").map((x) => x.prompt));
  for (const [a, b] of [
    [loop, rm],
    [loop, held],
    [rm, held],
    [loop, testItems],
  ] as const)
    assert.equal([...progs(a)].filter((p) => progs(b).has(p)).length, 0);
  assert.deepEqual(laserAbacusPrompts(1, "loop-train", 60), loop, "seeded");
});

test("test set: registered shape (a third per list skill, all prog), gold completions are right", () => {
  const items = laserAbacusTestItems(1, 450);
  assert.equal(items.length, 900);
  for (const skill of [...laserFamilies.list, "prog"])
    assert.equal(items.filter((it) => it.skill === skill).length, skill === "prog" ? 450 : 150);
  assert.ok(items.every((it) => it.prompt.startsWith("Q: ") && it.prompt.endsWith(" A:")));
  assert.ok(items.every((it) => isRight(it, ` ${it.gold}`)));
  assert.ok(laserAbacusPrompts(2, "rm-train", 30).every((it) => isRight(it, ` ${it.gold}\nQ: x`)));
});

test("firstTask and isRight read only the first task", () => {
  assert.equal(firstTask(" 1 , 2 .\n  Q: put 3 in order ? A: 3 ."), "1 , 2 .");
  const item = { skill: "sort" as const, answer: "1 , 2" };
  assert.equal(isRight(item, " 1 , 2 .\nQ: 9"), true);
  assert.equal(isRight(item, " 2 , 1 ."), false);
  assert.equal(isRight(item, ""), false);
});
