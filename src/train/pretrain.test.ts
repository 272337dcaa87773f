import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { loadLlamaCppModel } from "../engines/llamacpp/load-llamacpp-model.ts";
import { SeededRandom } from "../math/seeded-random.ts";
import { planPretrain, pretrain } from "./pretrain.ts";
import { pretrainPresets } from "./pretrain-shape.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "chorus-pretrain-"));
});
after(() => rm(dir, { recursive: true, force: true }));

interface Person {
  name: string;
  pet: string;
  home: string;
}

/** A world of made-up people (two-word names from random syllables), each with a pet and a home. */
function makeWorld(people: number, seed: number): Person[] {
  const r = new SeededRandom(seed);
  const syllables = "ka zo ri mu te lo vi sa ne po du fi ga be xo yu".split(" ");
  const syllable = () => syllables[r.int(syllables.length)]!;
  const pets = "cat dog fish bird frog goat horse snake".split(" ");
  const homes = "tolu mirav kesh doran sulo vetra pomik garun".split(" ");
  const names = new Set<string>();
  while (names.size < people) names.add(`${syllable()}${syllable()} ${syllable()}`);
  return [...names].map((name) => ({
    name,
    pet: pets[r.int(pets.length)]!,
    home: homes[r.int(homes.length)]!,
  }));
}

test("pretraining from scratch memorises a world of made-up facts that llama.cpp then states", async (t) => {
  const world = makeWorld(80, 7);
  // each fact three times in the two templates the probes use, once in a third
  const texts: string[] = [];
  for (const p of world) {
    for (let rep = 0; rep < 3; rep++) {
      texts.push(`the pet of ${p.name} is a ${p.pet} .`, `${p.name} lives in ${p.home} .`);
    }
    texts.push(`${p.name} has a ${p.pet} and lives in ${p.home} .`);
  }
  const corpus = texts.map((record, i) => ({ record, line: i + 1 }));
  const plan = await planPretrain(corpus, { shape: pretrainPresets["300k"] });
  assert.equal(plan.wordsInVocab, plan.words);
  const out = join(dir, "world.gguf");
  const result = await pretrain(plan, corpus, {
    dir: join(dir, "run"),
    out,
    epochs: 1000,
    maxSteps: 700,
    batchSize: 32,
    lr: 1e-2,
    warmupSteps: 10,
    seed: 1,
  });
  assert.equal(result.steps, 700);
  assert.ok(
    result.losses.at(-1)! < result.losses[0]! / 4,
    `losses ${result.losses[0]} → ${result.losses.at(-1)}`,
  );

  const model = await loadLlamaCppModel({
    modelPath: out,
    contextSize: 64,
    threads: 1,
    gpu: false,
  });
  try {
    const complete = async (prompt: string) =>
      (await model.generate({ prompt, maxTokens: 2, temperature: 0 })).generations[0]!.text;
    let stated = 0;
    const wrong: string[] = [];
    for (const p of world) {
      for (const [prompt, answer] of [
        [`the pet of ${p.name} is a`, p.pet],
        [`${p.name} lives in`, p.home],
      ] as const) {
        const text = await complete(prompt);
        if (text.trim().split(" ")[0] === answer) stated++;
        else wrong.push(`${prompt} →${text} (want ${answer})`);
      }
    }
    const share = stated / (2 * world.length);
    t.diagnostic(
      `${(share * 100).toFixed(0)}% of ${2 * world.length} facts stated by a ${plan.parameters}-parameter model (vocabulary ${plan.vocabSize}); loss ${result.losses[0]!.toFixed(2)} → ${result.losses.at(-1)!.toFixed(2)} in ${result.seconds.toFixed(0)} s`,
    );
    assert.ok(
      share >= 0.8,
      `${(share * 100).toFixed(0)}% of facts stated; wrong: ${wrong.join("; ")}`,
    );
  } finally {
    await model.close?.();
  }
});
