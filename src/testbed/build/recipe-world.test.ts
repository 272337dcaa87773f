import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../model/errors.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import { abacusConfig } from "../abacus/abacus-config.ts";
import { abacusCorpus } from "../abacus/abacus-corpus.ts";
import { abacusItems } from "../abacus/abacus-eval.ts";
import { abacusSkills } from "../abacus/abacus-skills.ts";
import { defaultChainShape } from "../abacus/chain-skill.ts";
import { wordCount } from "../atlas/atlas-corpus.ts";
import { testbedRecipe } from "./build-model.ts";
import { recipeWorld, recipeWorldConfig } from "./recipe-world.ts";
import { type TestbedRecipe, testbedRecipes } from "./testbed-recipes.ts";

/** A model that answers every probe with nothing a check accepts. */
const blank = () => new ScriptedModel({ script: () => " ," });

test("each recipe resolves to its own world's config; abacus-1m is the design's model", () => {
  for (const recipe of Object.values(testbedRecipes)) {
    const config = recipeWorldConfig(recipe) as unknown as Record<string, unknown>;
    assert.equal("people" in config, recipe.world === "atlas", recipe.name);
    assert.equal("chain" in config, recipe.world === "abacus", recipe.name);
  }
  const abacus = testbedRecipe("abacus-1m");
  assert.equal(abacus.world, "abacus");
  assert.deepEqual(recipeWorldConfig(abacus), abacusConfig({ seed: 7, tokens: 12_000_000 }));
  const { arch, layers, dim, heads, ffn, tiedEmbeddings } = abacus.shape;
  assert.deepEqual(
    [arch, layers, dim, heads, ffn, tiedEmbeddings],
    ["llama", 4, 128, 4, 384, true],
  );
  assert.equal(abacus.train.epochs, 1);
  assert.equal(abacus.type, "Q8_0");
  assert.throws(() => testbedRecipe("abacus-2m"), /known: .*abacus-1m.*abacus-smoke/);
});

test("a variant is looked up among its own world's variants", () => {
  const atlasSmoke = testbedRecipe("atlas-smoke");
  assert.equal((recipeWorldConfig(atlasSmoke) as { people: number }).people, 64);
  const nullChains = {
    ...testbedRecipe("abacus-smoke"),
    variant: "magicore-null",
  } as TestbedRecipe;
  assert.deepEqual((recipeWorldConfig(nullChains) as { chain: unknown }).chain, {
    steps: [2, 2],
    digits: [2, 2],
    distractors: [0, 0],
  });
  // atlas's variant names mean nothing to abacus
  const wrong = { ...testbedRecipe("abacus-smoke"), variant: "adacad-null" } as TestbedRecipe;
  assert.throws(
    () => recipeWorldConfig(wrong),
    (e: unknown) =>
      e instanceof ConfigError && /unknown abacus variant "adacad-null"/.test(e.message),
  );
});

test("an Abacus recipe trains on the Abacus corpus and is checked per skill", async () => {
  const recipe = testbedRecipe("abacus-smoke");
  const world = recipeWorld(recipe);
  const config = abacusConfig(recipe.worldOverrides as object);
  assert.deepEqual(
    world.documents,
    [...abacusCorpus(config)].map((d) => d.text),
  );
  const words = world.documents.reduce((n, d) => n + wordCount(d), 0);
  assert.deepEqual(world.corpus, { total: words, documents: world.documents.length });
  // every document fits the recipe's window with BOS and EOS (one token per word)
  const longest = Math.max(...world.documents.map(wordCount));
  assert.ok(longest + 2 <= recipe.shape.seqLen + 1, `${longest} words`);
  const checks = await world.check(blank(), { skillsN: 2, knowledgeLimit: 5 });
  assert.ok("skills" in checks);
  assert.deepEqual(
    checks.skills.map((s) => [s.skill, s.n, s.accuracy]),
    abacusSkills.map((s) => [s, 2, 0]),
  );
});

test("abacus-lsb-1m is abacus-1m's recipe on the lsb-first world, checked in that notation", async () => {
  const lsb = testbedRecipe("abacus-lsb-1m");
  const { name, variant, about, ...rest } = lsb;
  const { name: _, about: __, ...base } = testbedRecipe("abacus-1m");
  assert.deepEqual(rest, base, "nothing but the variant changed");
  assert.equal(variant, "lsb-first");
  assert.deepEqual(recipeWorldConfig(lsb), {
    ...abacusConfig({ seed: 7, tokens: 12_000_000 }),
    notation: "lsb-first",
  });
  // the same path at a few thousand words: corpus and check items in the model's notation
  const small = recipeWorld({ ...lsb, worldOverrides: { seed: 7, tokens: 3_000 } });
  const asked = new ScriptedModel({ script: () => " ," });
  await small.check(asked, { skillsN: 3 });
  const want = abacusItems(1, 3, defaultChainShape, "lsb-first").map((i) => i.prompt);
  assert.deepEqual(
    asked.calls.map((c) => c.prompt),
    want,
  );
  assert.notDeepEqual(
    want,
    abacusItems(1, 3).map((i) => i.prompt),
  );
  assert.deepEqual(
    small.documents,
    [...abacusCorpus(abacusConfig({ seed: 7, tokens: 3_000, notation: "lsb-first" }))].map(
      (d) => d.text,
    ),
  );
});

test("an Atlas recipe trains on the Atlas corpus and is checked by its knowledge curve", async () => {
  const world = recipeWorld(testbedRecipe("atlas-smoke"));
  assert.ok(world.documents.length > 100);
  assert.ok(world.corpus["bio"]! > 0 && world.corpus["total"]! >= 60_000);
  const model = blank();
  const checks = await world.check(model, { knowledgeLimit: 12, readingN: 4, skillsN: 1 });
  assert.ok("knowledgeCurve" in checks);
  assert.equal(checks.knowledgeCurve.length, 6);
  assert.equal(checks.reading.n, 4);
  // Atlas probes: short answers, no Abacus digits
  assert.ok(model.calls.every((c) => c.maxTokens === 6 && !/\d/.test(c.prompt!)));
});
