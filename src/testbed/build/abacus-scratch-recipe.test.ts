import assert from "node:assert/strict";
import { test } from "node:test";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import { type AbacusConfig, abacusConfig } from "../abacus/abacus-config.ts";
import { abacusCorpus } from "../abacus/abacus-corpus.ts";
import { abacusItems } from "../abacus/abacus-eval.ts";
import { defaultChainShape } from "../abacus/chain-skill.ts";
import { wordCount } from "../atlas/atlas-corpus.ts";
import { testbedRecipe } from "./build-model.ts";
import { recipeWorld, recipeWorldConfig } from "./recipe-world.ts";

// abacus-scratch-1m, pre-registered in docs/testbed.md ("Abacus with worked columns").
const scratch = testbedRecipe("abacus-scratch-1m");

test("abacus-scratch-1m is abacus-1m's recipe on the worked-columns world, with the window it needs", () => {
  const { name, variant, about, shape, ...rest } = scratch;
  const { name: _, about: __, shape: baseShape, ...base } = testbedRecipe("abacus-1m");
  assert.deepEqual(rest, base, "nothing but the variant and the window changed");
  assert.deepEqual(shape, { ...baseShape, seqLen: 704 });
  assert.equal(variant, "columns");
  const config = recipeWorldConfig(scratch);
  assert.deepEqual(config, {
    ...abacusConfig({ seed: 7, tokens: 12_000_000 }),
    working: "columns",
  });
});

test("every document of its 12M-word corpus fits its window with BOS and EOS, and 640 would not", () => {
  let longest = 0;
  for (const d of abacusCorpus(recipeWorldConfig(scratch) as AbacusConfig))
    longest = Math.max(longest, wordCount(d.text));
  assert.ok(longest + 2 <= scratch.shape.seqLen + 1, `${longest} words`);
  assert.ok(longest + 2 > 640 + 1, `${longest} words: the window could be smaller`);
});

test("its check asks the default world's questions and reads the answer after the working", async () => {
  const small = recipeWorld({ ...scratch, worldOverrides: { seed: 7, tokens: 3_000 } });
  const items = abacusItems(1, 3, defaultChainShape, "msb-first", "columns");
  // a model that writes each item's worked solution: right everywhere only if read after the working
  const asked = new ScriptedModel({
    script: (request) => ` ${items.find((i) => i.prompt === request.prompt)!.solution}`,
  });
  const checks = await small.check(asked, { skillsN: 3 });
  assert.ok("skills" in checks);
  assert.equal(checks.accuracy, 1);
  assert.deepEqual(
    asked.calls.map((c) => c.prompt),
    abacusItems(1, 3).map((i) => i.prompt),
  );
  // budgets hold the worked solution
  for (const [k, call] of asked.calls.entries())
    assert.ok(call.maxTokens! >= wordCount(items[k]!.solution), items[k]!.id);
});
