import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { loadDataset } from "../../evals/datasets/index.ts";
import type { EvalContext } from "../../evals/eval-method.ts";
import { staticModelSource } from "../../evals/model-source.ts";
import { runEval } from "../../evals/run-eval.ts";
import { sharedFile } from "../../evals/shared-dir.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { firstLine } from "./answer-match.ts";
import { adacadMethod } from "./eval-method.ts";

let model: LanguageModel;

function contextFor(answerType: "text" | "none", options: Record<string, string>): EvalContext {
  return {
    models: staticModelSource([model]),
    seed: 0,
    options,
    dataset: { name: "test", split: "test", answerType },
    reuse: (_key, compute) => compute(),
    forItem: (_id, fn) => fn(),
    log: () => {},
  };
}
before(async () => {
  const path = sharedFile("models", "stories260K.gguf");
  assert.ok(path, "stories260K.gguf must be in ../shared/models");
  model = await loadLlamaCppModel({ modelPath: path, gpu: false });
});
after(async () => {
  await model?.close?.();
});

test("eval harness: AdaCAD on NQ-Swap scores contains-answer and records α per token", async () => {
  const items = await loadDataset("nq-swap", { limit: 2 });
  const { records } = await runEval({
    methods: [adacadMethod],
    items,
    dataset: { name: "nq-swap", split: "test", answerType: "text" },
    models: staticModelSource([model]),
    options: { "max-tokens": "4" },
  });
  assert.equal(records.length, 2);
  for (const record of records) {
    const details = record.details as {
      alphas: number[];
      pieces: string[];
      intervened: number;
      intervenedAt: number[];
      decoding: string;
      noContext: boolean;
    };
    assert.equal(details.decoding, "adacad");
    assert.equal(details.noContext, false);
    assert.ok(details.alphas.length > 0 && details.alphas.length <= 4);
    // one token text per α, which together spell the output (whose first line is the prediction)
    assert.equal(details.pieces.length, details.alphas.length);
    assert.equal(firstLine(details.pieces.join("")), record.prediction);
    assert.equal(details.intervened, details.intervenedAt.length);
    assert.ok(details.intervenedAt.every((i) => i >= 0 && i < details.alphas.length));
    assert.ok(record.score === 0 || record.score === 1);
    assert.equal(record.usage.calls, 2, "two decoder streams booked per item");
    assert.ok(record.usage.outputTokens === 2 * details.alphas.length);
  }
});

test("eval harness: over-long prompts are skipped and marked; XSum is scored by faithfulness", async () => {
  const [item] = await loadDataset("nq-synth", { limit: 1 });
  const skipped = await adacadMethod.runItem!(
    item!,
    contextFor("text", { "max-prompt-tokens": "8" }),
  );
  assert.equal((skipped.details as { skipped: string }).skipped, "prompt-too-long");
  const [article] = await loadDataset("xsum", { limit: 1 });
  const summary = await adacadMethod.runItem!(
    {
      ...article!,
      meta: { ...article!.meta, document: "Tom had a dog named Max. Max liked the park." },
    },
    contextFor("none", { "max-tokens": "6" }),
  );
  assert.ok(summary.score !== undefined && summary.score >= 0 && summary.score <= 1);
  const details = summary.details as { alphas: number[] };
  assert.ok(
    details.alphas.every((a) => a >= 0.3),
    "summaries use the 0.3 floor",
  );
});
