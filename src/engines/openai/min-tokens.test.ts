import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  type OpenAITestServer,
  startOpenAITestServer,
  type TestServerFlavor,
} from "../../../test/support/openai-server.ts";
import { CapabilityError, ModelCallError } from "../../model/errors.ts";
import { createOpenAIModel, type OpenAIModelOptions } from "./create-openai-model.ts";

const user = (content: string) => [{ role: "user" as const, content }];

describe("openai engine: minTokens as vLLM's min_tokens", () => {
  const servers = new Map<TestServerFlavor, OpenAITestServer>();
  before(async () => {
    for (const flavor of ["vllm", "llamacpp", "openai"] as const)
      servers.set(flavor, await startOpenAITestServer({ flavor }));
  });
  after(async () => {
    for (const server of servers.values()) await server.close();
  });
  const modelOn = (flavor: TestServerFlavor, options: Partial<OpenAIModelOptions> = {}) => {
    const server = servers.get(flavor)!;
    return {
      server,
      model: createOpenAIModel({
        baseURL: server.url,
        model: "test-model",
        flavor,
        retryBaseMs: 5,
        ...options,
      }),
    };
  };

  test("vLLM: capability on, min_tokens sent, the answer is held to that length", async () => {
    const { server, model } = modelOn("vllm");
    assert.equal(model.capabilities.minTokens, true);
    const free = await model.generate({ messages: user("one two"), temperature: 0 });
    assert.equal(free.generations[0]!.text, " echo two one");
    const before = server.requests.length;
    const held = await model.generate({
      messages: user("one two"),
      temperature: 0,
      minTokens: 6,
      maxTokens: 20,
      n: 2,
    });
    const body = server.requests[before]!.body as Record<string, unknown>;
    assert.equal(body.min_tokens, 6);
    assert.equal(body.n, 2);
    assert.deepEqual(
      held.generations.map((g) => g.text),
      Array(2).fill(" echo two one more1 more2 more3"),
    );
    assert.equal(held.usage.outputTokens, 12);
    // streamed: the same answer
    const deltas: string[] = [];
    const streamed = await model.generate({
      messages: user("one two"),
      temperature: 0,
      minTokens: 6,
      maxTokens: 20,
      onText: (_i, delta) => deltas.push(delta),
    });
    assert.equal(deltas.join(""), " echo two one more1 more2 more3");
    assert.equal(streamed.generations[0]!.text, " echo two one more1 more2 more3");
    // raw prompts too; no minTokens, no field
    await model.generate({ prompt: "a b", temperature: 0, minTokens: 4 });
    assert.equal((server.requests.at(-1)!.body as Record<string, unknown>).min_tokens, 4);
    await model.generate({ prompt: "a b", temperature: 0 });
    assert.equal("min_tokens" in (server.requests.at(-1)!.body as object), false);
  });

  test("vLLM: stop strings count only after the text of the first min_tokens tokens", async () => {
    const { model } = modelOn("vllm");
    const prompt = user("one two three four five");
    const request = { messages: prompt, temperature: 0, maxTokens: 20, stop: ["five", "two"] };
    assert.equal((await model.generate(request)).generations[0]!.text, " echo ");
    // " echo five four" are the first 3 tokens: "five" in them is ignored, "two" after them stops
    const held = await model.generate({ ...request, minTokens: 3 });
    assert.equal(held.generations[0]!.text, " echo five four three ");
    // a server's refusal (min_tokens > max_tokens) comes back as the server said it
    await assert.rejects(model.generate({ ...request, minTokens: 30 }), (error: unknown) => {
      assert.ok(error instanceof ModelCallError);
      assert.match(error.message, /min_tokens must be less than or equal to max_tokens/);
      return true;
    });
  });

  test("llama.cpp server and OpenAI: no capability, a CapabilityError naming the fix, nothing sent", async () => {
    for (const flavor of ["llamacpp", "openai"] as const) {
      const { server, model } = modelOn(flavor);
      assert.equal(model.capabilities.minTokens, false);
      const before = server.requests.length;
      await assert.rejects(
        model.generate({ messages: user("x"), minTokens: 50 }),
        (error: unknown) => {
          assert.ok(error instanceof CapabilityError);
          assert.match(error.message, /minTokens/);
          assert.match(error.message, /flavor: "vllm", or minTokens: true/);
          return true;
        },
      );
      assert.equal(server.requests.length, before);
      // minTokens 0 is no minimum
      await model.generate({ messages: user("x"), minTokens: 0 });
    }
  });

  test("the minTokens option: true sends it to any server, false refuses it on vLLM", async () => {
    const forced = modelOn("llamacpp", { minTokens: true });
    assert.equal(forced.model.capabilities.minTokens, true);
    await forced.model.generate({ messages: user("x"), minTokens: 5 });
    const body = forced.server.requests.at(-1)!.body as Record<string, unknown>;
    assert.equal(body.min_tokens, 5);
    const off = modelOn("vllm", { minTokens: false });
    assert.equal(off.model.capabilities.minTokens, false);
    await assert.rejects(
      off.model.generate({ messages: user("x"), minTokens: 5 }),
      CapabilityError,
    );
    // a server whose flavour is detected learns it at the first call: vLLM takes the field
    const auto = modelOn("vllm", { flavor: "auto" });
    assert.equal(auto.model.capabilities.minTokens, false);
    const out = await auto.model.generate({ prompt: "a", temperature: 0, minTokens: 4 });
    assert.equal(out.generations[0]!.text, " echo a more1 more2");
  });
});
