import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { EvalReport } from "../evals/eval-report.ts";
import { UsageError } from "../model/errors.ts";
import { compareRuns } from "./run-compare.ts";
import { writeEvalRun } from "./run-fixture.ts";
import { RunIndex } from "./run-index.ts";

describe("compareRuns", () => {
  const root = mkdtempSync(join(tmpdir(), "chorus-view-compare-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, "run");
  // item i of method m is right when (i + m) % 3 === 0
  writeEvalRun(dir, { methods: ["a", "b"], items: 30 });
  const run = new RunIndex(dir);

  it("pairs two methods on shared items, flips first, with the report's paired interval", () => {
    const view = compareRuns({ run, method: "a" }, { run, method: "b" });
    assert.equal(view.pairs.length, 30);
    const right = (i: number, m: number) => (i + m) % 3 === 0;
    const ids = (f: (i: number) => boolean) =>
      Array.from({ length: 30 }, (_, i) => i)
        .filter(f)
        .map((i) => `q${i}`);
    const lost = ids((i) => right(i, 0) && !right(i, 1));
    const gained = ids((i) => !right(i, 0) && right(i, 1));
    assert.deepEqual(
      view.pairs.slice(0, lost.length + gained.length).map((p) => [p.itemId, p.flip]),
      [...lost.map((id) => [id, "lost"]), ...gained.map((id) => [id, "gained"])],
    );
    assert.ok(view.pairs.slice(lost.length + gained.length).every((p) => p.flip === null));
    assert.deepEqual(view.confusion, {
      both: 0,
      neither: 30 - lost.length - gained.length,
      onlyA: lost.length,
      onlyB: gained.length,
    });
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as EvalReport;
    assert.deepEqual(view.delta, report.methods[1]!.versusFirst);
    assert.equal(view.meanB - view.meanA, view.delta.mean);
    assert.equal(view.a.steer, "");
  });

  it("reverses the sign when the sides swap, and counts items only one side has", () => {
    const other = join(root, "short");
    writeEvalRun(other, { methods: ["b"], items: 10 });
    const short = new RunIndex(other);
    const view = compareRuns({ run, method: "a" }, { run: short, method: "b" });
    assert.equal(view.pairs.length, 10);
    assert.equal(view.onlyA, 20);
    assert.equal(view.onlyB, 0);
    const back = compareRuns({ run: short, method: "b" }, { run, method: "a" });
    assert.ok(Math.abs(back.delta.mean + view.delta.mean) < 1e-12);
    assert.throws(() => compareRuns({ run, method: "a" }, { run, method: "c" }), UsageError);
  });

  it("labels as steered only the methods a `chorus steer eval` run lists as steered", () => {
    const steerDir = join(root, "steer-eval");
    writeEvalRun(steerDir, { methods: ["unsteered", "steered"], items: 6 });
    const configPath = join(steerDir, "config.json");
    const manifest = JSON.parse(readFileSync(configPath, "utf8"));
    manifest.config.steer = {
      fingerprint: "0123456789abcdef",
      site: { layer: 2 },
      attributes: ["mood"],
      methods: ["steered"],
    };
    writeFileSync(configPath, JSON.stringify(manifest));
    const steerRun = new RunIndex(steerDir);
    const view = compareRuns(
      { run: steerRun, method: "unsteered" },
      { run: steerRun, method: "steered" },
    );
    assert.equal(view.a.steer, "");
    assert.equal(view.b.steer, 'steered (0123456789ab, site {"layer":2}, mood)');
  });
});
