import assert from "node:assert/strict";
import { test } from "node:test";
import type { GenerateRequest } from "../../model/language-model.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import { abacusConfig, abacusVariants } from "../abacus/abacus-config.ts";
import { abacusItems } from "../abacus/abacus-eval.ts";
import { type AbacusSkill, taskText } from "../abacus/abacus-skills.ts";
import { abacusChecks } from "./abacus-checks.ts";

const world = abacusConfig(abacusVariants["magicore-null"]!.config);
const { chain } = world;
const items = abacusItems(3, 5, chain);
const lsbWorld = abacusConfig(abacusVariants["lsb-first"]!.config);
const lsbItems = abacusItems(3, 5, lsbWorld.chain, "lsb-first");

/**
 * A model that has learned `known` skills: after `A:` it writes the corpus line's solution and
 * then a next task, cut to the request's token budget (one token per word); elsewhere it writes
 * the right working with a wrong final answer (a 9 in front).
 */
function modelKnowing(known: readonly AbacusSkill[], asked = items): ScriptedModel {
  return new ScriptedModel({
    script: (request: GenerateRequest) => {
      const item = asked.find((i) => i.prompt === request.prompt);
      assert.ok(item, `not a skills item: ${request.prompt}`);
      assert.equal(request.temperature, 0);
      const line = taskText({ ...item, question: item.prompt.slice(3, -3) });
      let solution = line.slice(item.prompt.length);
      if (!known.includes(item.skill)) {
        const at = solution.lastIndexOf(item.answer);
        solution = `${solution.slice(0, at)}9 ${solution.slice(at)}`;
      }
      const after = `${solution} Q: what is 2 plus 2 ? A: 4 .`;
      return after
        .split(" ")
        .slice(0, 1 + request.maxTokens!)
        .join(" ");
    },
  });
}

test("accuracy per skill: exact final answers of the skills eval set, probed greedily", async () => {
  const model = modelKnowing(["add", "chain"]);
  const checks = await abacusChecks(model, world, { n: 5, evalSeed: 3 });
  assert.deepEqual(
    checks.skills.map((s) => [s.skill, s.n, s.accuracy]),
    [
      ["add", 5, 1],
      ["sub", 5, 0],
      ["max", 5, 0],
      ["sort", 5, 0],
      ["reverse", 5, 0],
      ["count", 5, 0],
      ["chain", 5, 1],
      ["prog", 5, 0],
    ],
  );
  assert.equal(checks.accuracy, 10 / 40);
  assert.equal(checks.evalSeed, 3);
  // the world's chain shape sets the chain problems asked
  assert.deepEqual(
    model.calls.map((c) => c.prompt),
    items.map((i) => i.prompt),
  );
});

test("a model that knows every skill scores 1 everywhere: budgets hold a right answer", async () => {
  const all = ["add", "sub", "max", "sort", "reverse", "count", "chain", "prog"] as const;
  const checks = await abacusChecks(modelKnowing(all), world, { n: 5, evalSeed: 3 });
  assert.equal(checks.accuracy, 1);
});

test("an lsb-first model is asked in its own notation, and its notation's answers are right", async () => {
  const all = ["add", "sub", "max", "sort", "reverse", "count", "chain", "prog"] as const;
  const model = modelKnowing(all, lsbItems);
  const checks = await abacusChecks(model, lsbWorld, { n: 5, evalSeed: 3 });
  assert.equal(checks.accuracy, 1);
  assert.deepEqual(
    model.calls.map((c) => c.prompt),
    lsbItems.map((i) => i.prompt),
  );
  assert.notDeepEqual(lsbItems, abacusItems(3, 5, lsbWorld.chain), "the notation is in the items");
});
