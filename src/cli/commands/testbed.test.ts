import assert from "node:assert/strict";
import { test } from "node:test";
import { runChorus, runChorusInProcess } from "../../../test/support/run-chorus.ts";
import { abacusItems } from "../../testbed/abacus/abacus-eval.ts";
import { defaultChainShape } from "../../testbed/abacus/chain-skill.ts";
import { relationNames } from "../../testbed/atlas/atlas-lexicon.ts";

/** `chorus testbed world atlas --variant smoke <flags>`, a child process: its JSON lines. */
async function smokeAtlas(...flags: string[]) {
  const run = await runChorus(["testbed", "world", "atlas", "--variant", "smoke", ...flags]);
  assert.equal(run.code, 0, run.stderr);
  return run.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

test("testbed world atlas --facts prints every fact of the world as JSON lines", async () => {
  const facts = await smokeAtlas("--seed", "3", "--facts");
  assert.equal(facts.length, 64 * 6);
  for (const f of facts) {
    assert.deepEqual(Object.keys(f), ["person", "relation", "value", "exposures", "rank"]);
    assert.ok(relationNames.includes(f.relation));
    assert.ok(Number.isInteger(f.exposures) && f.exposures >= 0);
  }
  assert.ok(facts[0].exposures > facts.at(-1).exposures);
});

test("testbed world: --corpus writes {text} lines; --eval writes an eval set", async () => {
  const lines = await smokeAtlas("--tokens", "2000", "--corpus");
  assert.ok(lines.length > 10 && lines.every((l) => typeof l.text === "string"));
  const items = await smokeAtlas("--eval", "adacad", "--eval-seed", "4", "--n", "3");
  assert.equal(items.length, 9);
});

test("testbed world abacus --variant lsb-first writes its eval items least digit first", async () => {
  const run = await runChorus([
    "testbed",
    "world",
    "abacus",
    "--variant",
    "lsb-first",
    "--eval",
    "skills",
    "--n",
    "2",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const items = run.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.deepEqual(items, abacusItems(1, 2, defaultChainShape, "lsb-first"));
  assert.notDeepEqual(items, abacusItems(1, 2));
});

test("testbed world abacus --variant columns writes eval items with worked solutions", async () => {
  const args = [
    "testbed",
    "world",
    "abacus",
    "--variant",
    "columns",
    "--eval",
    "skills",
    "--n",
    "2",
  ];
  const run = await runChorus(args);
  assert.equal(run.code, 0, run.stderr);
  const items = run.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.deepEqual(items, abacusItems(1, 2, defaultChainShape, "msb-first", "columns"));
  assert.match(items[0]!.solution, / carry [01] ; .* answer : /);
});

test("testbed world: bad flags give one clear usage error (exit 2)", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["atlas"], /exactly one of --facts, --corpus or --eval/],
    [["atlas", "--facts", "--corpus"], /exactly one of/],
    [["mars", "--facts"], /unknown world "mars"/],
    [["atlas", "--eval", "nope"], /unknown eval set "nope": use one of adacad/],
    [["atlas", "--facts", "--seed", "x"], /--seed must be an integer/],
    [["atlas", "--facts", "--variant", "huge"], /unknown --variant "huge"/],
    [["abacus", "--facts"], /abacus has no fact table/],
    [["atlas", "--corpus", "--n", "5"], /--eval-seed and --n apply only to --eval/],
    [["atlas", "--eval", "knowledge", "--n", "5"], /fixed size/],
    [["abacus", "--eval", "adacad"], /unknown abacus eval set "adacad": use skills/],
  ];
  for (const [args, message] of cases) {
    // in-process: a child process per case costs ~9 s on this machine
    const run = await runChorusInProcess(["testbed", "world", ...args]);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
  }
});
