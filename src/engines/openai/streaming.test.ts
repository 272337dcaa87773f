import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  startOpenAITestServer,
  type TestServerFlavor,
} from "../../../test/support/openai-server.ts";
import { modelFor, serverFor } from "../../../test/support/openai-suite.ts";
import { ModelCallError, ModelTimeoutError } from "../../model/errors.ts";
import type { GenerateRequest, LanguageModel } from "../../model/language-model.ts";
import { SseParser } from "./sse-parser.ts";

const user = (content: string) => [{ role: "user" as const, content }];

/** Streams a request and checks it against the same request unstreamed; returns the deltas. */
async function streamedEqualsPlain(
  model: LanguageModel,
  request: GenerateRequest,
): Promise<string[][]> {
  const plain = await model.generate(request);
  const deltas: string[][] = Array.from({ length: request.n ?? 1 }, () => []);
  const streamed = await model.generate({
    ...request,
    onText: (index, text) => deltas[index]!.push(text),
  });
  assert.deepEqual(streamed.generations, plain.generations, "same generations as unstreamed");
  assert.deepEqual(streamed.usage, plain.usage, "same usage as unstreamed");
  for (const [i, g] of streamed.generations.entries()) {
    assert.equal(deltas[i]!.join(""), g.text, `sample ${i}: deltas make up the text`);
  }
  return deltas;
}

describe("SseParser", () => {
  test("events split anywhere, CRLF and CR line ends, comments, multi-line data", () => {
    const stream =
      ': keep-alive\r\ndata: {"a":1}\r\n\r\nevent: x\ndata: one\ndata: two\n\ndata:[DONE]\r\r';
    for (const size of [1, 2, 3, 7, stream.length]) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < stream.length; i += size)
        events.push(...parser.push(stream.slice(i, i + size)));
      events.push(...parser.end());
      assert.deepEqual(
        events,
        [
          { event: "message", data: '{"a":1}' },
          { event: "x", data: "one\ntwo" },
          { event: "message", data: "[DONE]" },
        ],
        `pieces of ${size}`,
      );
    }
  });

  test("llama.cpp's bare error line, and a last event without its blank line", () => {
    const parser = new SseParser();
    const events = [
      ...parser.push('error: {"error":{"message":"boom"}}\n\ndata: {"b":2}'),
      ...parser.end(),
    ];
    assert.deepEqual(events, [
      { event: "error", data: '{"error":{"message":"boom"}}' },
      { event: "message", data: '{"b":2}' },
    ]);
  });
});

const flavors: TestServerFlavor[] = ["vllm", "llamacpp", "ollama", "openai"];
for (const flavor of flavors) {
  describe(`streaming, ${flavor} flavour`, () => {
    const server = serverFor({ flavor });
    let model: LanguageModel;
    before(() => {
      model = modelFor(server(), { flavor });
    });

    test("chat: n samples by index, logprobs and usage; equal to the unstreamed result", async () => {
      const deltas = await streamedEqualsPlain(model, {
        messages: user("Tell me about the quick brown fox please"),
        n: 2,
        temperature: 1,
        seed: 4,
        maxTokens: 6,
        logprobs: 2,
      });
      assert.ok(
        deltas.every((d) => d.length > 1),
        "several deltas per sample",
      );
      const sent = server().requests.at(-1)!.body;
      assert.equal(sent.stream, true);
      assert.deepEqual(sent.stream_options, { include_usage: true });
    });

    test("completions: logprobs, stop strings and the length limit", async () => {
      const deltas = await streamedEqualsPlain(model, {
        prompt: "one two three four five six",
        temperature: 0,
        maxTokens: 5,
        logprobs: 3,
      });
      assert.equal(deltas[0]!.length, 5);
      await streamedEqualsPlain(model, {
        prompt: "alpha beta gamma delta",
        temperature: 0,
        stop: [" beta"],
      });
    });

    if (flavor !== "openai") {
      test("a continued prefill that the server echoes is not streamed back", async () => {
        const echoing = await startOpenAITestServer({ flavor, echoPrefill: true });
        try {
          const deltas = await streamedEqualsPlain(modelFor(echoing, { flavor }), {
            messages: user("Say something nice"),
            prefill: "Sure thing",
            temperature: 0,
          });
          assert.ok(!deltas[0]!.join("").includes("Sure thing"));
        } finally {
          await echoing.close();
        }
      });
    }
  });
}

