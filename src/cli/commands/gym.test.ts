import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runChorus, runChorusInProcess } from "../../../test/support/run-chorus.ts";
import { digits, readNumber } from "../../testbed/abacus/digits.ts";

const dir = await mkdtemp(join(tmpdir(), "chorus-gym-cli-"));
after(() => rm(dir, { recursive: true, force: true }));

const base = ["gym", "run", "--task", "abacus", "--engine", "abacus", "--student", "lookup"];
const small = ["--validation-n", "16", "--test-n", "8", "--json"];

test("chorus gym run: a cycle line per retraining, per-skill reports, a summary; --resume continues", async () => {
  const out = join(dir, "run");
  const r = await runChorus([
    ...base,
    "--env",
    "skill-tree",
    ...small,
    "--cycles",
    "2",
    "--allocation",
    "3",
    "--out",
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.slice(0, 3).map((l) => l.cycle),
    [0, 1, 2],
  );
  // Explore(2, 3) per skill on 8 skills, then a zeroing exploit: no new data in cycle 2
  assert.deepEqual(lines[1].generated, [48]);
  assert.deepEqual(lines[2].generated, [0]);
  assert.equal(lines[1].validation.slices.length, 8);
  const summary = lines.at(-1);
  assert.equal(summary.agent, "skill-tree");
  assert.equal(summary.data, 48);
  assert.ok(existsSync(join(out, "episode", "cycles.jsonl")));
  const data = readFileSync(join(out, "episode", "data.jsonl"), "utf8")
    .trim()
    .split("\n");
  assert.equal(data.length, 48);

  const resumed = await runChorus([
    ...base,
    "--env",
    "skill-tree",
    ...small,
    "--cycles",
    "3",
    "--allocation",
    "3",
    "--resume",
    out,
  ]);
  assert.equal(resumed.code, 0, resumed.stderr);
  const again = resumed.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  // only cycle 3 is new: explore again (2 more subskills × 3 per skill, where any are left)
  assert.deepEqual(
    again.slice(0, -1).map((l) => l.cycle),
    [3],
  );
  assert.equal(again.at(-1).resumedCycles, 3);
  assert.ok(again[0].generated[0] > 0);
});

test("chorus gym run --notation lsb-first: the world engine's data are written least digit first", async () => {
  const out = join(dir, "lsb");
  const r = await runChorus([
    ...base,
    "--env",
    "uniform",
    ...small,
    "--cycles",
    "1",
    "--budget",
    "40",
    "--notation",
    "lsb-first",
    "--out",
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const data = readFileSync(join(out, "episode", "data.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { instruction: string; response: string; skill: string });
  const sums = data.filter((d) => d.skill === "add");
  assert.ok(sums.length >= 4, `${sums.length} sums`);
  for (const d of sums) {
    const [a, b] = [...d.instruction.matchAll(/\d(?: \d)*/g)].map((m) =>
      readNumber(m[0], "lsb-first"),
    );
    assert.equal(d.response, ` ${digits(a! + b!, "lsb-first")} .`, d.instruction);
  }
});

test("chorus gym run: usage errors name the flag; --help shows runnable examples", async () => {
  const wrongTask = await runChorusInProcess([
    "gym",
    "run",
    "--env",
    "open-ended",
    "--task",
    "gsm8k",
    "--engine",
    "abacus",
    "--student",
    "lookup",
  ]);
  assert.equal(wrongTask.code, 2);
  assert.match(wrongTask.stderr, /--engine abacus makes Abacus problems/);
  const noTeacher = await runChorusInProcess([
    "gym",
    "run",
    "--env",
    "open-ended",
    "--task",
    "abacus",
    "--student",
    "lookup",
  ]);
  assert.equal(noTeacher.code, 2);
  assert.match(noTeacher.stderr, /need a teacher: --model/);
  const badEnv = await runChorusInProcess([...base, "--env", "closed"]);
  assert.equal(badEnv.code, 2);
  assert.match(badEnv.stderr, /--env must be one of open-ended, skill-list, skill-tree, uniform/);
  const badNotation = await runChorusInProcess([...base, "--env", "uniform", "--notation", "lsb"]);
  assert.equal(badNotation.code, 2);
  assert.match(badNotation.stderr, /--notation must be one of msb-first, lsb-first; got "lsb"/);
  const help = await runChorus(["gym", "run", "--help"]);
  assert.equal(help.code, 0);
  assert.match(
    help.stdout,
    /\$ chorus gym run --env skill-list --task abacus --engine abacus --student lookup/,
  );
});

test("chorus gym compare: arms × seeds at equal budget, verdicts against the baseline, resumable", async () => {
  const out = join(dir, "compare");
  const args = [
    "gym",
    "compare",
    "--task",
    "abacus",
    "--engine",
    "abacus",
    "--student",
    "lookup",
    "--arms",
    "uniform,skill-list",
    "--budget",
    "16",
    "--cycles",
    "2",
    "--seeds",
    "1,2",
    ...small,
  ];
  const r = await runChorus([...args, "--out", out]);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
  assert.deepEqual(Object.keys(summary.accuracy), ["uniform", "skill-list"]);
  assert.equal(summary.verdicts.length, 1);
  assert.equal(summary.verdicts[0].arm, "skill-list");
  assert.equal(summary.targetedSkills.length, 3);
  // the table student memorises, never generalises: no gain, so nothing reproduced
  assert.equal(summary.reproduced, false);
  assert.equal(summary.noGain, true);
  for (const arm of ["uniform", "skill-list"])
    for (const seed of [1, 2])
      assert.ok(existsSync(join(out, "arms", arm, `seed-${seed}`, "test-items.json")));
  const again = await runChorus([...args, "--resume", out]);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(JSON.parse(again.stdout.trim().split("\n").at(-1)!).accuracy, summary.accuracy);
  const bad = await runChorusInProcess([...args, "--baseline", "open-ended"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--baseline open-ended must be one of --arms/);
});
