import assert from "node:assert/strict";
import { test } from "node:test";
import { atlasConfig } from "../atlas/atlas-config.ts";
import { buildAtlasWorld } from "../atlas/atlas-world.ts";
import { parseAtlasAnswer } from "./mamm-prompts.ts";
import { roleTrainingPairs } from "./mamm-roles.ts";

const world = buildAtlasWorld(atlasConfig({ seed: 7 }));

test("detector pairs: balanced labels, evidence then the label, debate rounds among them", () => {
  const pairs = roleTrainingPairs(world, "detector", 1, 400);
  const labels = pairs.map((p) => parseAtlasAnswer(p.completion, ["yes", "no"])?.answer);
  assert.ok(labels.every((l) => l !== undefined));
  const no = labels.filter((l) => l === "no").length / labels.length;
  assert.ok(no > 0.35 && no < 0.65, `share unfaithful ${no}`);
  const debate = pairs.filter((p) => (p.prompt.match(/ A: (right|no) /g) ?? []).length >= 2);
  assert.ok(debate.length > 100 && debate.length < 300, `${debate.length} debate rounds`);
  for (const p of pairs) assert.ok(p.prompt.endsWith(" U:"));
});

test("critic, selector and editor pairs have their completions' forms", () => {
  for (const p of roleTrainingPairs(world, "critic", 1, 100))
    assert.match(p.completion, /^ .+ , (it is .+|nobody says) \.$/);
  const picks = roleTrainingPairs(world, "selector", 1, 200).map((p) => p.completion);
  assert.ok(picks.every((c) => c === " 1" || c === " 2"));
  assert.ok(
    picks.filter((c) => c === " 1").length > 60 && picks.filter((c) => c === " 2").length > 60,
  );
  for (const p of roleTrainingPairs(world, "editor", 1, 100)) {
    assert.ok(p.prompt.endsWith(" A:") && p.prompt.includes(" U: "));
    assert.ok(p.completion.endsWith(" ."));
  }
});

test("pairs come from the training seed's own streams, never the eval stream", () => {
  const a = roleTrainingPairs(world, "critic", 1, 5);
  assert.deepEqual(roleTrainingPairs(world, "critic", 1, 5), a);
  assert.notDeepEqual(roleTrainingPairs(world, "critic", 2, 5), a);
});
