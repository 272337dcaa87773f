import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { main } from "../../cli/main.ts";

const stories = fileURLToPath(
  new URL("../../../../shared/models/stories260K.gguf", import.meta.url),
);

// End to end on a real GGUF: the tiny model writes garbage, but every step is real (llama.cpp
// sampling, UT parsing, sandboxed runs of the code and of the hidden tests, the run folder).
test("chorus eval utdebug runs end to end on stories260K", {
  skip: !existsSync(stories),
}, async () => {
  const runs = mkdtempSync(join(tmpdir(), "chorus-utdebug-"));
  try {
    const code = await main([
      "eval",
      "utdebug",
      "--dataset",
      "humanevalfix-python",
      "--limit",
      "1",
      "--model",
      stories,
      "--set",
      "rounds=1",
      "--set",
      "nUts=1",
      "--set",
      "attempts=1",
      "--set",
      "votes=2",
      "--set",
      "maxTokens=24",
      "--set",
      "scMaxTokens=16",
      "--runs-dir",
      runs,
      "--no-cache",
    ]);
    assert.equal(code, 0);
    const [run] = readdirSync(runs);
    const results = readFileSync(join(runs, run!, "results.jsonl"), "utf8")
      .trim()
      .split("\n");
    assert.equal(results.length, 1);
    const line = JSON.parse(results[0]!) as {
      result: { score: number; details: { passByRound: boolean[]; rounds: { round: number }[] } };
    };
    // round 0 is the given buggy code: it must fail the hidden tests
    assert.equal(line.result.details.passByRound[0], false);
    assert.equal(line.result.details.passByRound.length, 2);
    assert.ok(line.result.details.rounds.length >= 1);
    const events = readFileSync(join(runs, run!, "events.jsonl"), "utf8")
      .trim()
      .split("\n");
    assert.ok(events.length >= 2, "the UT generator and the debugger were called");
  } finally {
    rmSync(runs, { recursive: true, force: true });
  }
});
