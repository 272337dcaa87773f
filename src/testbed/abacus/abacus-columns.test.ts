import assert from "node:assert/strict";
import { test } from "node:test";
import { wordCount } from "../atlas/atlas-corpus.ts";
import { abacusFinalAnswer } from "./abacus-answer.ts";
import { abacusConfig, abacusVariants } from "./abacus-config.ts";
import { abacusCorpus } from "./abacus-corpus.ts";
import { abacusItems } from "./abacus-eval.ts";
import { defaultChainShape } from "./chain-skill.ts";
import { columnWorking } from "./column-working.ts";
import { type Notation, readNumber } from "./digits.ts";

// The `columns` world (docs/testbed.md, "Abacus with worked columns"): add, sub and chain steps
// answered after their column working; everything else as the default world.
const plain = abacusItems(5, 40);
const worked = abacusItems(5, 40, defaultChainShape, "msb-first", "columns");

test("the worked world asks the same questions; only add, sub and chain solutions change", () => {
  assert.deepEqual(
    worked.map((i) => [i.id, i.prompt, i.answer, i.difficulty]),
    plain.map((i) => [i.id, i.prompt, i.answer, i.difficulty]),
  );
  worked.forEach((item, k) => {
    const changed = ["add", "sub", "chain"].includes(item.skill);
    assert.equal(item.solution !== plain[k]!.solution, changed, item.id);
  });
});

/** x and y of an add or sub question, whatever its wording (the larger first for sub). */
function operands(prompt: string, notation: Notation): [number, number] {
  const numbers = prompt.match(/\d(?: \d)*/g)!.map((n) => readNumber(n, notation));
  assert.equal(numbers.length, 2, prompt);
  return [numbers[0]!, numbers[1]!];
}

test("add and sub answers follow their column working, in either notation", () => {
  for (const notation of ["msb-first", "lsb-first"] as const) {
    const items = abacusItems(6, 60, defaultChainShape, notation, "columns");
    for (const item of items.filter((i) => i.skill === "add" || i.skill === "sub")) {
      const op = item.skill === "add" ? "+" : "-";
      let [x, y] = operands(item.prompt, notation);
      // "take y away from x" names the subtrahend first
      if (op === "-" && y > x) [x, y] = [y, x];
      assert.equal(item.solution, `${columnWorking(x, op, y, notation)} answer : ${item.answer} .`);
      assert.equal(readNumber(item.answer, notation), op === "+" ? x + y : x - y, item.prompt);
      // the reader of the worked world finds the answer after the working; the default reader
      // would read the first column's rests instead
      assert.equal(abacusFinalAnswer(item.skill, item.solution, "columns"), item.answer);
      assert.notEqual(abacusFinalAnswer(item.skill, item.solution), item.answer);
    }
  }
});

test("every worked chain step replays its assignment, and the chain's answer is the last", () => {
  const chains = worked.filter((i) => i.skill === "chain");
  assert.ok(chains.length === 40);
  for (const item of chains) {
    const values = new Map<string, number>();
    const steps = item.solution.split(/ ?step \d+(?: \d)* : /).slice(1);
    for (const [k, step] of steps.entries()) {
      if (k === 0) {
        const [, name, value] = step.match(/^(\w) = ([\d ]+) \.$/)!;
        values.set(name!, readNumber(value!));
        continue;
      }
      const m = step.match(
        /^(\w) = (\w) ([+-]) ([\d ]+) = (.+ \.) (\w) = ([\d ]+) \.(?: answer.*)?$/,
      );
      assert.ok(m, step);
      const [, target, from, op, c, working, again, value] = m;
      const v = values.get(from!)!;
      const constant = readNumber(c!);
      const result = op === "+" ? v + constant : v - constant;
      assert.equal(working, columnWorking(v, op as "+" | "-", constant));
      assert.equal(again, target);
      assert.equal(readNumber(value!), result);
      values.set(target!, result);
    }
    const target = item.prompt.match(/what is (\w) \?/)![1]!;
    assert.equal(readNumber(item.answer), values.get(target));
    assert.equal(abacusFinalAnswer("chain", item.solution, "columns"), item.answer);
  }
});

test("the worked world adds two words, and its corpus is the default's draws at more words a task", () => {
  const config = abacusConfig({ ...abacusVariants.columns!.config, tokens: 40_000 });
  assert.equal(config.working, "columns");
  const words = (c: typeof config) =>
    new Set([...abacusCorpus(c)].flatMap((d) => d.text.split(" ")));
  const extra = [...words(config)].filter((w) => !words(abacusConfig({ tokens: 40_000 })).has(w));
  assert.deepEqual(extra.sort(), ["borrow", "carry"]);
  const docs = [...abacusCorpus(config)];
  assert.ok(docs.reduce((n, d) => n + wordCount(d.text), 0) >= 40_000);
  assert.throws(() => abacusConfig({ working: "scratch" as never }), /working must be one of/);
});
