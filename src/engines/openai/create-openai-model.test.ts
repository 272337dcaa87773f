import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  startOpenAITestServer,
  testAlternatives,
  testTokenize,
  testTokenLogprob,
} from "../../../test/support/openai-server.ts";
import { modelFor, serverFor } from "../../../test/support/openai-suite.ts";
import { CapabilityError, ModelCallError, ModelTimeoutError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { createOpenAIModel } from "./create-openai-model.ts";

const user = (content: string) => [{ role: "user" as const, content }];

/** The top-k the test server offers at a position where `token` has `logprob`. */
function expectedTop(token: string, logprob: number, k: number) {
  return [...testAlternatives(), { token, logprob }]
    .sort((a, b) => b.logprob - a.logprob)
    .slice(0, k);
}

describe("vLLM flavour", () => {
  const server = serverFor({ flavor: "vllm" });
  let model: LanguageModel;
  before(() => {
    model = modelFor(server(), { flavor: "vllm" });
  });

  test("chat generate sends the sampling fields and returns text and usage", async () => {
    const result = await model.generate({
      messages: user("What is the capital of France?"),
      temperature: 0,
      topP: 0.9,
      topK: 40,
      maxTokens: 4,
      stop: ["\n"],
      seed: 3,
    });
    assert.deepEqual(result.generations, [
      { text: " echo france? of capital", finishReason: "length" },
    ]);
    assert.equal(result.usage.outputTokens, 4);
    assert.ok(result.usage.inputTokens > 0);
    assert.equal(result.meta?.retries, 0);
    assert.ok((result.meta?.latencyMs ?? -1) >= 0);
    const body = server().requests.at(-1)?.body;
    assert.equal(server().requests.at(-1)?.path, "/v1/chat/completions");
    assert.deepEqual(
      { ...body, messages: undefined },
      {
        model: "test-model",
        messages: undefined,
        temperature: 0,
        top_p: 0.9,
        top_k: 40,
        max_tokens: 4,
        stop: ["\n"],
        seed: 3,
      },
    );
  });

  test("n > 1 comes back as n distinct samples from one request", async () => {
    const before = server().requests.length;
    const result = await model.generate({ messages: user("hello there"), n: 3, seed: 7 });
    assert.deepEqual(
      result.generations.map((g) => g.text),
      [" s7 there hello", " s8 there hello", " s9 there hello"],
    );
    assert.equal(server().requests.length - before, 1);
    assert.equal(server().requests.at(-1)?.body.n, 3);
  });

  test("chat logprobs map to the normalized form with k alternatives", async () => {
    const result = await model.generate({
      messages: user("one two"),
      temperature: 0,
      logprobs: 3,
    });
    const generation = result.generations[0]!;
    const promptLength = testTokenize("<|user|>one two<|assistant|>").length;
    assert.deepEqual(
      generation.logprobs,
      testTokenize(generation.text).map((token, j) => {
        const logprob = testTokenLogprob(token, promptLength + j);
        return { token, logprob, top: expectedTop(token, logprob, 3) };
      }),
    );
    assert.deepEqual(
      {
        logprobs: server().requests.at(-1)?.body.logprobs,
        top: server().requests.at(-1)?.body.top_logprobs,
      },
      { logprobs: true, top: 3 },
    );
  });

  test("legacy completions logprobs map too, and raw prompts go to /completions", async () => {
    const result = await model.generate({ prompt: "alpha beta", temperature: 0, logprobs: 2 });
    assert.equal(server().requests.at(-1)?.path, "/v1/completions");
    const generation = result.generations[0]!;
    assert.equal(generation.text, " echo beta alpha");
    // BOS, "alpha", " beta" precede the reply.
    assert.deepEqual(
      generation.logprobs,
      testTokenize(generation.text).map((token, j) => {
        const logprob = testTokenLogprob(token, 3 + j);
        return { token, logprob, top: expectedTop(token, logprob, 2) };
      }),
    );
  });

  test("chat prefill is a continued final message, not repeated in the text", async () => {
    const result = await model.generate({
      messages: user("Say hi"),
      prefill: "Sure:",
      temperature: 0,
    });
    const body = server().requests.at(-1)?.body;
    assert.deepEqual(body.messages.at(-1), { role: "assistant", content: "Sure:" });
    assert.equal(body.continue_final_message, true);
    assert.equal(body.add_generation_prompt, false);
    assert.equal(result.generations[0]?.text, " echo sure: hi say");
  });

  test("raw prompt + prefill is sent concatenated", async () => {
    await model.generate({ prompt: "Q: 1+1?\nA:", prefill: " The answer is", temperature: 0 });
    assert.equal(server().requests.at(-1)?.body.prompt, "Q: 1+1?\nA: The answer is");
  });

  test("a JSON schema becomes response_format json_schema", async () => {
    const schema = { title: "Answer", type: "object", properties: { answer: { type: "string" } } };
    const result = await model.generate({
      messages: user("x y"),
      jsonSchema: schema,
      temperature: 0,
    });
    assert.deepEqual(server().requests.at(-1)?.body.response_format, {
      type: "json_schema",
      json_schema: { name: "Answer", schema, strict: true },
    });
    assert.deepEqual(JSON.parse(result.generations[0]!.text), { answer: "y x" });
  });

  test("score of a raw prompt round-trips through echo and /tokenize", async () => {
    const score = model.score!;
    const result = await score.call(model, {
      prompt: "The capital of France is",
      continuation: " Paris indeed",
      topLogprobs: 2,
    });
    // Positions: <s> The capital of France is | Paris indeed
    const expected = [" Paris", " indeed"].map((token, i) => {
      const logprob = testTokenLogprob(token, 6 + i);
      return { token, logprob, top: expectedTop(token, logprob, 2) };
    });
    assert.deepEqual(result.tokens, expected);
    assert.equal(result.total, expected[0]!.logprob + expected[1]!.logprob);
    const body = server().requests.findLast((r) => r.path === "/v1/completions")?.body;
    assert.deepEqual(
      {
        echo: body.echo,
        logprobs: body.logprobs,
        max_tokens: body.max_tokens,
        prompt: body.prompt,
      },
      { echo: true, logprobs: 2, max_tokens: 1, prompt: "The capital of France is Paris indeed" },
    );
  });

  test("score includes a token that straddles the prompt/continuation boundary", async () => {
    const result = await model.score!({ prompt: "The cap", continuation: "ital of" });
    assert.deepEqual(
      result.tokens.map((t) => t.token),
      [" capital", " of"],
    );
    const openai = await startOpenAITestServer({ flavor: "openai" });
    try {
      const byOffsets = await modelFor(openai, { flavor: "openai" }).score!({
        prompt: "The cap",
        continuation: "ital of",
      });
      assert.deepEqual(
        byOffsets.tokens.map((t) => t.token),
        [" capital", " of"],
      );
    } finally {
      await openai.close();
    }
    assert.deepEqual(result.tokens[0]?.top, []);
  });

  test("an empty continuation scores 0 without a request", async () => {
    const before = server().requests.length;
    const result = await model.score!({ prompt: "a", continuation: "" });
    assert.deepEqual([result.tokens, result.total], [[], 0]);
    assert.equal(server().requests.length, before);
  });

  test("score of chat messages uses prompt_logprobs and /tokenize", async () => {
    const messages = user("hi there");
    const result = await model.score!({
      prompt: messages,
      continuation: " Paris is",
      topLogprobs: 1,
    });
    const full = testTokenize("<|user|>hi there<|assistant|> Paris is");
    const prefix = testTokenize("<|user|>hi there<|assistant|>").length;
    assert.deepEqual(
      result.tokens,
      full.slice(prefix).map((token, i) => {
        const logprob = testTokenLogprob(token, prefix + i);
        return { token, logprob, top: expectedTop(token, logprob, 1) };
      }),
    );
    const tokenizeCalls = server().requests.filter((r) => r.path === "/tokenize");
    assert.ok(tokenizeCalls.length >= 2);
  });
});

describe("llama.cpp server flavour", () => {
  const server = serverFor({ flavor: "llamacpp" });
  let model: LanguageModel;
  before(() => {
    model = modelFor(server(), { flavor: "llamacpp" });
  });

  test("n > 1 is sent as n single-choice requests with varied seeds", async () => {
    const before = server().requests.length;
    const result = await model.generate({ messages: user("hello there"), n: 3, seed: 7 });
    assert.deepEqual(result.generations.map((g) => g.text).sort(), [
      " s7 there hello",
      " s8 there hello",
      " s9 there hello",
    ]);
    const sent = server().requests.slice(before);
    assert.equal(sent.length, 3);
    assert.deepEqual(
      sent.map((r) => r.body.n),
      [undefined, undefined, undefined],
    );
    assert.equal(result.usage.outputTokens, 9);
  });

  test("completions logprobs in llama.cpp's content shape; logprobs 0 keeps only the token", async () => {
    const result = await model.generate({ prompt: "alpha beta", temperature: 0, logprobs: 0 });
    const generation = result.generations[0]!;
    assert.deepEqual(
      generation.logprobs,
      testTokenize(generation.text).map((token, j) => ({
        token,
        logprob: testTokenLogprob(token, 2 + j),
        top: [],
      })),
    );
    assert.equal(server().requests.at(-1)?.body.logprobs, 1);
  });

  test("prefill is a trailing assistant message without vLLM's flags", async () => {
    await model.generate({ messages: user("Say hi"), prefill: "Sure:", temperature: 0 });
    const body = server().requests.at(-1)?.body;
    assert.deepEqual(body.messages.at(-1), { role: "assistant", content: "Sure:" });
    assert.equal(body.continue_final_message, undefined);
  });

  test("raw-prompt JSON schema uses llama.cpp's json_schema field", async () => {
    const schema = { type: "object" };
    await model.generate({ prompt: "x", jsonSchema: schema, temperature: 0 });
    assert.deepEqual(server().requests.at(-1)?.body.json_schema, schema);
  });

  test("score on a server that refuses echo is a capability error naming score", async () => {
    await assert.rejects(
      model.score!({ prompt: "a b", continuation: " c" }),
      (error: unknown) =>
        error instanceof CapabilityError &&
        error.capability.startsWith("score") &&
        /Only no echo is supported/.test(error.message) &&
        /vllm/.test(error.message),
    );
  });
});

describe("llama.cpp builds with echo and probabilities", () => {
  const server = serverFor({ flavor: "llamacpp", llamacppEcho: true, llamacppProbabilities: true });

  test("score counts the continuation's tokens through /tokenize", async () => {
    const model = modelFor(server(), { flavor: "llamacpp" });
    const result = await model.score!({ prompt: "one two", continuation: " three four" });
    assert.deepEqual(
      result.tokens.map((t) => t.token),
      [" three", " four"],
    );
    const expected = [testTokenLogprob(" three", 2), testTokenLogprob(" four", 3)];
    result.tokens.forEach((t, i) => {
      assert.ok(Math.abs(t.logprob - expected[i]!) < 1e-12);
    });
    assert.deepEqual(
      server()
        .requests.filter((r) => r.path === "/tokenize")
        .map((r) => r.body.content)
        .sort(),
      ["one two", "one two three four"],
    );
  });

  test("probabilities are converted to natural-log logprobs", async () => {
    const model = modelFor(server(), { flavor: "llamacpp" });
    const result = await model.generate({ prompt: "x", temperature: 0, logprobs: 2 });
    const first = result.generations[0]!.logprobs![0]!;
    const logprob = testTokenLogprob(" echo", 1);
    assert.equal(first.token, " echo");
    assert.ok(Math.abs(first.logprob - logprob) < 1e-12);
    const top = expectedTop(" echo", logprob, 2);
    assert.deepEqual(
      first.top.map((t) => t.token),
      top.map((t) => t.token),
    );
    first.top.forEach((t, i) => {
      assert.ok(Math.abs(t.logprob - top[i]!.logprob) < 1e-12);
    });
  });
});

describe("Ollama flavour", () => {
  const server = serverFor({ flavor: "ollama" });

  test("auto-detected from owned_by; n samples as n requests; prefill continued", async () => {
    const model = modelFor(server());
    const result = await model.generate({
      messages: user("hello there"),
      prefill: "Well,",
      n: 2,
      seed: 1,
      logprobs: 1,
    });
    assert.deepEqual(result.generations.map((g) => g.text).sort(), [
      " s1 well, there hello",
      " s2 well, there hello",
    ]);
    const sent = server().requests.filter((r) => r.path === "/v1/chat/completions");
    assert.equal(sent.length, 2);
    assert.equal(sent[0]?.body.continue_final_message, undefined);
    assert.equal(result.generations[0]?.logprobs?.[0]?.top.length, 1);
  });

  test("score is a capability error naming score, before any request", async () => {
    const model = modelFor(server(), { flavor: "ollama" });
    const before = server().requests.length;
    await assert.rejects(
      model.score!({ prompt: "a", continuation: " b" }),
      (error: unknown) => error instanceof CapabilityError && /"score/.test(error.message),
    );
    assert.equal(server().requests.length, before);
  });
});

describe("OpenAI flavour and auto-detection", () => {
  const server = serverFor({ flavor: "openai", echoPrefill: true });

  test("prefill on chat is refused clearly; topK too", async () => {
    const model = modelFor(server(), { flavor: "openai" });
    await assert.rejects(
      model.generate({ messages: user("x"), prefill: "Sure" }),
      (error: unknown) => error instanceof CapabilityError && /prefill/.test(error.message),
    );
    await assert.rejects(model.generate({ messages: user("x"), topK: 5 }), /topK/);
  });

  test("auto flavour asks /models once and an echoed prefill is stripped", async () => {
    const vllm = await startOpenAITestServer({ flavor: "vllm", echoPrefill: true });
    try {
      const model = modelFor(vllm);
      const a = await model.generate({
        messages: user("Say hi"),
        prefill: "Sure:",
        temperature: 0,
      });
      await model.generate({ messages: user("again"), temperature: 0 });
      assert.equal(a.generations[0]?.text, " echo sure: hi say");
      assert.equal(vllm.requests.filter((r) => r.path === "/v1/models").length, 1);
      assert.equal(vllm.requests.at(-2)?.body.continue_final_message, true);
    } finally {
      await vllm.close();
    }
  });

  test("score without /tokenize locates the continuation by text_offset", async () => {
    const model = modelFor(server(), { flavor: "openai" });
    const result = await model.score!({ prompt: "a b", continuation: " c d" });
    assert.equal(server().requests.at(-1)?.body.max_tokens, 0);
    assert.deepEqual(
      result.tokens.map((t) => [t.token, t.logprob]),
      [
        [" c", testTokenLogprob(" c", 3)],
        [" d", testTokenLogprob(" d", 4)],
      ],
    );
  });

  test("api: completions refuses chat messages and still takes raw prompts", async () => {
    const model = modelFor(server(), { flavor: "openai", api: "completions" });
    await assert.rejects(
      model.generate({ messages: user("x") }),
      /api: "completions" \(no chat template\)/,
    );
    const result = await model.generate({ prompt: "x y", temperature: 0 });
    assert.equal(result.generations[0]?.text, " echo y x");
  });

  test("the API key is sent as a bearer token", async () => {
    const model = modelFor(server(), { flavor: "openai", apiKey: "sk-test" });
    await model.generate({ messages: user("x"), temperature: 0 });
    assert.equal(server().requests.at(-1)?.headers.authorization, "Bearer sk-test");
  });

  test("an unknown model is a 404 carrying the server's message, not retried", async () => {
    const before = server().requests.length;
    const model = modelFor(server(), { flavor: "openai", model: "nope" });
    await assert.rejects(
      model.generate({ messages: user("x") }),
      (error: unknown) =>
        error instanceof ModelCallError &&
        error.details.status === 404 &&
        /HTTP 404: The model `nope` does not exist/.test(error.message),
    );
    assert.equal(server().requests.length - before, 1);
  });
});

describe("failures", () => {
  const server = serverFor({ flavor: "vllm" });

  test("429 with Retry-After is retried after waiting at least that long", async () => {
    server().setFaults({ status: { code: 429, times: 1, retryAfter: "1", message: "slow down" } });
    const model = modelFor(server(), { flavor: "vllm" });
    const started = performance.now();
    const result = await model.generate({ messages: user("x"), temperature: 0 });
    assert.ok(performance.now() - started >= 990, "waited for Retry-After");
    assert.equal(result.meta?.retries, 1);
    assert.equal(result.generations[0]?.text, " echo x");
    server().setFaults({});
  });

  test("500s beyond the retry limit fail with status and the server's message", async () => {
    server().setFaults({ status: { code: 500, message: "CUDA out of memory" } });
    const before = server().requests.length;
    const model = modelFor(server(), { flavor: "vllm", maxRetries: 2 });
    await assert.rejects(
      model.generate({ messages: user("x") }),
      (error: unknown) =>
        error instanceof ModelCallError &&
        error.details.status === 500 &&
        error.details.serverMessage === "CUDA out of memory" &&
        error.details.retries === 2 &&
        /HTTP 500: CUDA out of memory \(gave up after 2 retries\)/.test(error.message),
    );
    assert.equal(server().requests.length - before, 3);
    server().setFaults({});
  });

  test("a 400 is not retried", async () => {
    server().setFaults({ status: { code: 400, message: "max_tokens too large" } });
    const before = server().requests.length;
    const model = modelFor(server(), { flavor: "vllm" });
    await assert.rejects(model.generate({ messages: user("x") }), /HTTP 400: max_tokens too large/);
    assert.equal(server().requests.length - before, 1);
    server().setFaults({});
  });

  test("a hung request times out with ModelTimeoutError", async () => {
    server().setFaults({ hang: {} });
    const model = modelFor(server(), { flavor: "vllm", timeoutMs: 150 });
    await assert.rejects(
      model.generate({ messages: user("x") }),
      (error: unknown) => error instanceof ModelTimeoutError && /within 150 ms/.test(error.message),
    );
    server().setFaults({});
  });

  test("malformed JSON is a clear error quoting what came back", async () => {
    server().setFaults({ malformed: {} });
    const model = modelFor(server(), { flavor: "vllm" });
    await assert.rejects(
      model.generate({ messages: user("x") }),
      (error: unknown) =>
        error instanceof ModelCallError &&
        /malformed JSON \(expected a chat completion object\)/.test(error.message) &&
        error.message.includes("<html>oops"),
    );
    server().setFaults({});
  });

  test("a dropped connection is retried", async () => {
    server().setFaults({ reset: { times: 1 } });
    const model = modelFor(server(), { flavor: "vllm" });
    const result = await model.generate({ messages: user("x"), temperature: 0 });
    assert.equal(result.meta?.retries, 1);
    server().setFaults({});
  });

  test("a refused connection fails after the retries, saying so", async () => {
    const gone = await startOpenAITestServer();
    const url = gone.url;
    await gone.close();
    const model = createOpenAIModel({
      baseURL: url,
      model: "m",
      flavor: "vllm",
      maxRetries: 1,
      retryBaseMs: 1,
    });
    await assert.rejects(model.generate({ prompt: "x" }), /ECONNREFUSED.*gave up after 1 retry/);
  });

  test("the caller's abort signal stops a call at once", async () => {
    server().setFaults({ hang: {} });
    const model = modelFor(server(), { flavor: "vllm" });
    const controller = new AbortController();
    const pending = model.generate({ messages: user("x"), signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(pending, (error: unknown) => (error as Error).name === "AbortError");
    server().setFaults({});
  });
});

test("a server that ignores n is topped up with single requests on varied seeds", async () => {
  const server = await startOpenAITestServer({ flavor: "openai", singleChoice: true });
  try {
    const model = modelFor(server);
    const result = await model.generate({ messages: user("a b"), n: 3, seed: 5 });
    assert.deepEqual(result.generations.map((g) => g.text).sort(), [
      " s5 b a",
      " s6 b a",
      " s7 b a",
    ]);
    const sent = server.requests.filter((r) => r.path === "/v1/chat/completions");
    assert.deepEqual(
      sent.map((r) => [r.body.n, r.body.seed]).sort((a, b) => a[1] - b[1]),
      [
        [3, 5],
        [undefined, 6],
        [undefined, 7],
      ],
    );
  } finally {
    await server.close();
  }
});

test("requests in flight to one endpoint stay within the concurrency limit", async () => {
  const server = await startOpenAITestServer({ flavor: "vllm", delayMs: 30 });
  try {
    const a = modelFor(server, { flavor: "vllm", concurrency: 2 });
    const b = modelFor(server, { flavor: "vllm", id: "second" });
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? a : b).generate({ messages: user(`q${i}`), temperature: 0 }),
      ),
    );
    assert.equal(server.maxInFlight, 2);
  } finally {
    await server.close();
  }
});

test("bad options and requests fail with the field and the fix", () => {
  const ollama = createOpenAIModel({ baseURL: "http://h/v1", model: "m", flavor: "ollama" });
  assert.equal(ollama.capabilities.score, false);
  assert.throws(
    () => createOpenAIModel({ baseURL: "localhost:8000", model: "m" }),
    /baseURL must start with http:\/\/ or https:\/\/, got "localhost:8000"; give e.g. http/,
  );
  assert.throws(
    () => createOpenAIModel({ baseURL: "not a url", model: "m" }),
    /baseURL "not a url" is not a URL/,
  );
  assert.throws(
    () => createOpenAIModel({ baseURL: "http://h/v1", model: "" }),
    /model is required/,
  );
  assert.throws(
    () => createOpenAIModel({ baseURL: "http://h/v1", model: "m", concurrency: 0 }),
    /concurrency must be a positive number/,
  );
  assert.throws(
    () =>
      createOpenAIModel({ baseURL: "http://h/v1", model: "m", apiKeyEnv: "CHORUS_NO_SUCH_KEY" }),
    /CHORUS_NO_SUCH_KEY, but that environment variable is not set/,
  );
});
