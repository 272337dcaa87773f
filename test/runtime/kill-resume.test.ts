import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("./slow-run.ts", import.meta.url));

function start(dir: string, mode: "new" | "resume"): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", script, dir, mode], {
    stdio: ["ignore", "pipe", "inherit"],
  });
}

async function finish(child: ChildProcess): Promise<string> {
  let out = "";
  child.stdout?.on("data", (chunk) => {
    out += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  assert.equal(code, 0);
  return out;
}

function lines(dir: string): string[] {
  const path = join(dir, "results.jsonl");
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").filter(Boolean) : [];
}

/**
 * SIGKILLs the child once results.jsonl holds at least `atLeast` lines; false when it finished
 * first (possible on a starved machine).
 */
async function killAfter(child: ChildProcess, dir: string, atLeast: number): Promise<boolean> {
  const exited = new Promise((resolve) => child.on("exit", resolve));
  while (lines(dir).length < atLeast) {
    if (child.exitCode !== null) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  child.kill("SIGKILL");
  await exited;
  return child.signalCode === "SIGKILL";
}

test("a run killed with SIGKILL twice and resumed equals the uninterrupted run", async () => {
  const root = mkdtempSync(join(tmpdir(), "chorus-kill-"));
  const whole = join(root, "whole");
  const killed = join(root, "killed");
  await Promise.all([finish(start(whole, "new")), killAfter(start(killed, "new"), killed, 8)]);
  const afterFirstKill = lines(killed).length;
  assert.ok(afterFirstKill >= 8 && afterFirstKill < 30, `killed with ${afterFirstKill} lines`);
  await killAfter(start(killed, "resume"), killed, afterFirstKill + 6);
  const out = JSON.parse(await finish(start(killed, "resume")));
  assert.ok(out.skipped >= afterFirstKill + 6, `resume skipped ${out.skipped}`);
  assert.equal(out.skipped + out.completed, 30);

  const expected = lines(whole).sort();
  const got = lines(killed).sort();
  assert.equal(expected.length, 30);
  assert.deepEqual(got, expected, "same lines, none missing, none duplicated");
  const events = readFileSync(join(killed, "events.jsonl"), "utf8").split("\n").filter(Boolean);
  for (const event of events) JSON.parse(event); // every remaining event line is whole
});
