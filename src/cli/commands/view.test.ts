import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Command } from "commander";
import { runChorusInProcess } from "../../../test/support/run-chorus.ts";
import { writeEvalRun } from "../../view/run-fixture.ts";
import { register } from "./view.ts";

describe("chorus view", () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-view-cli-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("has examples whose flags parse", async () => {
    const root = new Command("chorus").exitOverride();
    register(root);
    const command = root.commands.find((c) => c.name() === "view")!;
    let help = "";
    command.configureOutput({ writeOut: (s) => (help += s) });
    command.outputHelp();
    const examples = help
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.startsWith("$ chorus view"))
      .map((line) => line.slice("$ chorus ".length).split(/\s+/));
    assert.equal(examples.length, 3, help);
    const parsed: Array<{ paths: string[]; flags: Record<string, unknown> }> = [];
    command.exitOverride().action((paths: string[], flags: Record<string, unknown>) => {
      parsed.push({ paths, flags });
    });
    for (const args of examples) await root.parseAsync(args, { from: "user" });
    assert.deepEqual(parsed[0], { paths: [], flags: { host: "127.0.0.1", port: 0, maxMb: 15 } });
    assert.equal(parsed[1]!.paths.length, 2);
    assert.deepEqual([parsed[1]!.flags["port"], parsed[1]!.flags["open"]], [7575, true]);
    assert.deepEqual([parsed[2]!.flags["export"], parsed[2]!.flags["maxMb"]], ["run.html", 5]);
  });

  it("--export writes one HTML file and says what --max-mb dropped", async () => {
    writeEvalRun(join(dir, "runs", "r1"), { methods: ["a", "b"], items: 200 });
    const out = join(dir, "r1.html");
    const cache = ["--cache-dir", join(dir, "cache")];
    const full = await runChorusInProcess(["view", join(dir, "runs"), "--export", out, ...cache]);
    assert.equal(full.code, 0, full.stderr);
    assert.equal(readdirSync(join(dir, "cache", "view-index")).length, 1, "the run's index kept");
    assert.match(full.stderr, /wrote .*r1\.html .*1 run\(s\).*prompts and outputs/);
    assert.doesNotMatch(full.stderr, /dropped/);
    const size = readFileSync(out).length;
    const capped = await runChorusInProcess([
      "view",
      join(dir, "runs", "r1"),
      "--export",
      out,
      "--max-mb",
      String((size - 2000) / 1e6),
      ...cache,
    ]);
    assert.equal(capped.code, 0, capped.stderr);
    assert.match(capped.stderr, /the details of \d+ of 400 result lines were dropped/);
    assert.ok(readFileSync(out).length <= size - 2000);
  });

  it("refuses folders that hold no runs (exit 2)", async () => {
    const r = await runChorusInProcess([
      "view",
      dir,
      "--export",
      join(dir, "x.html"),
      "--cache-dir",
      join(dir, "cache"),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not a run folder/);
    assert.equal(existsSync(join(dir, "x.html")), false);
  });
});
