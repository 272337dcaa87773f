import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { sharedFile } from "../../evals/shared-dir.ts";
import { ModelCallError } from "../../model/errors.ts";
import type { GenerateRequest, LanguageModel } from "../../model/language-model.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import { FaithfulnessScorer } from "./faithfulness-scorer.ts";
import { HttpNliJudge } from "./http-nli-judge.ts";
import { LlmSupportJudge } from "./llm-support-judge.ts";

const source = "The council voted 5–2 to approve the budget. Work starts in March.";
const summary = "The council approved the budget. The vote was unanimous.";
const claimOf = (r: GenerateRequest) =>
  /Claim:\n(.*)\n/.exec(r.messages?.[0]?.content ?? "")?.[1] ?? "";

test("logprob confidence: P(yes)/(P(yes)+P(no)) per sentence, averaged", async () => {
  const model = new ScriptedModel({
    script: (request) => {
      const unanimous = claimOf(request).includes("unanimous");
      const [yes, no] = unanimous
        ? [Math.log(0.1), Math.log(0.6)]
        : [Math.log(0.9), Math.log(0.05)];
      return {
        generations: [
          {
            text: unanimous ? "No" : "Yes",
            finishReason: "stop",
            logprobs: [
              {
                token: unanimous ? "No" : "Yes",
                logprob: unanimous ? no : yes,
                top: [
                  { token: "Yes", logprob: yes },
                  { token: " no", logprob: no },
                ],
              },
            ],
          },
        ],
      };
    },
  });
  const result = await new FaithfulnessScorer(new LlmSupportJudge(model)).score(source, summary);
  assert.equal(result.sentences.length, 2);
  assert.ok(Math.abs(result.sentences[0]!.probability - 0.9 / 0.95) < 1e-9);
  assert.ok(Math.abs(result.sentences[1]!.probability - 0.1 / 0.7) < 1e-9);
  assert.deepEqual(
    result.sentences.map((s) => [s.supported, s.basis]),
    [
      [true, "logprobs"],
      [false, "logprobs"],
    ],
  );
  assert.ok(Math.abs(result.score - (0.9 / 0.95 + 0.1 / 0.7) / 2) < 1e-9);
  assert.equal(result.supportedFraction, 0.5);
  assert.equal(model.calls[0]!.maxTokens, 1);
});

test("without logprobs the verdict comes from score, else from the reply text", async () => {
  const scoring = new ScriptedModel({
    script: [],
    capabilities: { logprobs: "none" },
    score: (r) => [
      { token: r.continuation, logprob: r.continuation === "Yes" ? -0.1 : -2.4, top: [] },
    ],
  });
  const [byScore] = await new LlmSupportJudge(scoring).judge([{ source, sentence: "x" }]);
  assert.equal(byScore!.basis, "score");
  assert.ok(byScore!.probability > 0.9);
  const texting = new ScriptedModel({
    script: ["No, it is not.", "hmm"],
    capabilities: { logprobs: "none" },
  });
  const verdicts = await new LlmSupportJudge(texting, { concurrency: 1 }).judge([
    { source, sentence: "a" },
    { source, sentence: "b" },
  ]);
  assert.deepEqual(verdicts, [
    { probability: 0, basis: "text" },
    { probability: 0.5, basis: "text" },
  ]);
});

let server: ReturnType<typeof createServer>;
let url = "";
const bodies: unknown[] = [];
before(async () => {
  server = createServer((req, res) => {
    let data = "";
    req.on("data", (c) => {
      data += c;
    });
    req.on("end", () => {
      const body = JSON.parse(data);
      bodies.push(body);
      const hypothesis: string = Array.isArray(body.inputs)
        ? body.inputs[1]
        : body.inputs.text_pair;
      const entail = hypothesis.includes("unanimous") ? 0.05 : 0.92;
      res.setHeader("content-type", "application/json");
      res.end(
        JSON.stringify([
          [
            { label: "ENTAILMENT", score: entail },
            { label: "CONTRADICTION", score: 1 - entail },
          ],
        ]),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/predict`;
});
after(() => server.close());

test("an NLI endpoint plugs in as the judge (TEI and HF body shapes)", async () => {
  const tei = await new FaithfulnessScorer(new HttpNliJudge({ url })).score(source, summary);
  assert.deepEqual(
    tei.sentences.map((s) => [s.probability, s.basis]),
    [
      [0.92, "nli"],
      [0.05, "nli"],
    ],
  );
  assert.deepEqual(bodies[0], { inputs: [source, "The council approved the budget."] });
  await new HttpNliJudge({ url, format: "hf" }).judge([{ source, sentence: "s" }]);
  assert.deepEqual(bodies.at(-1), { inputs: { text: source, text_pair: "s" } });
  await assert.rejects(
    new HttpNliJudge({ url, entailmentLabel: "supported" }).judge([{ source, sentence: "s" }]),
    (e: unknown) => e instanceof ModelCallError && /ENTAILMENT, CONTRADICTION/.test(e.message),
  );
  assert.throws(() => new HttpNliJudge({ url: "not a url" }), /not a URL/);
});

test("the LLM judge runs on a real GGUF with logprob confidence", async () => {
  const path = sharedFile("models", "stories260K.gguf");
  assert.ok(path, "stories260K.gguf must be in ../shared/models");
  const model: LanguageModel = await loadLlamaCppModel({ modelPath: path, gpu: false });
  try {
    const result = await new FaithfulnessScorer(new LlmSupportJudge(model)).score(source, summary);
    assert.equal(result.sentences.length, 2);
    for (const s of result.sentences) {
      assert.ok(s.probability >= 0 && s.probability <= 1);
      assert.ok(s.basis === "logprobs" || s.basis === "text");
    }
  } finally {
    await model.close?.();
  }
});
