import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { main } from "../cli/main.ts";
import { loadLlamaCppModel } from "../engines/llamacpp/index.ts";
import { createOpenAIModel } from "../engines/openai/index.ts";
import { evalMethods } from "../evals/eval-methods.ts";
import { sharedFile } from "../evals/shared-dir.ts";
import type { LanguageModel } from "../model/language-model.ts";
import { type ChorusServer, createChorusServer } from "./chorus-server.ts";

/**
 * Every eval method with its model behind a chorus server: `chorus eval <method> --base-url
 * <chorus serve> --model stories` on one item, with the smallest settings that still run the
 * method's whole path (MAgICoRe's refinement is forced so its PRM scores chat messages).
 */
const stories = sharedFile("models", "stories260K.gguf");
const gsm = ["--dataset", "gsm8k"];
const magicoreSets = ["k=2", "maxTokens=6", "minTokens=0", "selfRefineRounds=1"];
const moeSets = [
  "k=1",
  "validationLimit=2",
  "keywordSamples=1",
  "keywordMaxTokens=8",
  "maxTokens=8",
];
const mammSets = ["max-rounds=1", "max-tokens=8", "parse-attempts=1"];
const utSets = ["rounds=1", "nUts=1", "votes=1", "attempts=1", "maxTokens=16", "scMaxTokens=16"];
const cases: Record<string, { data: string[]; sets: string[] }> = {
  cot: { data: gsm, sets: magicoreSets },
  "self-consistency": { data: gsm, sets: magicoreSets },
  "best-of-k": { data: gsm, sets: magicoreSets },
  "rm-vote": { data: gsm, sets: magicoreSets },
  "self-refine": { data: gsm, sets: magicoreSets },
  magicore: {
    data: gsm,
    sets: [...magicoreSets, "iterations=1", "hardRule=or", "mu=10", "sigma=1"],
  },
  adacad: { data: ["--dataset", "nq-swap"], sets: ["max-tokens=4"] },
  utdebug: { data: ["--dataset", "humanevalfix-js"], sets: utSets },
  "utdebug-random": { data: ["--dataset", "humanevalfix-js"], sets: utSets },
  "utdebug-example": { data: ["--dataset", "humanevalfix-js"], sets: utSets },
  "self-debug": { data: ["--dataset", "humanevalfix-js"], sets: utSets },
  "symbolic-moe": { data: ["--dataset", "mmlu-pro"], sets: moeSets },
  "moe-best-single": { data: ["--dataset", "mmlu-pro"], sets: moeSets },
  "moe-best-single-k": { data: ["--dataset", "mmlu-pro"], sets: moeSets },
  "moe-random-k": { data: ["--dataset", "mmlu-pro"], sets: moeSets },
  "moa-all": { data: ["--dataset", "mmlu-pro"], sets: moeSets },
  "mamm-refine": { data: ["--dataset", "xsum"], sets: mammSets },
  dcr: { data: ["--dataset", "xsum"], sets: mammSets },
  "no-refine": { data: ["--dataset", "xsum"], sets: mammSets },
};

test("the table covers every registered eval method", () => {
  assert.deepEqual(Object.keys(cases).sort(), evalMethods.map((m) => m.name).sort());
});

describe("eval methods against a chorus server on stories260K", {
  skip: stories ? false : "shared/models not found",
}, () => {
  let local: LanguageModel;
  let server: ChorusServer;
  let baseURL = "";
  let dir = "";
  before(async () => {
    local = await loadLlamaCppModel({
      modelPath: stories!,
      id: "stories",
      threads: 1,
      contextSize: 512,
    });
    server = createChorusServer({ models: { stories: local } });
    baseURL = await server.listen();
    dir = mkdtempSync(join(tmpdir(), "chorus-methods-serve-"));
  });
  after(async () => {
    await server?.close();
    await local?.close?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("score on chat messages through the server equals the in-process score", async () => {
    const remote = createOpenAIModel({ baseURL, model: "stories", maxRetries: 0 });
    const request = {
      prompt: [{ role: "user" as const, content: "Tell me a story." }],
      continuation: " Once upon a time",
      topLogprobs: 2,
    };
    const [served, direct] = [await remote.score!(request), await local.score!(request)];
    assert.deepEqual(
      served.tokens.map((t) => t.token),
      direct.tokens.map((t) => t.token),
    );
    assert.ok(Math.abs(served.total - direct.total) < 1e-3, `${served.total} vs ${direct.total}`);
    assert.deepEqual(
      served.tokens[0]!.top.map((t) => t.token),
      direct.tokens[0]!.top.map((t) => t.token),
    );
  });

  for (const [method, { data, sets }] of Object.entries(cases)) {
    test(`chorus eval ${method} --base-url <chorus serve>`, async () => {
      const out = join(dir, method);
      const code = await main([
        "eval",
        method,
        ...data,
        "--limit",
        "1",
        "--base-url",
        baseURL,
        "--model",
        "stories",
        ...sets.flatMap((s) => ["--set", s]),
        "--out",
        out,
        "--cache-dir",
        join(dir, "cache"),
        "--json",
      ]);
      const results = readFileSync(join(out, "results.jsonl"), "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line).result);
      assert.equal(code, 0, `${method} failed; its results: ${JSON.stringify(results)}`);
      assert.equal(results.length, 1);
      assert.equal(results[0].method, method);
      assert.ok(results[0].usage.calls >= 1, `${method} called the served model`);
    });
  }
});
