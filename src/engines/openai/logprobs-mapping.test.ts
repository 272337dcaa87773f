import assert from "node:assert/strict";
import { test } from "node:test";
import { LogprobsShapeError, readLogprobs, toTokenLogprobs } from "./logprobs-mapping.ts";

test("chat shape (OpenAI, vLLM, Ollama, llama.cpp /v1) maps token, logprob and sorted top", () => {
  const raw = {
    content: [
      {
        token: " Paris",
        logprob: -0.1,
        bytes: [32],
        top_logprobs: [
          { token: " Lyon", logprob: -3 },
          { token: " Paris", logprob: -0.1 },
        ],
      },
    ],
  };
  assert.deepEqual(toTokenLogprobs(readLogprobs(raw)), [
    {
      token: " Paris",
      logprob: -0.1,
      top: [
        { token: " Paris", logprob: -0.1 },
        { token: " Lyon", logprob: -3 },
      ],
    },
  ]);
  assert.deepEqual(readLogprobs(raw, 1)[0]?.top, [{ token: " Paris", logprob: -0.1 }]);
});

test("legacy completions shape keeps offsets and null first logprob", () => {
  const positions = readLogprobs({
    tokens: ["<s>", " a", " b"],
    token_logprobs: [null, -1, -2],
    top_logprobs: [null, { " a": -1, " x": -0.5 }, { " b": -2 }],
    text_offset: [0, 3, 5],
  });
  assert.deepEqual(positions, [
    { token: "<s>", logprob: null, top: [], offset: 0 },
    {
      token: " a",
      logprob: -1,
      top: [
        { token: " x", logprob: -0.5 },
        { token: " a", logprob: -1 },
      ],
      offset: 3,
    },
    { token: " b", logprob: -2, top: [{ token: " b", logprob: -2 }], offset: 5 },
  ]);
});

test("llama.cpp native completion_probabilities: logprob, prob and old probs variants", () => {
  const modern = readLogprobs([
    {
      id: 5,
      token: "hi",
      bytes: [],
      logprob: -0.2,
      top_logprobs: [{ id: 5, token: "hi", logprob: -0.2 }],
    },
  ]);
  assert.deepEqual(modern[0], {
    token: "hi",
    logprob: -0.2,
    top: [{ token: "hi", logprob: -0.2 }],
  });

  const postSampling = readLogprobs([
    {
      id: 5,
      token: "hi",
      prob: 0.5,
      top_probs: [
        { id: 5, token: "hi", prob: 0.5 },
        { token: "yo", prob: 0.25 },
      ],
    },
  ]);
  assert.equal(postSampling[0]?.logprob, Math.log(0.5));
  assert.deepEqual(postSampling[0]?.top, [
    { token: "hi", logprob: Math.log(0.5) },
    { token: "yo", logprob: Math.log(0.25) },
  ]);

  // The old shape has no probability for the chosen token itself outside the list.
  const old = readLogprobs([
    {
      content: "hi",
      probs: [
        { tok_str: "yo", prob: 0.1 },
        { tok_str: "hi", prob: 0.8 },
      ],
    },
  ]);
  assert.equal(old[0]?.logprob, Math.log(0.8));
  assert.equal(old[0]?.top[0]?.token, "hi");
});

test("an unknown shape is a clear error", () => {
  assert.throws(() => readLogprobs({ foo: 1 }), LogprobsShapeError);
  assert.throws(() => readLogprobs([{ logprob: -1 }]), /no "token" string/);
});
