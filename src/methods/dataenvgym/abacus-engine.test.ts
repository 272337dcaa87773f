import assert from "node:assert/strict";
import { test } from "node:test";
import { SeededRandom } from "../../math/seeded-random.ts";
import { abacusItems } from "../../testbed/abacus/abacus-eval.ts";
import { abacusTask } from "../../testbed/abacus/abacus-skills.ts";
import { defaultChainShape } from "../../testbed/abacus/chain-skill.ts";
import { digits, notations, readNumber } from "../../testbed/abacus/digits.ts";
import { AbacusDataEngine } from "./abacus-engine.ts";
import { abacusSubskills, subskillOf } from "./abacus-subskills.ts";
import { AbacusTask } from "./abacus-task.ts";
import { UniformAgent } from "./uniform-agent.ts";

const task = new AbacusTask("abacus", abacusItems(1, 10));

test("subskills: carries and borrows are counted per column", () => {
  const t = (question: string, skill: "add" | "sub" = "add") => ({
    skill,
    question,
    answer: "",
    solution: "",
    difficulty: 1,
  });
  assert.equal(subskillOf(t("what is 1 2 plus 3 4 ?"), "msb-first"), "no carry");
  assert.equal(subskillOf(t("what is 1 8 plus 3 4 ?"), "msb-first"), "one carry");
  assert.equal(subskillOf(t("what is 9 9 plus 1 ?"), "msb-first"), "several carries");
  assert.equal(subskillOf(t("what is 5 2 minus 1 7 ?", "sub"), "msb-first"), "one borrow");
  assert.equal(subskillOf(t("what is 1 0 0 minus 1 ?", "sub"), "msb-first"), "several borrows");
  // lsb-first: the same words are other numbers (9 1 + 2 is 19 + 2; 1 0 0 - 1 is 1 - 1)
  assert.equal(subskillOf(t("what is 9 1 plus 2 ?"), "msb-first"), "no carry");
  assert.equal(subskillOf(t("what is 9 1 plus 2 ?"), "lsb-first"), "one carry");
  assert.equal(subskillOf(t("what is 1 0 0 minus 1 ?", "sub"), "lsb-first"), "no borrow");
  assert.equal(subskillOf(t("what is 0 0 1 minus 1 ?", "sub"), "lsb-first"), "several borrows");
  assert.equal(subskillOf(t("what is 2 5 minus 7 1 ?", "sub"), "lsb-first"), "one borrow");
  // "take {b} away from {a}" names the subtrahend first: borrows are those of a - b either way
  assert.equal(subskillOf(t("take 1 7 away from 5 2 ?", "sub"), "msb-first"), "one borrow");
  assert.equal(subskillOf(t("take 1 away from 1 0 0 ?", "sub"), "msb-first"), "several borrows");
  assert.equal(subskillOf(t("take 5 4 away from 6 7 ?", "sub"), "msb-first"), "no borrow");
  // every generated task of every skill has a subskill it satisfies
  const rng = new SeededRandom(3);
  for (const notation of notations)
    for (const skill of Object.keys(abacusSubskills) as Array<keyof typeof abacusSubskills>)
      for (let i = 0; i < 30; i++) {
        const x = abacusTask(skill, rng, defaultChainShape, notation);
        assert.ok(
          abacusSubskills[skill].some((s) => s.has(x, notation)),
          `${skill}: ${x.question}`,
        );
      }
});

test("the world engine draws a subskill's problems, perturbs errors within their subskill, proposes unexplored subskills", async () => {
  const engine = new AbacusDataEngine({ seed: 1 });
  const carry = await engine.forSubskill({
    skill: "add",
    subskill: "one carry",
    count: 20,
    avoid: [],
  });
  assert.equal(carry.length, 20);
  for (const d of carry) {
    assert.equal(d.subskill, "one carry");
    const [a, b] = [...d.instruction.matchAll(/\d(?: \d)*/g)].map((m) =>
      Number(m[0].replace(/ /g, "")),
    );
    assert.equal(
      task.answerOf(d.response, "add"),
      String(a! + b!)
        .split("")
        .join(" "),
    );
  }
  const errors = task.instances
    .filter((x) => x.skill === "chain")
    .slice(0, 3)
    .map((instance) => ({ instance, response: "", correct: false }));
  const like = await engine.likeErrors({ errors, examples: [], count: 6 });
  assert.equal(like.length, 6);
  assert.ok(like.every((d) => d.skill === "chain"));
  // the perturbed problem keeps each error's subskill
  const want = errors.map((e) =>
    subskillOf(
      {
        skill: "chain",
        question: e.instance.instruction,
        answer: e.instance.gold,
        solution: String(e.instance.meta!["solution"]),
        difficulty: 1,
      },
      "msb-first",
    ),
  );
  assert.deepEqual(
    like.map((d) => d.subskill),
    [...want, ...want],
  );
  assert.deepEqual(
    await engine.proposeSubskills({ skill: "add", existing: ["no carry"], count: 5 }),
    ["one carry", "several carries"],
  );
  // skill-list: the hypotheses are the error-heavy subskills; no errors: the hardest ones
  const hard = await engine.forSkill({ skill: "chain", errors: [], hypotheses: 2, count: 10 });
  assert.deepEqual(
    [...new Set(hard.map((d) => d.subskill))].sort(),
    ["long chain", "with distractors"].sort(),
  );
});

