import assert from "node:assert/strict";
import { test } from "node:test";
import { adacadItems } from "./adacad-items.ts";
import { atlasConfig, atlasVariants } from "./atlas-config.ts";
import { atlasCorpus } from "./atlas-corpus.ts";
import { atlasEvalSets } from "./atlas-eval-sets.ts";
import { heldOutQuestion, questionTemplates } from "./atlas-templates.ts";
import { buildAtlasWorld } from "./atlas-world.ts";
import { knowledgeItems } from "./knowledge-items.ts";
import { steerChoiceItems, steerStatements } from "./steer-items.ts";

const world = buildAtlasWorld(atlasConfig(atlasVariants.smoke!.config));
const truth = new Map(world.people.map((p) => [p.name, p.facts]));

test("conflict items' gold differs from the world's value; agreeing items' equals it; both in the context", () => {
  const items = adacadItems(world, 1, { conflict: 200, agreeing: 200, contextOnly: 50 });
  assert.equal(items.length, 450);
  for (const item of items) {
    assert.ok(item.context.includes(`${item.person} `) && item.context.includes(` ${item.gold} `));
    assert.ok(item.contextPrompt.endsWith(`Q: ${item.question} A:`));
    assert.equal(item.plainPrompt, `Q: ${item.question} A:`);
    assert.equal(
      item.question,
      questionTemplates[item.relation][heldOutQuestion]!.replace("{n}", item.person),
    );
    if (item.set === "context-only") {
      assert.ok(world.unseen.includes(item.person));
      assert.equal(item.memory, undefined);
      assert.equal(item.exposures, 0);
      continue;
    }
    const value = truth.get(item.person)![item.relation];
    assert.equal(item.memory, value);
    if (item.set === "conflict") assert.notEqual(item.gold, value);
    else assert.equal(item.gold, value);
    // 1–2 distractor people with the same relation and other values
    const sentences = item.context.split(" . ").length;
    assert.ok(sentences >= 2 && sentences <= 3, item.context);
  }
});

test("the eval seed draws a new eval set over the same world; the same seed the same set", () => {
  const a = JSON.stringify(adacadItems(world, 1));
  assert.equal(JSON.stringify(adacadItems(world, 1)), a);
  assert.notEqual(JSON.stringify(adacadItems(world, 2)), a);
});

test("the knowledge probe asks every known fact once, with its exposure count", () => {
  const items = knowledgeItems(world);
  assert.equal(items.length, world.people.length * 6);
  assert.equal(new Set(items.map((i) => `${i.person}/${i.relation}`)).size, items.length);
  for (const i of items) assert.equal(i.gold, truth.get(i.person)![i.relation]);
  assert.ok(items.some((i) => i.exposures > 50) && items.some((i) => i.exposures < 20));
});

test("steering statements come in contrast pairs per attribute, label 1 = desirable", () => {
  const statements = steerStatements(world, 1, 50);
  assert.equal(statements.length, 300);
  for (let i = 0; i < statements.length; i += 2) {
    const [good, bad] = [statements[i]!, statements[i + 1]!];
    assert.equal(good.attribute, bad.attribute);
    assert.deepEqual([good.label, bad.label], [1, 0]);
    assert.notEqual(good.text, bad.text);
  }
  const truthful = statements.filter((s) => s.attribute === "truthful" && s.label === 1);
  const isTrue = (text: string) =>
    world.people.some(
      (p) =>
        text.includes(`${p.name} `) && Object.values(p.facts).some((v) => text.includes(` ${v} `)),
    );
  assert.ok(truthful.every((s) => isTrue(s.text)));
});

test("MAT-Steer MC items open with two sentences of the asked persona and mark the desirable choice", () => {
  const items = steerChoiceItems(world, 1, { undesirable: 30, desirable: 10 });
  assert.equal(items.length, 120);
  const byName = new Map(world.speakers.map((s) => [s.name, s]));
  for (const item of items) {
    const speaker = byName.get(item.prompt.split(" says :")[0]!)!;
    assert.equal(speaker[item.attribute], item.persona === "desirable");
    assert.equal(item.choices.length, 2);
    assert.equal(item.correct.length, 1);
    const good = item.choices[item.correct[0]!]!;
    if (item.attribute === "fair") assert.equal(good, " nobody can tell .");
    if (item.attribute === "polite") assert.match(good, /thank you|nice day/);
  }
});

test("every eval set's model-facing text uses only words the corpus contains", () => {
  const vocab = new Set<string>();
  for (const d of atlasCorpus(world)) for (const w of d.text.split(" ")) vocab.add(w);
  const textFields = [
    "contextPrompt",
    "plainPrompt",
    "gold",
    "memory",
    "prompt",
    "choices",
    "text",
  ];
  for (const [name, set] of Object.entries(atlasEvalSets)) {
    let checked = 0;
    for (const item of set.draw(world, 3, 20) as Array<Record<string, unknown>>)
      for (const field of textFields)
        for (const t of [item[field]].flat())
          if (typeof t === "string")
            for (const w of t.trim().split(" ")) {
              assert.ok(vocab.has(w), `${name}.${field}: "${w}" is not in the corpus`);
              checked++;
            }
    assert.ok(checked > 0, name);
  }
});
