import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startOpenAITestServer } from "../../test/support/openai-server.ts";
import { createOpenAIModel } from "../engines/openai/index.ts";
import type {
  GenerateRequest,
  GenerateResult,
  LanguageModel,
  TokenLogprob,
} from "../model/language-model.ts";
import { ScriptedModel } from "../testing/scripted-model.ts";
import { type ChorusServer, createChorusServer } from "./chorus-server.ts";

const logprobs = (text: string): TokenLogprob[] =>
  [...text].map((c, i) => ({
    token: c,
    logprob: -0.1 * (i + 1),
    top: [
      { token: c, logprob: -0.1 * (i + 1) },
      { token: "?", logprob: -5 },
    ],
  }));

const scripted = new ScriptedModel({
  id: "scripted",
  script: (request) => {
    const n = request.n ?? 1;
    return {
      generations: Array.from({ length: n }, (_, i) => ({
        text: `answer ${i}`,
        finishReason: i === 0 ? ("stop" as const) : ("length" as const),
        ...(request.logprobs !== undefined ? { logprobs: logprobs(`answer ${i}`) } : {}),
      })),
    };
  },
  score: (request) =>
    logprobs(request.continuation).map((t) => ({
      ...t,
      top: t.top.slice(0, request.topLogprobs ?? 0),
    })),
});