/** Carries of a + b, independently of the subskills' column count: each carry loses 9 of digit sum. */
const carriesOf = (a: number, b: number) => {
  const digitSum = (n: number) => [...String(n)].reduce((sum, d) => sum + Number(d), 0);
  return (digitSum(a) + digitSum(b) - digitSum(a + b)) / 9;
};

test("an lsb-first engine writes and classifies its problems least digit first", async () => {
  const engine = new AbacusDataEngine({ seed: 1, notation: "lsb-first" });
  const lsbTask = new AbacusTask("lsb", abacusItems(1, 3, defaultChainShape, "lsb-first"));
  for (const subskill of ["no carry", "one carry", "several carries"]) {
    const data = await engine.forSubskill({ skill: "add", subskill, count: 15, avoid: [] });
    assert.equal(data.length, 15);
    for (const d of data) {
      const [a, b] = [...d.instruction.matchAll(/\d(?: \d)*/g)].map((m) =>
        readNumber(m[0], "lsb-first"),
      );
      assert.equal(lsbTask.answerOf(d.response, "add"), digits(a! + b!, "lsb-first"));
      const want = ["no carry", "one carry", "several carries"][Math.min(carriesOf(a!, b!), 2)];
      assert.equal(subskill, want, d.instruction);
    }
  }
  // blind draws are the default engine's problems with every number reversed
  const flip = (text: string) =>
    text.replace(/\b\d(?: \d)*\b/g, (run) => run.split(" ").reverse().join(" "));
  const lsbData = await new AbacusDataEngine({ seed: 6, notation: "lsb-first" }).forSkillBlind({
    skill: "chain",
    count: 4,
  });
  const msbData = await new AbacusDataEngine({ seed: 6 }).forSkillBlind({
    skill: "chain",
    count: 4,
  });
  assert.deepEqual(
    lsbData.map((d) => ({ ...d, instruction: flip(d.instruction), response: flip(d.response) })),
    msbData,
  );
  assert.notDeepEqual(lsbData, msbData);
});

test("wrong labels at the engine's rate, the answers still readable; the state resumes the stream", async () => {
  const noisy = new AbacusDataEngine({ seed: 2, wrongLabelRate: 0.1 });
  const data = await noisy.forSubskill({
    skill: "max",
    subskill: "long list",
    count: 400,
    avoid: [],
  });
  const wrong = data.filter((d) => {
    const l = (/\d(?: , \d)+/.exec(d.instruction)?.[0] ?? "").split(" , ").map(Number);
    return task.answerOf(d.response, "max") !== String(Math.max(...l));
  }).length;
  assert.ok(wrong >= 20 && wrong <= 60, `${wrong} of 400 mislabelled`);
  const a = new AbacusDataEngine({ seed: 5 });
  await a.forSkillBlind({ skill: "sort", count: 3 });
  const b = new AbacusDataEngine({ seed: 9 });
  b.restore(a.state());
  assert.deepEqual(
    await b.forSkillBlind({ skill: "prog", count: 2 }),
    await a.forSkillBlind({ skill: "prog", count: 2 }),
  );
});

test("the uniform baseline spreads its budget evenly over the skills, blind to feedback", async () => {
  const agent = new UniformAgent(new AbacusDataEngine({ seed: 4 }), ["add", "sub", "max"], 10);
  const data = await agent.generate();
  assert.deepEqual(
    ["add", "sub", "max"].map((s) => data.filter((d) => d.skill === s).length),
    [4, 3, 3],
  );
  assert.equal(new Set(data.map((d) => d.id)).size, 10);
});
