import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { deriveSeed } from "../../math/seeded-random.ts";
import { abacusItems } from "../abacus/abacus-eval.ts";
import { defaultChainShape } from "../abacus/chain-skill.ts";
import { digits, readNumber } from "../abacus/digits.ts";
import { gymDemoWorld, runDataEnvGymDemo } from "./dataenvgym-demo.ts";

// The demo's machinery on a real local GGUF (stories260K stands in for an Abacus model: it loads,
// trains and answers the same way; it just never solves Abacus problems). The shipped-model run
// is `chorus demo dataenvgym` (docs/dataenvgym.md).
const stories = new URL("../../../../shared/models/stories260K.gguf", import.meta.url).pathname;
const skip = existsSync(stories) ? false : `no ${stories} (the shared models folder)`;
const dir = await mkdtemp(join(tmpdir(), "chorus-gym-demo-"));
after(() => rm(dir, { recursive: true, force: true }));

test("the smoke runs the four teachers from the same base at equal data and judges them against uniform", {
  skip,
}, async () => {
  const cycles: string[] = [];
  const report = await runDataEnvGymDemo(stories, {
    seed: 3,
    n: 2,
    cycles: 1,
    budget: 8,
    wrongLabelRate: 0.1,
    // short answers keep the test fast (this model never stops by itself)
    maxTokens: 8,
    dir,
    onCycle: (arm, r) => cycles.push(`${arm}:${r.cycle}:${r.generated.join("+")}`),
  });
  assert.deepEqual(cycles, [
    "uniform:0:",
    "uniform:1:8",
    "open-ended:0:",
    "open-ended:1:8",
    "skill-list:0:",
    "skill-list:1:8",
    "skill-tree:0:",
    "skill-tree:1:8",
  ]);
  assert.deepEqual(Object.keys(report.accuracy), [
    "uniform",
    "open-ended",
    "skill-list",
    "skill-tree",
  ]);
  assert.deepEqual(
    report.verdicts.map((v) => [v.arm, v.curve.length]),
    [
      ["open-ended", 2],
      ["skill-list", 2],
      ["skill-tree", 2],
    ],
  );
  for (const r of report.runs) assert.equal(Object.keys(r.testItems).length, 16);
  assert.equal(report.targetedSkills.length, 3);
});

test("the smoke's world follows the student's notation: items and the engine's data", async () => {
  const settings = { seed: 3, n: 4, wrongLabelRate: 0 };
  const plain = gymDemoWorld(settings);
  assert.deepEqual(
    plain.test.instances.map((x) => x.gold),
    abacusItems(deriveSeed(3, "gym-test"), 4).map((i) => i.answer),
  );
  const lsb = gymDemoWorld({ ...settings, notation: "lsb-first" });
  const want = abacusItems(deriveSeed(3, "gym-test"), 4, defaultChainShape, "lsb-first");
  assert.deepEqual(
    lsb.test.instances.map((x) => x.gold),
    want.map((i) => i.answer),
  );
  assert.notDeepEqual(lsb.test.instances, plain.test.instances);
  assert.equal(lsb.validation.instances.length, 8 * 2);
  const sums = await lsb.engine(1).forSkillBlind({ skill: "add", count: 10 });
  for (const d of sums) {
    const [a, b] = [...d.instruction.matchAll(/\d(?: \d)*/g)].map((m) =>
      readNumber(m[0], "lsb-first"),
    );
    assert.equal(d.response, ` ${digits(a! + b!, "lsb-first")} .`);
  }
});