test("a server that streams fewer choices than n asks is topped up, the extra samples streaming under their own index", async () => {
  const single = await startOpenAITestServer({ flavor: "vllm", singleChoice: true });
  try {
    const deltas = await streamedEqualsPlain(modelFor(single, { flavor: "vllm" }), {
      prompt: "p q r",
      n: 3,
      temperature: 1,
      seed: 2,
    });
    assert.deepEqual(
      deltas.map((d) => d[0]),
      [" s2", " s3", " s4"],
    );
  } finally {
    await single.close();
  }
});

describe("streaming faults", () => {
  const server = serverFor({ flavor: "vllm" });
  const request: GenerateRequest = {
    messages: user("a b c d e f"),
    temperature: 0,
    onText: () => {},
  };

  test("a stream cut mid-way is a ModelCallError, not retried", async () => {
    server().setFaults({ cutStream: { afterChunks: 3 } });
    const before = server().requests.length;
    const seen: string[] = [];
    await assert.rejects(
      modelFor(server(), { flavor: "vllm" }).generate({
        ...request,
        onText: (_, text) => seen.push(text),
      }),
      (error: unknown) =>
        error instanceof ModelCallError &&
        !(error instanceof ModelTimeoutError) &&
        /stream was cut after 3 events/.test(error.message),
    );
    assert.equal(server().requests.length - before, 1, "no retry after text was delivered");
    assert.equal(seen.join(""), " echo f", "the text before the cut was delivered");
    server().setFaults({});
  });

  test("a stream closed before its first byte is retried", async () => {
    server().setFaults({ cutStream: { afterChunks: 0, times: 1 } });
    const before = server().requests.length;
    const result = await modelFor(server(), { flavor: "vllm" }).generate(request);
    assert.equal(result.generations[0]!.text, " echo f e d c b a");
    assert.equal(result.meta?.retries, 1);
    assert.equal(server().requests.length - before, 2);
    server().setFaults({});
  });

  test("a stream that ends without [DONE] before finishing is an error", async () => {
    server().setFaults({ cutStream: { afterChunks: 4, clean: true } });
    await assert.rejects(
      modelFor(server(), { flavor: "vllm" }).generate(request),
      /without data: \[DONE\].*incomplete/,
    );
    server().setFaults({});
  });

  test("an error event mid-stream carries the server's message (data: and llama.cpp's error:)", async () => {
    server().setFaults({ streamError: { afterChunks: 2, message: "out of KV cache" } });
    await assert.rejects(
      modelFor(server(), { flavor: "vllm" }).generate(request),
      (error: unknown) =>
        error instanceof ModelCallError && error.details.serverMessage === "out of KV cache",
    );
    server().setFaults({});
    const llama = await startOpenAITestServer({
      flavor: "llamacpp",
      faults: { streamError: { afterChunks: 1, message: "slot unavailable" } },
    });
    try {
      await assert.rejects(
        modelFor(llama, { flavor: "llamacpp" }).generate(request),
        /error in the middle of its stream: slot unavailable/,
      );
    } finally {
      await llama.close();
    }
  });

  test("timeoutMs bounds each wait in a stream, not the whole stream", async () => {
    server().setFaults({ streamDelayMs: 60 });
    // 9 chunks x 60 ms > 300 ms, yet no wait is longer than 300 ms
    const result = await modelFor(server(), { flavor: "vllm", timeoutMs: 300 }).generate(request);
    assert.equal(result.generations[0]!.text, " echo f e d c b a");
    server().setFaults({ streamDelayMs: 400 });
    await assert.rejects(
      modelFor(server(), { flavor: "vllm", timeoutMs: 200, maxRetries: 0 }).generate(request),
      (error: unknown) => error instanceof ModelTimeoutError && /stalled/.test(error.message),
    );
    server().setFaults({});
  });

  test("the caller's abort stops a stream at once", async () => {
    server().setFaults({ streamDelayMs: 50 });
    const controller = new AbortController();
    const seen: string[] = [];
    await assert.rejects(
      modelFor(server(), { flavor: "vllm" }).generate({
        ...request,
        signal: controller.signal,
        onText: (_, text) => {
          seen.push(text);
          controller.abort(new Error("enough"));
        },
      }),
      /enough/,
    );
    assert.deepEqual(seen, [" echo"]);
    server().setFaults({});
  });

  test("a server that ignores stream: true answers JSON, passed on as one delta per sample", async () => {
    const plain = await startOpenAITestServer({ flavor: "vllm", ignoreStream: true });
    try {
      const deltas = await streamedEqualsPlain(modelFor(plain, { flavor: "vllm" }), {
        prompt: "x y z",
        n: 2,
        temperature: 1,
      });
      assert.deepEqual(
        deltas.map((d) => d.length),
        [1, 1],
      );
    } finally {
      await plain.close();
    }
  });
});