/** Streams its text in three pieces through `onText`, like an engine that streams. */
class StreamingModel implements LanguageModel {
  readonly id = "streaming";
  readonly provider = "test";
  readonly capabilities = { ...scripted.capabilities, score: false };
  aborted = false;
  async generate(request: GenerateRequest): Promise<GenerateResult> {
    if (request.prompt === "hang") {
      await new Promise<void>((resolve) =>
        request.signal?.addEventListener("abort", () => resolve()),
      );
      this.aborted = true;
      return {
        generations: [{ text: "", finishReason: "other" }],
        usage: { inputTokens: 1, outputTokens: 0 },
      };
    }
    for (const piece of ["Hel", "lo ", "world"]) {
      request.onText?.(0, piece);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return {
      generations: [{ text: "Hello world", finishReason: "stop" }],
      usage: { inputTokens: 3, outputTokens: 3 },
    };
  }
}
const streaming = new StreamingModel();

let server: ChorusServer;
let base: string;
let secured: ChorusServer;
let securedBase: string;
before(async () => {
  server = createChorusServer({ models: { scripted, streaming }, maxBodyBytes: 4096 });
  base = await server.listen();
  secured = createChorusServer({ models: new Map([["scripted", scripted]]), apiKey: "s3cret" });
  securedBase = await secured.listen();
});
after(async () => {
  await server.close();
  await secured.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

/** The `data:` payloads of an SSE body, `[DONE]` included. */
function events(text: string): unknown[] {
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice(6))
    .map((data) => (data === "[DONE]" ? data : JSON.parse(data)));
}

test("lists models, binds 127.0.0.1, answers /health", async () => {
  assert.match(base, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  const list = (await (await fetch(`${base}/models`)).json()) as {
    data: Array<{ id: string; object: string; owned_by: string }>;
  };
  assert.deepEqual(
    list.data.map((m: { id: string; object: string; owned_by: string }) => [
      m.id,
      m.object,
      m.owned_by,
    ]),
    [
      ["scripted", "model", "chorus"],
      ["streaming", "model", "chorus"],
    ],
  );
  assert.equal(
    ((await (await fetch(`${base}/models/streaming`)).json()) as { id: string }).id,
    "streaming",
  );
  assert.equal((await fetch(`${base}/models/nope`)).status, 404);
  assert.deepEqual(await (await fetch(`${base.replace(/\/v1$/, "")}/health`)).json(), {
    status: "ok",
  });
});

test("chat completion: n, logprobs in OpenAI's shape, options passed to the model", async () => {
  const calls = scripted.calls.length;
  const response = await post("/chat/completions", {
    model: "scripted",
    messages: [
      { role: "developer", content: "Be brief." },
      { role: "user", content: [{ type: "text", text: "Hi" }] },
      { role: "assistant", content: "Well," },
    ],
    n: 2,
    temperature: 0.5,
    top_p: 0.9,
    top_k: 40,
    max_tokens: 7,
    seed: 3,
    stop: "\n",
    logprobs: true,
    top_logprobs: 1,
    response_format: {
      type: "json_schema",
      json_schema: { name: "x", schema: { type: "object" } },
    },
    unknown_field: "ignored",
  });
  assert.equal(response.status, 200, response.text);
  const body = response.json();
  assert.equal(body.object, "chat.completion");
  assert.match(body.id, /^chatcmpl-/);
  assert.equal(body.model, "scripted");
  assert.deepEqual(
    body.choices.map((c: { message: { content: string }; finish_reason: string }) => [
      c.message.content,
      c.finish_reason,
    ]),
    [
      ["answer 0", "stop"],
      ["answer 1", "length"],
    ],
  );
  const first = body.choices[0].logprobs.content[0];
  assert.deepEqual(first, {
    token: "a",
    logprob: -0.1,
    bytes: [97],
    top_logprobs: [
      { token: "a", logprob: -0.1, bytes: [97] },
      { token: "?", logprob: -5, bytes: [63] },
    ],
  });
  assert.deepEqual(Object.keys(body.usage), ["prompt_tokens", "completion_tokens", "total_tokens"]);
  const request = scripted.calls[calls]!;
  assert.deepEqual(request.messages, [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi" },
  ]);
  assert.equal(request.prefill, "Well,");
  assert.deepEqual(
    [
      request.n,
      request.temperature,
      request.topP,
      request.topK,
      request.maxTokens,
      request.seed,
      request.stop,
      request.logprobs,
    ],
    [2, 0.5, 0.9, 40, 7, 3, ["\n"], 1],
  );
  assert.deepEqual(request.jsonSchema, { type: "object" });
});

test("chat streaming sends the engine's text as it comes, then finish, usage and [DONE]", async () => {
  const response = await post("/chat/completions", {
    model: "streaming",
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
  const all = events(response.text);
  assert.equal(all.at(-1), "[DONE]");
  const chunks = all.slice(0, -1) as Array<{
    object: string;
    choices: Array<{ delta: { content?: string; role?: string }; finish_reason: string | null }>;
    usage?: unknown;
  }>;
  assert.ok(chunks.every((c) => c.object === "chat.completion.chunk"));
  assert.deepEqual(
    chunks.flatMap((c) =>
      c.choices.map((choice) => choice.delta.content ?? `<${choice.finish_reason}>`),
    ),
    ["", "Hel", "lo ", "world", "<stop>"],
  );
  assert.equal(chunks[0]!.choices[0]!.delta.role, "assistant");
  assert.deepEqual(chunks.at(-1)!.usage, {
    prompt_tokens: 3,
    completion_tokens: 3,
    total_tokens: 6,
  });
});

test("chat streaming of a model that cannot stream, with logprobs: one chunk per sample", async () => {
  const response = await post("/chat/completions", {
    model: "scripted",
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
    n: 2,
    logprobs: true,
  });
  const chunks = events(response.text).slice(0, -1) as Array<{
    choices: Array<{
      index: number;
      delta: { content?: string };
      logprobs: { content: unknown[] } | null;
      finish_reason: string | null;
    }>;
  }>;
  const content = chunks.flatMap((c) => c.choices).filter((c) => c.delta.content);
  assert.deepEqual(
    content.map((c) => [c.index, c.delta.content, c.logprobs?.content.length]),
    [
      [0, "answer 0", 8],
      [1, "answer 1", 8],
    ],
  );
});

test("completions: several prompts × n, echo with prompt logprobs from score, text_offset", async () => {
  const response = await post("/completions", {
    model: "scripted",
    prompt: ["ab", "cd"],
    n: 2,
    echo: true,
    logprobs: 1,
  });
  assert.equal(response.status, 200, response.text);
  const body = response.json();
  assert.equal(body.object, "text_completion");
  assert.deepEqual(
    body.choices.map((c: { index: number; text: string }) => [c.index, c.text]),
    [
      [0, "abanswer 0"],
      [1, "abanswer 1"],
      [2, "cdanswer 0"],
      [3, "cdanswer 1"],
    ],
  );
  const lp = body.choices[0].logprobs;
  assert.deepEqual(lp.tokens.slice(0, 4), ["a", "b", "a", "n"]);
  assert.deepEqual(lp.text_offset.slice(0, 4), [0, 1, 2, 3]);
  assert.deepEqual(lp.top_logprobs[0], { a: -0.1 });
  assert.equal(body.usage.prompt_tokens, 4, "echoed prompt positions");
  assert.equal(scripted.scoreCalls.at(-1)?.continuation, "cd");

  const scoreOnly = (
    await post("/completions", {
      model: "scripted",
      prompt: "xyz",
      echo: true,
      logprobs: 0,
      max_tokens: 0,
    })
  ).json();
  assert.equal(scoreOnly.choices[0].text, "xyz");
  assert.deepEqual(scoreOnly.choices[0].logprobs.tokens, ["x", "y", "z"]);
  assert.equal(scoreOnly.choices[0].finish_reason, "length");

  const streamed = events(
    (await post("/completions", { model: "streaming", prompt: "p", stream: true })).text,
  );
  assert.deepEqual(
    (
      streamed.slice(0, -1) as Array<{
        choices: Array<{ text: string; finish_reason: string | null }>;
      }>
    ).map((c) => c.choices[0]!.text || c.choices[0]!.finish_reason),
    ["Hel", "lo ", "world", "stop"],
  );
});

test("bad requests get OpenAI-shaped 4xx errors naming the problem", async () => {
  const cases: Array<[string, unknown, number, RegExp, string | null]> = [
    ["/chat/completions", "{not json", 400, /not valid JSON/, null],
    ["/chat/completions", "", 400, /body is empty/, null],
    ["/chat/completions", "[1]", 400, /must be a JSON object/, null],
    ["/chat/completions", { model: "scripted" }, 400, /^messages: required/, "messages"],
    [
      "/chat/completions",
      { model: "scripted", messages: [{ role: "tool", content: "x" }] },
      400,
      /messages\[0\]\.role/,
      "messages[0].role",
    ],
    [
      "/chat/completions",
      { model: "scripted", messages: [{ role: "user", content: "x" }], temperature: 9 },
      400,
      /temperature/,
      "temperature",
    ],
    [
      "/chat/completions",
      { model: "scripted", messages: [{ role: "user", content: "x" }], tools: [{}] },
      400,
      /tools is not supported/,
      "tools",
    ],
    [
      "/chat/completions",
      { model: "nope", messages: [{ role: "user", content: "x" }] },
      404,
      /model "nope" does not exist.*available: scripted, streaming/,
      "model",
    ],
    [
      "/completions",
      { model: "streaming", prompt: "x", echo: true, logprobs: 0 },
      400,
      /echo with logprobs needs a model that can score/,
      "echo",
    ],
    [
      "/completions",
      { model: "scripted", prompt: "x".repeat(5000) },
      413,
      /larger than the server's limit of 4096 bytes/,
      null,
    ],
    ["/embeddings", { model: "scripted" }, 404, /no route POST \/v1\/embeddings/, null],
  ];
  for (const [path, body, status, message, param] of cases) {
    const response = await post(path, body);
    assert.equal(
      response.status,
      status,
      `${path} ${JSON.stringify(body).slice(0, 60)}: ${response.text}`,
    );
    const error = response.json().error;
    assert.match(error.message, message);
    assert.equal(error.type, "invalid_request_error");
    assert.equal(error.param, param);
  }
  const wrongMethod = await fetch(`${base}/chat/completions`);
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get("allow"), "POST");
});

test("with an API key, requests without the right bearer token get 401", async () => {
  for (const auth of [undefined, "Bearer wrong", "s3cret"]) {
    const response = await fetch(
      `${securedBase}/models`,
      auth ? { headers: { authorization: auth } } : {},
    );
    assert.equal(response.status, 401);
    assert.equal(
      ((await response.json()) as { error: { type: string } }).error.type,
      "authentication_error",
    );
  }
  const ok = await fetch(`${securedBase}/models`, { headers: { authorization: "Bearer s3cret" } });
  assert.equal(ok.status, 200);
});

test("a client that disconnects aborts the generation", async () => {
  const controller = new AbortController();
  const pending = fetch(`${base}/completions`, {
    method: "POST",
    body: JSON.stringify({ model: "streaming", prompt: "hang" }),
    signal: controller.signal,
  }).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 100));
  controller.abort();
  await pending;
  for (let i = 0; i < 50 && !streaming.aborted; i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(streaming.aborted);
});

test("serving a model behind another server passes its streamed deltas on as they come", async () => {
  const upstream = await startOpenAITestServer({ flavor: "vllm" });
  const proxy = createChorusServer({
    models: {
      up: createOpenAIModel({ baseURL: upstream.url, model: "test-model", flavor: "vllm" }),
    },
  });
  try {
    const url = await proxy.listen();
    const ask = async (stream: boolean) => {
      const response = await fetch(`${url}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          model: "up",
          messages: [{ role: "user", content: "one two three four" }],
          temperature: 0,
          stream,
        }),
      });
      return response.text();
    };
    const plain = JSON.parse(await ask(false)).choices[0].message.content;
    const chunks = (
      events(await ask(true)).slice(0, -1) as Array<{
        choices: Array<{ delta: { content?: string } }>;
      }>
    ).flatMap((c) => c.choices.map((choice) => choice.delta.content ?? ""));
    assert.equal(plain, " echo four three two one");
    assert.deepEqual(
      chunks.filter((c) => c !== ""),
      [" echo", " four", " three", " two", " one"],
    );
    assert.equal(upstream.requests.at(-1)!.body.stream, true, "the upstream call streamed");
  } finally {
    await proxy.close();
    await upstream.close();
  }
});

test("min_tokens (vLLM's field) reaches a model with the capability; others answer 400", async () => {
  const capable = new ScriptedModel({
    id: "capable",
    capabilities: { minTokens: true },
    script: () => ({ generations: [{ text: "long enough", finishReason: "stop" }] }),
  });
  const local = createChorusServer({ models: { capable, scripted } });
  const url = await local.listen();
  try {
    const ask = (model: string) =>
      fetch(`${url}/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model, prompt: "x", max_tokens: 20, min_tokens: 12 }),
      });
    const ok = await ask("capable");
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.equal(capable.calls.at(-1)!.minTokens, 12);
    const refused = await ask("scripted");
    assert.equal(refused.status, 400);
    const body = (await refused.json()) as { error: { message: string } };
    assert.match(body.error.message, /minTokens/);
  } finally {
    await local.close();
  }
});
