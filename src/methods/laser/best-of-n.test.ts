import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Run } from "../../runtime/run.ts";
import type { ArmStrategy } from "./arm-strategy.ts";
import { type BestOfNOptions, bestOfN } from "./best-of-n.ts";
import { ToyPolicy, ToyRewardModel, toyItems } from "./toy-world.ts";

const root = await mkdtemp(join(tmpdir(), "chorus-laser-bon-"));
after(() => rm(root, { recursive: true, force: true }));
let runs = 0;

// Families alternate, so the bandit sees both all along; the gold is "right".
const items = (() => {
  const all = toyItems(60);
  const math = all.filter((i) => i.family === "math");
  const trivia = all.filter((i) => i.family === "trivia");
  return math.flatMap((m, k) => [m, trivia[k]!]).map((i) => ({ ...i, answer: "right" }));
})();
const reading: BestOfNOptions = {
  n: 4,
  alpha: 1,
  seed: 2,
  extract: (_item, response) => response.split(" ")[0],
};
const run = async (strategy: ArmStrategy, extra: BestOfNOptions = {}) => {
  const r = Run.create({ dir: join(root, `run-${runs++}`), config: {} });
  try {
    return await bestOfN(
      new ToyPolicy(2),
      [new ToyRewardModel("rm-math", "math", 1), new ToyRewardModel("rm-trivia", "trivia", 2)],
      items,
      r,
      { ...reading, strategy, ...extra },
    );
  } finally {
    r.close();
  }
};
const accuracy = (o: { correct: boolean }[]) => o.filter((x) => x.correct).length / o.length;

test("best-of-n with RM selection: learns the RM per query type, beats random, 1/K of the ensemble's calls", async () => {
  const laser = await run({ kind: "laser" });
  const late = laser.outcomes.slice(80);
  for (const family of ["math", "trivia"]) {
    const mine = late.filter((o) => o.family === family);
    const right = mine.filter((o) => o.chosen === `rm-${family}`).length / mine.length;
    assert.ok(right >= 0.8, `${family}: late choice of its RM ${right}`);
  }
  const random = await run({ kind: "random" });
  const ensemble = await run({ kind: "ensemble" });
  assert.ok(
    accuracy(laser.outcomes) > accuracy(random.outcomes) + 0.1,
    `${accuracy(laser.outcomes)} vs ${accuracy(random.outcomes)}`,
  );
  const calls = (r: typeof laser) => Object.values(r.rmCalls).reduce((s, c) => s + c.responses, 0);
  assert.equal(calls(laser), items.length * 4);
  assert.equal(calls(ensemble), 2 * calls(laser));
  for (const o of laser.outcomes) assert.ok(o.reward !== undefined && o.arms.length === 1);
});

test("best-of-n resumes: a killed run continues with the same bandit and ends as an uninterrupted one", async () => {
  const whole = await run({ kind: "laser" });
  const dir = join(root, "killed");
  const first = Run.create({ dir, config: {} });
  const stop = new AbortController();
  const arms = () => [
    new ToyRewardModel("rm-math", "math", 1),
    new ToyRewardModel("rm-trivia", "trivia", 2),
  ];
  await assert.rejects(
    bestOfN(new ToyPolicy(2), arms(), items, first, {
      ...reading,
      signal: stop.signal,
      onItem: (_o, i) => {
        if (i === 30) stop.abort();
      },
    }),
    /abort/i,
  );
  first.close();
  const again = Run.resume(dir);
  const resumed = await bestOfN(new ToyPolicy(2), arms(), items, again, reading);
  again.close();
  assert.deepEqual(resumed, whole);
});
