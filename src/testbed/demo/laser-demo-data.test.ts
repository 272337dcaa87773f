import assert from "node:assert/strict";
import { test } from "node:test";
import { atlasConfig } from "../atlas/atlas-config.ts";
import { buildAtlasWorld } from "../atlas/atlas-world.ts";
import { laserDemoItems, WorldRewardModel } from "./laser-demo-data.ts";

const world = buildAtlasWorld(atlasConfig({ seed: 7 }));

test("LASeR demo items: city and job questions on facts seen 5–49 times, fixed by the eval seed", () => {
  const items = laserDemoItems(world, 1, 20);
  assert.equal(items.length, 40);
  assert.deepEqual([...new Set(items.map((i) => i.family))], ["city", "job"]);
  assert.equal(new Set(items.map((i) => i.id)).size, 40);
  assert.deepEqual(laserDemoItems(world, 1, 20), items);
  assert.notDeepEqual(laserDemoItems(world, 2, 20), items);
  for (const it of items) assert.match(it.prompt, /^Q: .* A:$/);
});

test("world RMs: exact on their family, deterministic guesses elsewhere, noise guesses everywhere", async () => {
  const items = laserDemoItems(world, 1, 5);
  const city = items.find((i) => i.family === "city")!;
  const job = items.find((i) => i.family === "job")!;
  const rmCity = new WorldRewardModel("rm-city", "city", items);
  const noise = new WorldRewardModel("rm-noise", undefined, items);
  const inputs = [
    { question: city.prompt, solution: ` ${city.answer} . Q:` },
    { question: city.prompt, solution: " nowhere ." },
    { question: job.prompt, solution: ` ${job.answer} .` },
  ];
  const s = await rmCity.scoreOutcomes(inputs);
  assert.deepEqual(s.slice(0, 2), [1, 0]);
  assert.ok(s[2]! > 0 && s[2]! < 1 && s[2] !== Math.round(s[2]!), "a guess on the other family");
  assert.deepEqual(await rmCity.scoreOutcomes(inputs), s, "the same text, the same score");
  const n = await noise.scoreOutcomes(inputs);
  assert.ok(n.every((v) => v > 0 && v < 1));
});
