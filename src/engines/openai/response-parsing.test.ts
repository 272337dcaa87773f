import assert from "node:assert/strict";
import { test } from "node:test";
import { ModelCallError } from "../../model/errors.ts";
import { parseCompletion } from "./response-parsing.ts";

const url = "http://127.0.0.1:1/v1/chat/completions";

function respond(body: unknown) {
  return { body, text: JSON.stringify(body), retries: 0 };
}

test("choices are ordered by index and finish reasons normalized", () => {
  const parsed = parseCompletion(
    respond({
      choices: [
        { index: 1, message: { content: "b" }, finish_reason: "length" },
        { index: 0, message: { content: "a" }, finish_reason: "stop" },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    }),
    { kind: "chat", url, logprobs: undefined },
  );
  assert.deepEqual(parsed, {
    generations: [
      { text: "a", finishReason: "stop" },
      { text: "b", finishReason: "length" },
    ],
    usage: { inputTokens: 3, outputTokens: 2 },
  });
});

test("an unexpected shape names what was expected and quotes the body", () => {
  assert.throws(
    () => parseCompletion(respond({ result: "hi" }), { kind: "chat", url, logprobs: undefined }),
    (error: unknown) =>
      error instanceof ModelCallError &&
      /no choices\[\] array \(expected a chat completion/.test(error.message) &&
      error.message.includes('{\\"result\\":\\"hi\\"}'),
  );
});

test("missing logprobs that were asked for is an error, not silence", () => {
  assert.throws(
    () =>
      parseCompletion(respond({ choices: [{ text: "x", finish_reason: "stop" }] }), {
        kind: "completions",
        url,
        logprobs: 2,
      }),
    /choices\[0\] has no logprobs although they were asked for/,
  );
});

test("llama.cpp native completion_probabilities are read when logprobs is absent", () => {
  const parsed = parseCompletion(
    respond({
      choices: [{ text: "hi", finish_reason: "stop" }],
      completion_probabilities: [{ token: "hi", logprob: -0.5, top_logprobs: [] }],
    }),
    { kind: "completions", url, logprobs: 0 },
  );
  assert.deepEqual(parsed.generations[0]?.logprobs, [{ token: "hi", logprob: -0.5, top: [] }]);
});

test("a 200 carrying an error object reports the server's message", () => {
  assert.throws(
    () =>
      parseCompletion(respond({ error: { message: "context length exceeded" } }), {
        kind: "chat",
        url,
        logprobs: undefined,
      }),
    (error: unknown) =>
      error instanceof ModelCallError &&
      error.details.serverMessage === "context length exceeded" &&
      /answered 200 with an error: context length exceeded/.test(error.message),
  );
});
