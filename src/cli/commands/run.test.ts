import assert from "node:assert/strict";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { startOpenAITestServer } from "../../../test/support/openai-server.ts";
import { runChorus } from "../../../test/support/run-chorus.ts";

const stories = fileURLToPath(
  new URL("../../../../shared/models/stories260K.gguf", import.meta.url),
);

/** Runs the real CLI in a child process (async, so a server in this process keeps answering). */
const chorus = runChorus;

test("run adacad --json on a GGUF: text, tokens and α of every step", async () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-run-"));
  const passage = join(dir, "passage.txt");
  writeFileSync(
    passage,
    "Tom had a big dog named Max. Every day, Tom played with Max in the park.",
  );
  const { code, stdout, stderr } = await chorus([
    ...["run", "adacad", "--model", stories, "--no-cache", "--context", `@${passage}`],
    ...["--question", "Who is Tom's dog?", "--max-tokens", "4", "--json"],
  ]);
  assert.equal(code, 0, stderr);
  const result = JSON.parse(stdout);
  assert.equal(result.method, "adacad");
  assert.equal(result.approximate, false);
  assert.equal(result.tokens.length, result.alphas.length);
  assert.ok(result.tokens.length > 0 && result.tokens.length <= 4);
  for (const t of result.tokens)
    assert.ok(t.alpha >= 0 && t.alpha <= Math.LN2 && typeof t.id === "number");
});

test("run adacad over an OpenAI-compatible server takes the top-k path, marked approximate", async () => {
  const server = await startOpenAITestServer({ flavor: "vllm" });
  try {
    const { code, stdout, stderr } = await chorus([
      ...["run", "adacad", "--base-url", server.url, "--model", "test-model", "--no-cache"],
      ...["--context", "A passage.", "--question", "Q?", "--max-tokens", "3", "--json"],
    ]);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.equal(result.approximate, true);
    assert.equal(result.certified.length, result.tokens.length);
    const completions = server.requests.filter((r) => r.path.endsWith("/completions"));
    assert.equal(completions.length, 2 * result.tokens.length, "two 1-token calls per step");
    for (const r of completions) {
      const body = r.body as Record<string, unknown>;
      assert.equal(body["max_tokens"], 1);
      assert.equal(body["temperature"], 1);
    }
  } finally {
    await server.close();
  }
});

test("run mamm-refine --input: JSONL pairs, one line each, recorded in a run folder", async () => {
  const server = await startOpenAITestServer({ flavor: "vllm" });
  const dir = mkdtempSync(join(tmpdir(), "chorus-mamm-"));
  const input = join(dir, "pairs.jsonl");
  writeFileSync(
    input,
    [
      { id: "a", source: "The vote was 5-2.", summary: "The vote was unanimous." },
      { id: "b", document: "Work starts in March.", text: "Work starts in March." },
    ]
      .map((r) => JSON.stringify(r))
      .join("\n"),
  );
  try {
    const out = join(dir, "run");
    const { code, stdout, stderr } = await chorus([
      ...["run", "mamm-refine", "--base-url", server.url, "--model", "test-model", "--no-cache"],
      ...["--input", input, "--max-rounds", "2", "--max-tokens", "20", "--out", out],
    ]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(
      stdout
        .trim()
        .split("\n")
        .map((l) => l.split("\t")[0])
        .sort(),
      ["a", "b"],
    );
    assert.ok(existsSync(join(out, "results.jsonl")));
  } finally {
    await server.close();
  }
});

test("bad usage exits 2 with one line naming the fix", async () => {
  const both = await chorus([
    "run",
    "adacad",
    "--model",
    stories,
    "--context",
    "x",
    "--summarize",
    "--question",
    "q",
  ]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /either --question/);
  const missing = await chorus([
    "run",
    "mamm-refine",
    "--model",
    stories,
    "--source",
    "/nonexistent",
  ]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--summary/);
});
