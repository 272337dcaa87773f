import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SeededRandom } from "../../math/seeded-random.ts";
import { filterKeywords, parseKeywords } from "../../methods/symbolic-moe/keywords.ts";
import { abacusTask } from "../abacus/abacus-skills.ts";
import { digits, readNumber } from "../abacus/digits.ts";
import { KeywordAnnotatorStandIn, skillKeywords, skillOfWording } from "./moe-annotator.ts";
import { expertTrainingData, moeItems, moeSkills } from "./moe-items.ts";

describe("the keyword annotator stand-in", () => {
  it("recognises every simple skill from any of its wordings", () => {
    const rng = new SeededRandom(4);
    for (const skill of ["add", "sub", ...moeSkills] as const)
      for (let i = 0; i < 30; i++)
        assert.equal(skillOfWording(abacusTask(skill, rng).question), skill);
    assert.equal(skillOfWording("spec : add three . input : 1 , 2 ."), undefined);
  });

  it("samples noisy keywords that the method's ≥ 2 filter makes more precise", async () => {
    const annotator = new KeywordAnnotatorStandIn();
    let raw = 0;
    let rawRight = 0;
    let kept = 0;
    let keptRight = 0;
    for (const item of moeItems(3, "test", 40)) {
      const skill = item.meta["skill"] as (typeof moeSkills)[number];
      const samples: string[][] = [];
      for (let s = 0; s < 5; s++) {
        const r = await annotator.generate({
          prompt: `Q: ${item.question} Keywords:`,
          seed: 1000 * s + item.id.length + raw,
        });
        samples.push(parseKeywords(r.generations[0]!.text));
      }
      for (const w of samples.flat()) {
        raw++;
        if (skillKeywords[skill].includes(w)) rawRight++;
      }
      for (const w of filterKeywords(samples)) {
        kept++;
        if (skillKeywords[skill].includes(w)) keptRight++;
      }
      assert.deepEqual(annotator.samples.get(item.question), samples);
    }
    const rawPrecision = rawRight / raw;
    // 15% noise per keyword
    assert.ok(rawPrecision > 0.78 && rawPrecision < 0.92, `raw precision ${rawPrecision}`);
    assert.ok(keptRight / kept > rawPrecision + 0.05, `kept precision ${keptRight / kept}`);
  });
});

describe("the demo's items", () => {
  it("draws validation, test and training from separate streams, skill in meta only", () => {
    const v = moeItems(1, "validation", 5);
    const t = moeItems(1, "test", 5);
    assert.equal(v.length, 20);
    assert.deepEqual([...new Set(t.map((i) => i.meta["skill"]))], [...moeSkills]);
    assert.notDeepEqual(
      v.map((i) => i.question),
      t.map((i) => i.question),
    );
    assert.ok(t.every((i) => !i.question.includes(String(i.meta["skill"]))));
    const train = expertTrainingData(["max", "sort"], 4, 1);
    assert.match(train[0]!.prompt, /^Q: .* A:$/);
    assert.match(train[0]!.completion, /^ \d .$/, "max answers one digit");
    assert.deepEqual(moeItems(1, "test", 5), t, "seeded");
  });

  it("are in the base model's notation: the routed list skills read the same in both", () => {
    assert.deepEqual(moeItems(2, "test", 10, "lsb-first"), moeItems(2, "test", 10));
    assert.deepEqual(
      expertTrainingData(moeSkills, 40, 2, "lsb-first"),
      expertTrainingData(moeSkills, 40, 2),
    );
    // a skill with 2+-digit numbers would follow the notation
    const sums = expertTrainingData(["add"], 5, 2, "lsb-first");
    assert.notDeepEqual(sums, expertTrainingData(["add"], 5, 2));
    for (const { prompt, completion } of sums) {
      const [a, b] = [...prompt.matchAll(/\d(?: \d)*/g)].map((m) => readNumber(m[0], "lsb-first"));
      assert.equal(completion, ` ${digits(a! + b!, "lsb-first")} .`);
    }
  });
});
