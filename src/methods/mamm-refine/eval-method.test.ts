import assert from "node:assert/strict";
import { test } from "node:test";
import type { EvalContext } from "../../evals/eval-method.ts";
import { staticModelSource } from "../../evals/model-source.ts";
import type { GenerateRequest } from "../../model/language-model.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import { mammRefineMethod } from "./eval-method.ts";
import type { MammTraceRecord } from "./trace-record.ts";

const prompt = (r: GenerateRequest) => r.messages?.[0]?.content ?? "";

test("eval method: refines, scores faithfulness before/after, and DETECT balanced accuracy", async () => {
  const fixed = "The council approved the budget 5–2.";
  const model = new ScriptedModel({
    id: "m",
    capabilities: { logprobs: "none" },
    script: (request) => {
      const p = prompt(request);
      if (p.includes("Reply with Yes or No only"))
        return /Claim:\n.*unanimous/.test(p) ? "No" : "Yes";
      if (p.includes("Revise the summary")) return fixed;
      if (p.includes("Find the unsupported span")) return "The error span: unanimously";
      return JSON.stringify({ reasoning: "r", answer: p.includes("unanimously") ? "no" : "yes" });
    },
  });
  const context: EvalContext = {
    models: staticModelSource([model]),
    seed: 0,
    options: { "max-rounds": "2" },
    dataset: { name: "tofueval", split: "mediasum", answerType: "none" },
    reuse: (_key, compute) => compute(),
    forItem: (_id, fn) => fn(),
    log: () => {},
  };
  const output = await mammRefineMethod.runItem!(
    {
      id: "t",
      question: "",
      answer: "",
      answerType: "none",
      meta: {
        document: "The council voted 5–2 to approve the budget.",
        summary: "The budget was approved unanimously.",
        sentences: ["The budget was approved unanimously."],
        labels: ["no"],
      },
    },
    context,
  );
  assert.equal(output.response, fixed);
  assert.equal(output.score, 1);
  const details = output.details as {
    faithfulnessBefore: number;
    detectBalancedAccuracy: number;
    labels: string[];
    trace: MammTraceRecord;
  };
  assert.equal(details.faithfulnessBefore, 0);
  assert.deepEqual(details.labels, ["no"]);
  assert.equal(details.detectBalancedAccuracy, 1);
  // the debate behind the label: both agents said "no" in round 1 and agreed
  const [detect] = details.trace.detect;
  assert.equal(detect!.consensus, true);
  assert.equal(detect!.answer, "no");
  assert.deepEqual(
    detect!.rounds[0]!.votes.map((v) => [v.answer, v.reasoning]),
    [
      ["no", "r"],
      ["no", "r"],
    ],
  );
  // the refinement chose one of its drafts, by index
  const refine = details.trace.refine!;
  assert.equal(refine.drafts[refine.chosen!], fixed);
  assert.equal(details.trace.critique.length, 1);
});

test("eval settings: validated before any item runs; critique-models=mixed", async () => {
  const { readMammSettings } = await import("./eval-method.ts");
  assert.deepEqual(readMammSettings({}), {
    critiqueFraming: "rerank",
    refineFraming: "rerank",
    singleAgent: false,
    critiqueModels: "same",
  });
  const s = readMammSettings({
    framing: "generate",
    "refine-framing": "rerank",
    "critique-models": "mixed",
    "max-rounds": "3",
    temperature: "0.7",
    "other-method-key": "x",
  });
  assert.equal(s.critiqueFraming, "generate");
  assert.equal(s.refineFraming, "rerank");
  assert.equal(s.critiqueModels, "mixed");
  assert.equal(s.maxRounds, 3);
  assert.equal(s.temperature, 0.7);
  assert.throws(() => readMammSettings({ "critique-models": "all" }), /critique-models/);
  assert.throws(() => readMammSettings({ "max-tokens": "1.5" }), /max-tokens/);
});

test("critique-models=mixed: one critique draft per model", async () => {
  const drafts: string[] = [];
  const make = (id: string) =>
    new ScriptedModel({
      id,
      capabilities: { logprobs: "none" },
      script: (request) => {
        const p = prompt(request);
        if (p.includes("Reply with Yes or No only")) return "Yes";
        if (p.includes("Revise the summary")) return "The council approved the budget 5–2.";
        if (p.includes("Response 1")) return JSON.stringify({ reasoning: "r", answer: "1" });
        if (p.includes("Find the unsupported span")) {
          drafts.push(id);
          return `The error span: unanimously (${id})`;
        }
        return JSON.stringify({ reasoning: "r", answer: "no" });
      },
    });
  const context: EvalContext = {
    models: staticModelSource([make("a"), make("b")]),
    seed: 0,
    options: { "critique-models": "mixed", "max-rounds": "1" },
    dataset: { name: "t", split: "t", answerType: "none" },
    reuse: (_key, compute) => compute(),
    forItem: (_id, fn) => fn(),
    log: () => {},
  };
  await mammRefineMethod.runItem!(
    {
      id: "t",
      question: "",
      answer: "",
      answerType: "none",
      meta: { document: "The council voted 5–2.", summary: "It passed unanimously." },
    },
    context,
  );
  assert.deepEqual(drafts.sort(), ["a", "b"]);
});
