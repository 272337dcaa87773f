import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runDataEnvGymDemo } from "./dataenvgym-demo.ts";

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
