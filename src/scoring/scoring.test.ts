import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { ModelCallError } from "../model/errors.ts";
import { ScriptedModel } from "../testing/scripted-model.ts";
import { HttpRewardModel, type RewardCache, sigmoid } from "./http-reward-model.ts";
import { LlmJudge } from "./llm-judge.ts";
import { MathShepherdPrm } from "./math-shepherd-prm.ts";
import { OutcomeAsProcess } from "./outcome-as-process.ts";

describe("LlmJudge", () => {
  it("reads P(yes) / (P(yes) + P(no)) from the first token's alternatives", async () => {
    const model = new ScriptedModel({
      script: (request) => {
        const good = request.messages?.[0]?.content.includes("42");
        const [yes, no] = good ? [0.6, 0.2] : [0.1, 0.3];
        return {
          generations: [
            {
              text: "Yes",
              finishReason: "stop",
              logprobs: [
                {
                  token: "Yes",
                  logprob: Math.log(yes),
                  top: [
                    { token: "Yes", logprob: Math.log(yes) },
                    { token: " no", logprob: Math.log(no) },
                    { token: "Maybe", logprob: Math.log(0.05) },
                  ],
                },
              ],
            },
          ],
        };
      },
    });
    const judge = new LlmJudge(model);
    const scores = await judge.scoreOutcomes([
      { question: "6*7?", solution: "\\boxed{42}" },
      { question: "6*7?", solution: "\\boxed{41}" },
    ]);
    assert.ok(Math.abs(scores[0]! - 0.75) < 1e-9);
    assert.ok(Math.abs(scores[1]! - 0.25) < 1e-9);
    assert.equal(model.calls[0]!.maxTokens, 1);
    assert.equal(model.calls[0]!.temperature, 0);
  });
  it("scores the exact pair when neither answer is among the alternatives", async () => {
    const model = new ScriptedModel({
      script: () => ({
        generations: [
          {
            text: "The",
            finishReason: "stop" as const,
            logprobs: [{ token: "The", logprob: -0.1, top: [{ token: "The", logprob: -0.1 }] }],
          },
        ],
      }),
      score: (r) => [
        { token: r.continuation, logprob: r.continuation === "Yes" ? -3 : -1, top: [] },
      ],
    });
    const [p] = await new LlmJudge(model).scoreOutcomes([{ question: "q", solution: "s" }]);
    assert.ok(Math.abs(p! - 1 / (1 + Math.exp(2))) < 1e-9);
    assert.equal(model.scoreCalls.length, 2);
  });
  it("falls back to two score calls without logprobs", async () => {
    const model = new ScriptedModel({
      script: [],
      capabilities: { logprobs: "none" },
      score: (r) => [
        { token: r.continuation, logprob: r.continuation === "Yes" ? -1 : -2, top: [] },
      ],
    });
    const [p] = await new LlmJudge(model).scoreOutcomes([{ question: "q", solution: "s" }]);
    assert.ok(Math.abs(p! - 1 / (1 + Math.exp(-1))) < 1e-9);
    assert.equal(model.scoreCalls.length, 2);
  });
});

describe("MathShepherdPrm", () => {
  const question = "Q?";
  const steps = ["Step 1: a", "Step 2: b"];
  const pGood = [0.9, 0.2];

  it("reads every step from one call when the tags end on token boundaries", async () => {
    const model = new ScriptedModel({
      script: [],
      score: (r) => {
        // tokens: "Step 1: a ки" | "\n" | "Step 2: b ки" | "+"
        // (the first token carries a SentencePiece-style leading space)
        const pieces = [" Step 1: a ки", "\n", "Step 2: b ки", "+"];
        assert.equal(pieces.join(""), ` ${r.continuation}`);
        return pieces.map((token, j) => {
          const step = j === 1 ? 0 : j === 3 ? 1 : -1;
          const top =
            step < 0
              ? [{ token, logprob: -0.1 }]
              : [
                  { token: "+", logprob: Math.log(pGood[step]! * 0.8) },
                  { token: "-", logprob: Math.log((1 - pGood[step]!) * 0.8) },
                ];
          // the teacher-forced token's own logprob agrees with its entry among the alternatives
          const own = top.find((t) => t.token === token)?.logprob ?? -0.1;
          return { token, logprob: own, top };
        });
      },
    });
    const prm = new MathShepherdPrm(model);
    const [scores] = await prm.scoreSteps([{ question, steps }]);
    assert.ok(Math.abs(scores![0]! - 0.9) < 1e-9 && Math.abs(scores![1]! - 0.2) < 1e-9);
    assert.equal(model.scoreCalls.length, 1);
    assert.equal(model.scoreCalls[0]!.prompt, "Q? ");
    assert.equal(prm.taggedText({ question, steps }), "Q? Step 1: a ки\nStep 2: b ки");
  });

  it("falls back to two exact calls per step when the pair cannot be read", async () => {
    const model = new ScriptedModel({
      script: [],
      score: (r) => {
        if (r.continuation.length > 1) return [{ token: r.continuation, logprob: -1, top: [] }]; // no boundaries
        const prompt = r.prompt as string;
        const p = pGood[prompt.split("ки").length - 2]!;
        return [
          { token: r.continuation, logprob: Math.log(r.continuation === "+" ? p : 1 - p), top: [] },
        ];
      },
    });
    const [scores] = await new MathShepherdPrm(model).scoreSteps([{ question, steps }]);
    assert.ok(Math.abs(scores![0]! - 0.9) < 1e-9 && Math.abs(scores![1]! - 0.2) < 1e-9);
    assert.equal(model.scoreCalls.length, 1 + 2 * 2);
  });
});

