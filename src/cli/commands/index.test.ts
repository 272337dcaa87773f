import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { traceModules } from "../../../test/support/module-trace.ts";
import { startOpenAITestServer } from "../../../test/support/openai-server.ts";
import { commandNamed, commands } from "./index.ts";

/** Packages whose load costs most of a second; only commands that run a local model need them. */
const heavy = /\/node_modules\/(node-llama-cpp|@node-llama-cpp|onnxruntime-node)\//;
const commandModules = (modules: string[]) =>
  modules.filter((m) => /\/src\/cli\/commands\/[^/]+\.ts$/.test(m)).map((m) => m.split("/").at(-1));

describe("command registry", () => {
  it("lists each command with the name and description its module registers", async () => {
    for (const entry of commands) {
      const program = new Command("chorus");
      (await entry.load()).register(program);
      const names = program.commands.map((c) => c.name());
      assert.deepEqual(names, [entry.name], `${entry.name}: its module registers ${names}`);
      assert.equal(program.commands[0]!.description(), entry.description, entry.name);
    }
  });

  it("finds the command a command line runs", () => {
    assert.equal(commandNamed(["--help"]), undefined);
    assert.equal(commandNamed(["-V"]), undefined);
    assert.equal(commandNamed(["eval", "cot", "--limit", "2"]), "eval");
    assert.equal(commandNamed(["--help", "serve"]), "serve");
    assert.equal(commandNamed(["help", "models"]), "models");
  });
});

describe("what a command line loads (whole processes)", () => {
  it("--help and --version load no command module and neither llama.cpp nor onnxruntime", async () => {
    for (const flag of ["--help", "--version"]) {
      const run = await traceModules([flag]);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(
        run.modules.some((m) => m.includes("/commander/")),
        "the trace sees packages",
      );
      assert.deepEqual(
        run.modules.filter((m) => heavy.test(m)),
        [],
        flag,
      );
      assert.deepEqual(commandModules(run.modules), ["index.ts"], flag);
    }
    const help = await traceModules(["--help"]);
    for (const { name } of commands) assert.match(help.stdout, new RegExp(`\\n  ${name}\\b`));
  });

  it("a command's help loads its own module only", async () => {
    const steer = await traceModules(["steer", "--help"]);
    assert.equal(steer.code, 0, steer.stderr);
    assert.deepEqual(commandModules(steer.modules), ["index.ts", "steer.ts"]);
  });

  it("the trace does see llama.cpp when a command loads it", async () => {
    const model = fileURLToPath(new URL("../../../models/atlas-1m.gguf", import.meta.url));
    const run = await traceModules([
      "generate",
      "--model",
      model,
      "--raw",
      "--max-tokens",
      "2",
      "A",
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(run.modules.some((m) => heavy.test(m)));
  });

  it("an eval against an HTTP server never loads llama.cpp or onnxruntime", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chorus-eval-http-"));
    const data = join(dir, "two.jsonl");
    writeFileSync(data, '{"question":"2+2?","answer":"4"}\n{"question":"3+3?","answer":"6"}\n');
    const server = await startOpenAITestServer({ flavor: "vllm" });
    try {
      const run = await traceModules(
        [
          ...["eval", "cot", "--dataset", data, "--base-url", server.url, "--model", "test-model"],
          ...["--no-cache", "--runs-dir", join(dir, "runs")],
        ],
        { cwd: dir },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.ok(server.requests.length >= 2, "the eval called the server");
      assert.deepEqual(
        run.modules.filter((m) => heavy.test(m)),
        [],
      );
    } finally {
      await server.close();
    }
  });
});
