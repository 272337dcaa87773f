import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { sharedFile } from "../../evals/shared-dir.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import { mammRefine } from "./mamm-refine.ts";

let model: LanguageModel;
before(async () => {
  const path = sharedFile("models", "stories260K.gguf");
  assert.ok(path, "stories260K.gguf must be in ../shared/models");
  model = await loadLlamaCppModel({ modelPath: path, gpu: false });
});
after(async () => {
  await model?.close?.();
});

test("MAMM-Refine end to end on a real GGUF: every stage runs its real calls", async () => {
  // The tiny TinyStories model cannot judge faithfulness, so a scripted second detector with the
  // final say flags every sentence; the GGUF still votes and debates in DETECT and does all the
  // writing and reranking of CRITIQUE and REFINE (output quality is irrelevant here).
  const skeptic = new ScriptedModel({
    id: "skeptic",
    script: () => JSON.stringify({ reasoning: "Not in the document.", answer: "no" }),
  });
  const document = "Tom had a big dog named Max. One day, Max found a red ball.";
  const text = "Tom had a cat. Max found a blue ball.";
  const result = await mammRefine(
    { document, text },
    {
      detect: { agents: [model, skeptic] },
      critique: { agents: [model, model] },
      refine: { agents: [model, model] },
      finalAgentIndex: 1,
      maxRounds: 2,
      maxTokens: 40,
      maxReasoningChars: 24,
      parseAttempts: 1,
      seed: 2,
    },
  );
  assert.deepEqual(result.sentences, ["Tom had a cat.", "Max found a blue ball."]);
  assert.deepEqual(result.labels, ["no", "no"]);
  const usage = result.usage;
  assert.ok(usage["detect"]!.calls >= 4);
  assert.ok(result.trace.detect.every((d) => d.rounds[0]!.called.includes(0)));
  assert.equal(usage["critique"]!.calls, 4, "two drafts per flagged sentence");
  assert.equal(usage["refine"]!.calls, 2, "two drafts of the whole text");
  for (const stage of ["critique-rerank", "refine-rerank"]) {
    const calls = usage[stage]?.calls ?? 0;
    assert.ok(calls === 0 || calls >= 2, `${stage}: ${calls}`);
  }
  assert.ok(result.critiques.every((c) => typeof c === "string" && c.length > 0));
  assert.match(result.trace.feedback, /^1\. [\s\S]*\n2\. /);
  assert.ok(result.refinedText.length > 0);
  assert.equal(result.changed, result.refinedText !== text);
});
