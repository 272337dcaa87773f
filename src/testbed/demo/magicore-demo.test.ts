import assert from "node:assert/strict";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { DataError } from "../../model/errors.ts";
import { fileSha256 } from "../../runtime/file-hash.ts";
import { Run } from "../../runtime/run.ts";
import { defaultChainShape } from "../abacus/chain-skill.ts";
import { shippedModel } from "../shipped-models.ts";
import { magicoreMethods } from "./magicore-claim.ts";
import {
  type MagicoreDemoSettings,
  magicoreSmokeSettings,
  runMagicoreDemo,
} from "./magicore-demo.ts";
import {
  matchingShippedRoles,
  shippedRolesDir,
  writeShippedRoles,
} from "./magicore-shipped-roles.ts";

const tiny: MagicoreDemoSettings = {
  ...magicoreSmokeSettings,
  problems: 2,
  k: 2,
  training: {
    ...magicoreSmokeSettings.training,
    problems: 3,
    samplesPerProblem: 2,
    maxExamples: 8,
  },
};

const newRun = () =>
  Run.create({
    runsDir: mkdtempSync(join(tmpdir(), "chorus-magicore-demo-")),
    config: {},
    seed: 1,
    argv: [],
  });

test("chorus demo magicore end to end at a tiny size: roles train, every method runs", async () => {
  const { path } = shippedModel("abacus-1m");
  const run = newRun();
  try {
    const r = await runMagicoreDemo(path, tiny, { evalSeed: 1, run, threads: 1 });
    assert.equal(r.rolesFrom, "trained");
    assert.deepEqual(
      r.roles.map((x) => x.name),
      ["orm", "prm", "reviewer", "refiner"],
    );
    for (const role of r.roles) assert.ok(Number.isFinite(role.loss) && role.steps >= 1);
    for (const name of ["orm", "prm", "reviewer", "refiner"])
      assert.ok(existsSync(join(run.dir, "roles", `${name}.lora.gguf`)));
    assert.equal(r.verdict.n, 2);
    for (const name of Object.values(magicoreMethods))
      assert.ok(r.verdict.accuracy[name], `${name} was run`);
    // SC@3k draws 3k samples: more generated tokens than SC@k
    assert.ok(
      r.verdict.tokensPerProblem[magicoreMethods.sc3k]! >
        r.verdict.tokensPerProblem[magicoreMethods.sc]!,
    );
    assert.ok(r.auroc.steps > 0);
    assert.ok(existsSync(join(run.dir, "report.json")));
    assert.ok(existsSync(join(run.dir, "role-counts.json")));
  } finally {
    run.close();
  }
});

test("shipped roles: a matching recipe starts from them, --train-roles retrains them byte for byte, a damaged file is named", async () => {
  const { path } = shippedModel("abacus-1m");
  const settings = { ...tiny, problems: 1, k: 1, iterations: 1 };
  const first = newRun();
  const shipped = mkdtempSync(join(tmpdir(), "chorus-magicore-roles-"));
  try {
    await runMagicoreDemo(path, settings, { evalSeed: 1, run: first, threads: 1 });
    const { recipe, ...trained } = JSON.parse(
      readFileSync(join(first.dir, "roles", "roles.json"), "utf8"),
    );
    await writeShippedRoles(trained, recipe, "test", shipped);
  } finally {
    first.close();
  }
  const runWith = async (o: { trainRoles?: boolean }) => {
    const run = newRun();
    try {
      return await runMagicoreDemo(path, settings, {
        evalSeed: 1,
        run,
        threads: 1,
        shippedRolesDir: shipped,
        ...o,
      });
    } finally {
      run.close();
    }
  };
  const reused = await runWith({});
  assert.equal(reused.rolesFrom, "shipped");
  assert.equal(reused.matchesShipped, undefined);
  const retrained = await runWith({ trainRoles: true });
  assert.equal(retrained.rolesFrom, "trained");
  assert.equal(retrained.matchesShipped, true, "role training is deterministic");
  writeFileSync(join(shipped, "prm.lora.gguf"), "not an adapter");
  await assert.rejects(
    runWith({}),
    (e: Error) =>
      e instanceof DataError && /prm\.lora\.gguf is damaged.*--train-roles/.test(e.message),
  );
});

test("the shipped MAgICoRe roles match the smoke's recipe on the shipped abacus-1m", async () => {
  const recipe = {
    baseSha256: await fileSha256(shippedModel("abacus-1m").path),
    shape: defaultChainShape,
    training: magicoreSmokeSettings.training,
  };
  assert.ok(
    matchingShippedRoles(recipe, shippedRolesDir),
    "models/magicore-roles is stale: retrain with --train-roles and scripts/ship-magicore-roles.ts",
  );
});

test("a run's calls are kept in calls.sqlite and replay to the same verdict and token counts", async () => {
  const { path } = shippedModel("abacus-1m");
  const settings = { ...tiny, problems: 2, k: 2, iterations: 1 };
  const first = newRun();
  const second = newRun();
  try {
    const a = await runMagicoreDemo(path, settings, { evalSeed: 1, run: first, threads: 1 });
    const calls = new Database(join(first.dir, "calls.sqlite"), { readonly: true });
    const stored = (calls.prepare("SELECT COUNT(*) AS n FROM calls").get() as { n: number }).n;
    calls.close();
    assert.ok(stored > 0, "seeded generate calls are stored");
    cpSync(join(first.dir, "roles"), join(second.dir, "roles"), { recursive: true });
    copyFileSync(join(first.dir, "calls.sqlite"), join(second.dir, "calls.sqlite"));
    const b = await runMagicoreDemo(path, settings, { evalSeed: 1, run: second, threads: 1 });
    assert.equal(b.rolesFrom, "run");
    assert.deepEqual(b.verdict, a.verdict);
  } finally {
    first.close();
    second.close();
  }
});
