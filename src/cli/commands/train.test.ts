import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { runChorus } from "../../../test/support/run-chorus.ts";

const stories = fileURLToPath(
  new URL("../../../../shared/models/stories260K.gguf", import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), "chorus-train-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const chorus = (args: string[]) => runChorus(args, { cwd: dir });

test("chorus train sft: progress on stderr, summary on stdout, adapter and run folder written", async () => {
  writeFileSync(
    join(dir, "sft.jsonl"),
    '{"prompt":"Once upon a time","completion":" the robot sang."}\n{"prompt":"Lily had a ball.","completion":" It was red."}\n',
  );
  const r = await chorus([
    "train",
    "sft",
    "--model",
    stories,
    "--data",
    "sft.jsonl",
    "--out",
    "a.gguf",
    "--epochs",
    "2",
    "--batch-size",
    "2",
    "--lr",
    "1e-2",
    "--rank",
    "2",
    "--run-dir",
    "run1",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /step 2\/2 · loss [\d.]+ · lr [\d.e+-]+ · \d+ tok\/s · ETA/);
  const summary = JSON.parse(r.stdout) as { steps: number; output: string };
  assert.equal(summary.steps, 2);
  assert.ok(existsSync(join(dir, "a.gguf")));
  const steps = readFileSync(join(dir, "run1", "train-steps.jsonl"), "utf8")
    .trim()
    .split("\n");
  assert.equal(steps.length, 2);
  assert.ok(existsSync(join(dir, "run1", "checkpoint", "checkpoint.ckpt")));
});

test("chorus train: bad data fails before loading the model, naming the line", async () => {
  writeFileSync(
    join(dir, "bad.jsonl"),
    '{"prompt":"a","chosen":"b","rejected":"c"}\n{"prompt":"a","chosen":"b"}\n',
  );
  const r = await chorus([
    "train",
    "dpo",
    "--model",
    stories,
    "--data",
    "bad.jsonl",
    "--out",
    "b.gguf",
    "--run-dir",
    "run2",
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /bad\.jsonl:2: missing or non-string field "rejected"/);
  assert.ok(!existsSync(join(dir, "run2")));
});

test("chorus train export: OpenAI preference JSONL", async () => {
  writeFileSync(join(dir, "p.jsonl"), '{"prompt":"Hi","chosen":"Hello","rejected":"Go"}\n');
  const r = await chorus([
    "train",
    "export",
    "--data",
    "p.jsonl",
    "--kind",
    "dpo",
    "--format",
    "openai",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    input: { messages: [{ role: "user", content: "Hi" }] },
    preferred_output: [{ role: "assistant", content: "Hello" }],
    non_preferred_output: [{ role: "assistant", content: "Go" }],
  });
});