describe("OutcomeAsProcess", () => {
  it("scores prefixes with the ORM", async () => {
    const seen: string[] = [];
    const prm = new OutcomeAsProcess({
      name: "len",
      scoreOutcomes: async (inputs) =>
        inputs.map((i) => {
          seen.push(i.solution);
          return i.solution.length / 10;
        }),
    });
    const scores = await prm.scoreSteps([
      { question: "q", steps: ["ab", "cd"] },
      { question: "r", steps: ["x"] },
    ]);
    assert.deepEqual(seen, ["ab", "ab\n\ncd", "x"]);
    assert.deepEqual(scores, [[0.2, 0.6], [0.1]]);
  });
});

describe("HttpRewardModel", () => {
  async function server(
    handler: (body: { model: string; input: string[] }, url: string) => unknown,
  ) {
    const requests: Array<{ url: string; body: { model: string; input: string[] } }> = [];
    const srv = createServer((req, res) => {
      let text = "";
      req.on("data", (c) => (text += c));
      req.on("end", () => {
        const body = JSON.parse(text);
        requests.push({ url: req.url ?? "", body });
        const out = handler(body, req.url ?? "");
        if (out === "fail") {
          res.writeHead(500).end("boom");
          return;
        }
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(out));
      });
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as AddressInfo).port;
    return { base: `http://127.0.0.1:${port}/v1`, requests, close: () => srv.close() };
  }

  it("pooling: sigmoid of the raw reward, batched, cached", async () => {
    const s = await server((body) => ({
      data: body.input.map((text, index) => ({ index, data: [text.length / 10] })),
    }));
    try {
      const store = new Map<string, unknown>();
      const cache: RewardCache = {
        get: <T>(k: string) => store.get(k) as T | undefined,
        set: (k, _c, v) => void store.set(k, v),
      };
      const rm = new HttpRewardModel({ baseURL: s.base, model: "orm", batchSize: 2, cache });
      const inputs = ["a", "bb", "ccc"].map((solution) => ({ question: "q", solution }));
      const scores = await rm.scoreOutcomes(inputs);
      assert.deepEqual(
        scores,
        [4, 5, 6].map((n) => sigmoid(n / 10)),
      );
      assert.equal(s.requests.length, 2, "two batches");
      assert.equal(s.requests[0]!.url, "/pooling");
      assert.deepEqual(s.requests[0]!.body.input, ["q\n\na", "q\n\nbb"]);
      await rm.scoreOutcomes(inputs);
      assert.equal(s.requests.length, 2, "second pass served from the cache");
    } finally {
      s.close();
    }
  });

  it("classify: the positive class probability; HTTP errors are ModelCallErrors", async () => {
    const s = await server((body, url) =>
      body.input[0] === "q\n\nbad"
        ? "fail"
        : { data: body.input.map((_, index) => ({ index, probs: [0.3, 0.7], url })) },
    );
    try {
      const rm = new HttpRewardModel({ baseURL: s.base, model: "cls", endpoint: "classify" });
      assert.deepEqual(await rm.scoreOutcomes([{ question: "q", solution: "s" }]), [0.7]);
      assert.equal(s.requests[0]!.url, "/classify");
      await assert.rejects(
        rm.scoreOutcomes([{ question: "q", solution: "bad" }]),
        (e: unknown) => e instanceof ModelCallError && e.details.status === 500,
      );
    } finally {
      s.close();
    }
  });
});
