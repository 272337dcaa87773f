import assert from "node:assert/strict";
import { test } from "node:test";
import type { GenerateRequest } from "../../model/language-model.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import { mammRefine } from "./mamm-refine.ts";
import { englishJsonPrompts, type MammPromptSet } from "./prompt-set.ts";

// A terse completion-style set, as a base model without instructions or JSON would need.
const terse: MammPromptSet = {
  request: "completion",
  stop: ["\n"],
  jsonAnswers: false,
  detect: (doc, s) => `D: ${doc} S: ${s} V:`,
  critique: (doc, s) => `D: ${doc} S: ${s} E:`,
  critiqueRerank: (doc, s, _t, c) =>
    `D: ${doc} S: ${s} ${c.map((x, i) => `${i + 1}= ${x}`).join(" ")} V:`,
  refine: (doc, summary, feedback) => `D: ${doc} T: ${summary} ${feedback} R:`,
  refineRerank: (doc, _task, c) => `D: ${doc} ${c.map((x, i) => `${i + 1}= ${x}`).join(" ")} V:`,
  feedback: (critiques) => critiques.map((c) => `F: ${c}`).join(" "),
  task: () => "",
  debateRound: (base, answers) =>
    `${base} ${answers.map((a) => `${a.reasoning} ${a.label}`).join(" | ")} V:`,
  update: (base, _what, outputs) => `${base} ${outputs.join(" E: ")} E:`,
  parseAnswer: (text, allowed) => {
    const word = text.trim().split(" ").at(-1) ?? "";
    const label = word === "ok" ? "yes" : word === "bad" ? "no" : word;
    return allowed.includes(label)
      ? { reasoning: text.trim().split(" ").slice(0, -1).join(" "), answer: label }
      : undefined;
  },
};

const document = "ann lives in rome . ann plays golf .";
const text = "ann lives in oslo . ann plays golf .";
const sentences = ["ann lives in oslo .", "ann plays golf ."];

test("a completion prompt set: raw prompts, its stops, its parser, its debate and feedback formats", async () => {
  const calls: GenerateRequest[] = [];
  const reply = (request: GenerateRequest) => {
    calls.push(request);
    const p = request.prompt ?? "";
    if (p.endsWith("R:")) return "ann lives in rome . ann plays golf .";
    if (p.endsWith("E:")) return "oslo , rome";
    // agent 2 (seed + 1) wrongly accepts "oslo" in round 1 and follows agent 1 in round 2
    if (p.includes("oslo") && !p.includes("|") && request.seed === 11) return "rome says ok";
    return p.includes("oslo") ? "rome says bad" : "golf ok";
  };
  const model = new ScriptedModel({ script: reply });
  const result = await mammRefine(
    { document, text, sentences },
    {
      detect: { agents: [model, model] },
      critique: { agents: [model] },
      refine: { agents: [model] },
      prompts: terse,
      seed: 10,
      maxRounds: 3,
    },
  );
  assert.deepEqual(result.labels, ["no", "yes"]);
  assert.deepEqual(result.critiques, ["oslo , rome", null]);
  assert.equal(result.refinedText, document);
  assert.ok(calls.every((c) => c.messages === undefined && c.prompt !== undefined));
  assert.ok(calls.every((c) => c.jsonSchema === undefined && c.stop?.[0] === "\n"));
  const round2 = calls.find((c) => c.prompt?.includes("|"));
  assert.ok(round2, "the disagreement went to a second round");
  assert.match(
    round2.prompt!,
    / V: rome says no \| rome says yes V:$|V: rome says yes \| rome says no V:$/,
  );
  assert.ok(
    calls.some((c) => c.prompt?.endsWith("F: oslo , rome R:")),
    "feedback in the set's form",
  );
});

test("the default set is the English JSON one, sent as chat with the answer schema", async () => {
  const model = new ScriptedModel({
    script: () => JSON.stringify({ reasoning: "stated", answer: "yes" }),
  });
  const result = await mammRefine(
    { document, text: "ann plays golf.", sentences: ["ann plays golf."] },
    { detect: { agents: [model] }, critique: { agents: [model] }, refine: { agents: [model] } },
  );
  assert.deepEqual(result.labels, ["yes"]);
  const call = model.calls[0]!;
  assert.equal(call.messages?.[0]?.content, englishJsonPrompts.detect(document, "ann plays golf."));
  assert.ok(call.jsonSchema, "JSON votes are constrained");
});
