import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseSftRecords, readJsonl } from "../../train/data.ts";
import { generateUtgenExamples, writeSftJsonl } from "./training-data.ts";
import { mbppTrainingProblems } from "./training-problems.ts";
import { UtHarness } from "./ut-harness.ts";

const harness = new UtHarness();
const gold = "def total(xs):\n    s = 0\n    for x in xs:\n        s = s + x\n    return s\n";

test("mutants of correct code that fail on an input become UTGen SFT examples", async () => {
  const mutants = await harness.mutants(gold, 10);
  assert.deepEqual(
    mutants.map((m) => m.description),
    [
      "the constant 1 is used where 0 is needed",
      "the constant -1 is used where 0 is needed",
      "`-` is used where `+` is needed",
    ],
  );
  const examples = await generateUtgenExamples(
    [
      {
        id: "total",
        description: "Return the sum of a list of integers.",
        signature: "total(xs)",
        entryPoint: "total",
        goldCode: gold,
        // [] reveals the constant mutants only; [1, 2, 3] reveals all of them
        inputs: ["[]", "[1, 2, 3]", "None"],
      },
    ],
    harness,
  );
  assert.deepEqual(
    examples.map((e) => [e.meta.mutation, e.meta.input, e.meta.output]),
    [
      ["the constant 1 is used where 0 is needed", "[]", "0"],
      ["the constant -1 is used where 0 is needed", "[]", "0"],
      ["`-` is used where `+` is needed", "[1, 2, 3]", "6"],
    ],
  );
  const third = examples[2]!;
  assert.match(third.prompt, /s = s - x/, "the prompt shows the faulty code");
  assert.match(third.completion, /Error Pattern: operator swap/);
  assert.match(third.completion, /Arguments:\n```\ntotal\(\[1, 2, 3\]\)\n```/);
  assert.match(third.completion, /Output:\n```\n6\n```\n$/);

  const dir = mkdtempSync(join(tmpdir(), "chorus-utgen-data-"));
  try {
    const file = join(dir, "utgen.jsonl");
    await writeSftJsonl(file, examples);
    const records = parseSftRecords(await readJsonl(file), file);
    assert.equal(records.length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("MBPP's train split gives training problems with inputs", () => {
  const problems = mbppTrainingProblems();
  assert.ok(problems.length >= 100, `${problems.length} problems`);
  const first = problems.find((p) => p.id === "mbpp-train-602")!;
  assert.equal(first.entryPoint, "first_repeated_char");
  assert.deepEqual(first.inputs, ['"abcabc"', '"abc"', '"123123"']);
});
