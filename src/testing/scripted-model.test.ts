import assert from "node:assert/strict";
import { test } from "node:test";
import { CapabilityError } from "../model/errors.ts";
import { requireScore } from "../model/require-capability.ts";
import { ScriptedModel } from "./scripted-model.ts";

test("replies in order, records calls, fails past the script", async () => {
  const model = new ScriptedModel({ script: ["a", ["b", "c"]] });
  assert.equal((await model.generate({ prompt: "x" })).generations[0]?.text, "a");
  const second = await model.generate({ prompt: "y", n: 2 });
  assert.deepEqual(
    second.generations.map((g) => g.text),
    ["b", "c"],
  );
  assert.equal(model.calls.length, 2);
  await assert.rejects(model.generate({ prompt: "z" }), /no reply for call #3/);
});

test("a function script sees the request", async () => {
  const model = new ScriptedModel({ script: (req) => `echo:${req.prompt}` });
  const out = await model.generate({ prompt: "hi", n: 3 });
  assert.deepEqual(
    out.generations.map((g) => g.text),
    ["echo:hi", "echo:hi", "echo:hi"],
  );
});

test("score is a missing capability unless scripted", async () => {
  const plain = new ScriptedModel({ script: [] });
  assert.throws(() => requireScore(plain), CapabilityError);
  assert.equal(plain.score, undefined);
  const scoring = new ScriptedModel({
    script: [],
    score: () => [{ token: "a", logprob: -1, top: [] }],
  });
  const result = await requireScore(scoring)({ prompt: "p", continuation: "a" });
  assert.equal(result.total, -1);
});

test("minTokens: recorded in the call with the capability, a CapabilityError without it", async () => {
  const plain = new ScriptedModel({ script: ["a", "b"] });
  assert.equal(plain.capabilities.minTokens, false);
  await assert.rejects(plain.generate({ prompt: "x", minTokens: 50 }), CapabilityError);
  assert.equal(plain.calls.length, 0);
  await plain.generate({ prompt: "x", minTokens: 0 });
  const exact = new ScriptedModel({ script: ["a"], capabilities: { minTokens: true } });
  await exact.generate({ prompt: "x", minTokens: 50 });
  assert.equal(exact.calls[0]!.minTokens, 50);
});
