import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EvalItem } from "../../evals/eval-item.ts";
import { staticModelSource } from "../../evals/model-source.ts";
import type { GenerateRequest } from "../../model/language-model.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import { expertPrompt, keywordPrompt } from "./prompt-format.ts";
import { readMoeSettings } from "./settings.ts";
import { buildMoeProfile, runSymbolicMoe } from "./symbolic-moe.ts";

const items: EvalItem[] = ["a", "b", "c", "d"].map((id, i) => ({
  id,
  question: i % 2 === 0 ? `reverse ${id}` : `count ${id}`,
  answer: i % 2 === 0 ? "3 , 2 , 1" : "2",
  answerType: "text",
  meta: {},
}));

/** A base model: raw prompts only; right on its own skill, wrong ("9 .") elsewhere. */
function baseModel(id: string, skill: string, calls: GenerateRequest[]) {
  return new ScriptedModel({
    id,
    capabilities: { n: false },
    onCall: (r) => {
      assert.equal(r.messages, undefined, "completion format sends raw prompts only");
      calls.push(r);
    },
    script: (r) => {
      const prompt = r.prompt!;
      if (prompt.endsWith("Keywords:"))
        return prompt.includes("reverse") ? " order, order" : " tally, tally";
      if (!prompt.includes(skill)) return " 9 .";
      return prompt.includes("reverse") ? " 3 , 2 , 1 ." : " 2 .";
    },
  });
}

describe("Symbolic-MoE with completion prompts and the majority aggregator", () => {
  it("prompts base models with Q: … A: and stops at the next line or question", () => {
    assert.deepEqual(expertPrompt("completion", " what is 2 plus 3 ? ", "text"), {
      prompt: "Q: what is 2 plus 3 ? A:",
      stop: ["\n", "Q:"],
    });
    assert.equal((keywordPrompt("completion", "x") as { prompt: string }).prompt, "Q: x Keywords:");
    assert.ok("messages" in expertPrompt("chat", "x", "math"));
  });

  it("routes each item to its specialist and votes without an aggregator model", async () => {
    const calls: GenerateRequest[] = [];
    const models = [
      baseModel("annotator", "none", calls),
      baseModel("rev", "reverse", calls),
      baseModel("cnt", "count", calls),
    ];
    const source = staticModelSource(models, { annotator: "annotator" });
    const settings = readMoeSettings({
      format: "completion",
      aggregator: "majority",
      maxTokens: 8,
    });
    const profile = await buildMoeProfile(items, { models: source, seed: 3 }, settings, {
      dataset: "toy",
      split: "validation",
    });
    assert.equal(profile.aggregator, "majority");
    assert.deepEqual(profile.aggregatorAccuracy, {}, "a fixed aggregator skips the benchmark");
    assert.equal(profile.profiles["rev"]!["order"], 2, "+1 per right reverse item");
    assert.ok(profile.profiles["rev"]!["tally"]! < 0);
    const results = await runSymbolicMoe(items, profile, { models: source, seed: 3 }, settings);
    for (const [i, r] of results.entries()) {
      const specialist = i % 2 === 0 ? "rev" : "cnt";
      assert.deepEqual(r.recruitment.experts, [specialist, specialist, specialist]);
      assert.equal(r.prediction, `${items[i]!.answer} .`, "the specialists' unanimous answer");
      assert.equal(r.aggregator, "majority");
    }
    const answering = calls.filter((c) => c.prompt!.endsWith("A:"));
    assert.ok(answering.length > 0 && answering.every((c) => c.maxTokens === 8));
  });
});
