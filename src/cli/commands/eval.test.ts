import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Command } from "commander";
import { runChorusInProcess } from "../../../test/support/run-chorus.ts";
import { evalMethods } from "../../evals/eval-methods.ts";
import { register } from "./eval.ts";

const run = runChorusInProcess;

describe("chorus eval: usage and data errors", () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-eval-cli-"));
  it("names the file and line of a malformed record (exit 1) before loading any model", async () => {
    const file = join(dir, "bad.jsonl");
    writeFileSync(file, '{"question":"1+1?","answer":"2"}\n{"question":"2+2?"}\n');
    const { code, stderr } = await run(["eval", "cot", "--dataset", file, "--model", "nope.gguf"]);
    assert.equal(code, 1);
    assert.match(stderr, /bad\.jsonl:2: missing field "answer"/);
  });
  it("rejects unknown methods, datasets and splits with exit 2", async () => {
    assert.match(
      (await run(["eval", "nope", "--dataset", "gsm8k"])).stderr,
      /unknown eval method "nope"/,
    );
    const unknown = await run(["eval", "cot", "--dataset", "no-such-set"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown dataset "no-such-set"/);
    assert.match(
      (await run(["eval", "cot", "--dataset", "gsm8k", "--split", "train"])).stderr,
      /no split "train"/,
    );
  });
  it("checks method settings", async () => {
    const r = await run([
      "eval",
      "magicore",
      "--dataset",
      "gsm8k",
      "--limit",
      "1",
      "--model",
      "x.gguf",
      "--set",
      "hardRule=xor",
      "--out",
      join(dir, "r1"),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--set hardRule: expected one of and, or/);
    // per-item methods check their settings before any item runs, too
    const cot = await run([
      "eval",
      "cot",
      "--dataset",
      "gsm8k",
      "--limit",
      "1",
      "--model",
      "x.gguf",
      "--set",
      "k=-1",
      "--out",
      join(dir, "r2"),
    ]);
    assert.equal(cot.code, 2);
    assert.match(cot.stderr, /--set k: expected a non-negative integer/);
  });
});

describe("chorus eval --help", () => {
  /** A fresh program with `eval` registered and its action replaced by a recorder. */
  function program(parsed: Array<{ method: string; flags: Record<string, unknown> }>) {
    const root = new Command("chorus").exitOverride();
    register(root);
    const command = root.commands.find((c) => c.name() === "eval")!;
    command.exitOverride().action((method: string, flags: Record<string, unknown>) => {
      parsed.push({ method, flags });
    });
    return { root, command };
  }

  it("lists the roles and has examples whose flags, methods and baselines are real", async () => {
    let help = "";
    const { command } = program([]);
    command.configureOutput({ writeOut: (s) => (help += s) });
    command.outputHelp();
    assert.match(help, /judge for MAMM-Refine/);
    const examples = help
      .replaceAll(/\\\n\s*/g, " ")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.startsWith("$ chorus eval "))
      .map((line) => line.slice("$ chorus ".length).split(/\s+/));
    assert.ok(examples.length >= 5, help);
    const parsed: Array<{ method: string; flags: Record<string, unknown> }> = [];
    for (const args of examples) await program(parsed).root.parseAsync(args, { from: "user" });
    assert.equal(parsed.length, examples.length);
    const known = new Set(evalMethods.map((m) => m.name));
    for (const { method, flags } of parsed) {
      assert.ok(known.has(method), method);
      for (const b of String(flags["baselines"] ?? "")
        .split(",")
        .filter(Boolean))
        assert.ok(known.has(b), `baseline ${b}`);
    }
    const mamm = parsed.find((p) => p.method === "mamm-refine")!;
    assert.deepEqual(mamm.flags["model"], ["a.gguf", "b.gguf", "judge.gguf"]);
    assert.deepEqual(mamm.flags["role"], ["judge=judge.gguf"]);
    assert.equal(mamm.flags["baselines"], "dcr,no-refine");
    assert.equal(mamm.flags["dataset"], "xsum");
    const steered = parsed.find((p) => p.flags["steer"] !== undefined)!;
    assert.equal(steered.flags["dataset"], "truthfulqa-mc1");
  });
});
