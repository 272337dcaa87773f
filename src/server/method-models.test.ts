import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { loadLlamaCppModel } from "../engines/llamacpp/index.ts";
import { sharedFile } from "../evals/shared-dir.ts";
import type { GenerateRequest, GenerateResult, LanguageModel } from "../model/language-model.ts";
import { ScriptedModel } from "../testing/scripted-model.ts";
import { type ChorusServer, createChorusServer } from "./chorus-server.ts";
import { loadServedMethods, servableMethods } from "./served-methods.ts";

/**
 * Methods as models, called through the official `openai` package: every servable method as
 * `<method>:stories` on stories260K, streaming, the trace extension, AdaCAD's documents, 404s,
 * keep-alive and cancellation on client disconnect.
 */
const stories = sharedFile("models", "stories260K.gguf");
// the smallest settings that run each method's whole path
const fast = {
  "*": { maxTokens: 8, k: 2, minTokens: 0, selfRefineRounds: 1, iterations: 1, "max-tokens": 4 },
  magicore: { hardRule: "or", mu: 10, sigma: 1 },
};
const question = [
  { role: "user" as const, content: "Tom has 2 apples and buys 3 more. How many?" },
];

describe("virtual models <method>:stories through the openai client", {
  skip: stories ? false : "shared/models not found",
}, () => {
  let model: LanguageModel;
  let server: ChorusServer;
  let client: OpenAI;
  before(async () => {
    model = await loadLlamaCppModel({
      modelPath: stories!,
      id: "stories",
      threads: 1,
      contextSize: 512,
    });
    const methods = await loadServedMethods(servableMethods, fast, ["stories"]);
    server = createChorusServer({ models: { stories: model }, methods, apiKey: "k" });
    // retries: on a loaded machine a reused keep-alive socket can be closed under a request
    client = new OpenAI({ baseURL: await server.listen(), apiKey: "k", maxRetries: 2 });
  });
  after(async () => {
    await server?.close();
    await model?.close?.();
  });

  test("/v1/models lists each model and its virtual models; an unknown one is a 404", async () => {
    const ids = [];
    for await (const entry of client.models.list()) ids.push(entry.id);
    assert.deepEqual(ids, ["stories", ...servableMethods.map((m) => `${m}:stories`)]);
    assert.equal((await client.models.retrieve("magicore:stories")).id, "magicore:stories");
    for (const name of ["magicore:nope", "unknown-method:stories"]) {
      await assert.rejects(
        client.chat.completions.create({ model: name, messages: question }),
        (error: unknown) => {
          assert.ok(error instanceof OpenAI.NotFoundError, String(error));
          assert.equal(error.status, 404);
          assert.equal(error.code, "model_not_found");
          assert.match(error.message, /magicore:stories/);
          return true;
        },
      );
    }
  });

  for (const method of servableMethods) {
    test(`${method}:stories answers a chat; usage counts every internal call; trace on request`, async () => {
      const body = { model: `${method}:stories`, messages: question, chorus: { trace: true } };
      const completion = await client.chat.completions.create(
        body as OpenAI.ChatCompletionCreateParamsNonStreaming,
      );
      const choice = completion.choices[0]!;
      assert.equal(choice.message.role, "assistant");
      assert.equal(typeof choice.message.content, "string");
      assert.equal(choice.finish_reason, "stop");
      const trace = (completion as unknown as { chorus: Record<string, unknown> }).chorus;
      assert.equal(trace.method, method);
      assert.equal(trace.model, "stories");
      assert.ok((trace.calls as number) >= 1);
      assert.ok(completion.usage!.prompt_tokens > 0);
      assert.equal(
        completion.usage!.total_tokens,
        completion.usage!.prompt_tokens + completion.usage!.completion_tokens,
      );
      // without asking, no trace
      const plain = await client.chat.completions.create({
        model: `${method}:stories`,
        messages: question,
      });
      assert.equal((plain as unknown as { chorus?: unknown }).chorus, undefined);
    });
  }

  test("self-consistency's trace has its k votes; usage adds up its k samples", async () => {
    const completion = (await client.chat.completions.create({
      model: "self-consistency:stories",
      messages: question,
      chorus: { trace: true },
    } as OpenAI.ChatCompletionCreateParamsNonStreaming)) as unknown as {
      chorus: { calls: number; details: { answers: unknown[] } };
      usage: { completion_tokens: number };
    };
    assert.ok(Array.isArray(completion.chorus.details.answers));
    assert.ok(completion.usage.completion_tokens > 8, "two samples of up to 8 tokens and more");
  });

  test("AdaCAD reads its context from documents or the system message; α per token in the trace", async () => {
    const ask = async (
      extra: Record<string, unknown>,
      messages: OpenAI.ChatCompletionMessageParam[],
    ) =>
      (await client.chat.completions.create({
        model: "adacad:stories",
        messages,
        chorus: { trace: true },
        ...extra,
      } as OpenAI.ChatCompletionCreateParamsNonStreaming)) as unknown as {
        chorus: { details: { noContext: boolean; alphas: number[]; decoding: string } };
      };
    const q = { role: "user" as const, content: "Who lives in the big house?" };
    const fromDocuments = await ask({ documents: ["Lily lives in the big house."] }, [q]);
    const fromSystem = await ask({}, [
      { role: "system", content: "Lily lives in the big house." },
      q,
    ]);
    const without = await ask({}, [q]);
    for (const answer of [fromDocuments, fromSystem]) {
      assert.equal(answer.chorus.details.noContext, false);
      assert.equal(answer.chorus.details.decoding, "adacad");
      assert.ok(answer.chorus.details.alphas.length > 0);
    }
    assert.deepEqual(fromDocuments.chorus.details, fromSystem.chorus.details);
    assert.equal(without.chorus.details.noContext, true);
  });

  test("streamed, the final answer arrives when the method decides and equals the unstreamed one", async () => {
    const plain = await client.chat.completions.create({
      model: "cot:stories",
      messages: question,
    });
    const stream = await client.chat.completions.create({
      model: "cot:stories",
      messages: question,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, plain.choices[0]!.message.content);
    assert.equal(finish, "stop");
    assert.deepEqual(usage, plain.usage);
  });

  test("what one final answer cannot honour is a 400 naming the field", async () => {
    await assert.rejects(
      client.chat.completions.create({ model: "cot:stories", messages: question, n: 2 }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === "n",
    );
  });
});

/** A model that answers after `delayMs`, or never (until aborted) for the prompt "hang". */
class SlowModel extends ScriptedModel {
  aborted = 0;
  constructor(private readonly delayMs: number) {
    super({ id: "slow", script: () => "The answer is \\boxed{5}." });
  }
  override async generate(request: GenerateRequest): Promise<GenerateResult> {
    const hang = request.messages?.some((m) => m.content.includes("hang")) ?? false;
    await new Promise<void>((resolve, reject) => {
      const timer = hang ? undefined : setTimeout(resolve, this.delayMs);
      request.signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        this.aborted++;
        reject(request.signal!.reason);
      });
    });
    return super.generate(request);
  }
}

describe("long methods: keep-alive and cancellation", () => {
  const slow = new SlowModel(150);
  let server: ChorusServer;
  let baseURL = "";
  before(async () => {
    const methods = await loadServedMethods(["cot"], {}, ["slow"]);
    server = createChorusServer({ models: { slow }, methods, keepAliveMs: 20 });
    baseURL = await server.listen();
  });
  after(async () => server?.close());

  test("a slow answer sends keep-alives first: SSE comments streamed, spaces before the JSON", async () => {
    const body = { model: "cot:slow", messages: question };
    const post = (extra: object) =>
      fetch(`${baseURL}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...body, ...extra }),
      });
    const streamed = await (await post({ stream: true })).text();
    assert.match(streamed, /^data: .*\n\n(: keep-alive\n\n)+data: /s);
    assert.match(streamed, /\\\\boxed\{5\}/);
    const unstreamed = await (await post({})).text();
    assert.match(unstreamed, /^ +\{/);
    const answer = "Step 1:The answer is \\boxed{5}."; // cot prefills its solver with "Step 1:"
    assert.equal(JSON.parse(unstreamed).choices[0].message.content, answer);
    // and the openai client reads it as any answer
    const client = new OpenAI({ baseURL, apiKey: "none", maxRetries: 0 });
    const completion = await client.chat.completions.create(body);
    assert.equal(completion.choices[0]!.message.content, answer);
  });

  test("a client that goes away cancels the method's internal calls", async () => {
    const client = new OpenAI({ baseURL, apiKey: "none", maxRetries: 0 });
    const controller = new AbortController();
    const before = slow.aborted;
    const pending = client.chat.completions.create(
      { model: "cot:slow", messages: [{ role: "user", content: "hang" }] },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 100);
    // Before the response starts the client throws its own abort error; once the server's
    // keep-alive spaces have started the body, the body read throws fetch's AbortError.
    await assert.rejects(
      pending,
      (error: unknown) =>
        error instanceof OpenAI.APIUserAbortError || (error as Error).name === "AbortError",
    );
    for (let i = 0; i < 100 && slow.aborted === before; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.equal(slow.aborted, before + 1, "the internal generate call saw the abort");
  });
});

test("serving settings are checked at start-up, naming what is wrong", async () => {
  const load = (names: string[], settings = {}) => loadServedMethods(names, settings, ["qwen"]);
  await assert.rejects(load(["nope"]), /unknown eval method "nope"/);
  await assert.rejects(load(["utdebug"]), /needs inputs a chat request does not carry/);
  await assert.rejects(load(["cot"], { "cot:other": { k: 1 } }), /settings for "cot:other"/);
  await assert.rejects(load(["cot"], { cot: { answerType: "text" } }), /answerType must be one of/);
  await assert.rejects(load(["magicore"], { "*": { k: "many" } }), /--set k/);
  const served = await load(["cot", "adacad"], {
    "*": { maxTokens: 4 },
    "cot:qwen": { maxTokens: 9 },
  });
  assert.deepEqual(served.names(["qwen"]), ["cot:qwen", "adacad:qwen"]);
  assert.equal(served.resolve("cot:qwen", ["qwen"])?.settings.maxTokens, 9);
  assert.equal(served.resolve("adacad:qwen", ["qwen"])?.answerType, "text");
  assert.equal(served.resolve("cot:other", ["qwen"]), undefined);
  assert.equal(served.resolve("qwen", ["qwen"]), undefined);
});

test("roles name other served models, checked at start-up; the rest stay the virtual model's", async () => {
  const load = (roles: Record<string, Record<string, string>>) =>
    loadServedMethods(["magicore", "cot"], {}, ["qwen", "smol"], roles);
  await assert.rejects(load({ "magicore:qwen": { prm: "big" } }), /no served model "big"/);
  await assert.rejects(load({ "magicore:other": { prm: "smol" } }), /roles for "magicore:other"/);
  const served = await load({ "*": { judge: "qwen" }, magicore: { prm: "smol" } });
  assert.deepEqual(served.resolve("magicore:qwen", ["qwen", "smol"])?.roles, {
    judge: "qwen",
    prm: "smol",
  });
  assert.deepEqual(served.resolve("cot:smol", ["qwen", "smol"])?.roles, { judge: "qwen" });
});

describe("a virtual model's roles played by another served model", {
  skip: stories ? false : "shared/models not found",
}, () => {
  let model: LanguageModel;
  let server: ChorusServer;
  let client: OpenAI;
  const scorerCalls = { generate: 0, score: 0 };
  before(async () => {
    model = await loadLlamaCppModel({
      modelPath: stories!,
      id: "stories",
      threads: 1,
      contextSize: 512,
    });
    // the same weights under a second name, counting what the roles send it
    const scorer: LanguageModel = {
      id: "scorer",
      provider: model.provider,
      capabilities: model.capabilities,
      generate: (request) => {
        scorerCalls.generate++;
        return model.generate(request);
      },
      score: (request) => {
        scorerCalls.score++;
        return model.score!(request);
      },
    };
    const methods = await loadServedMethods(
      ["magicore", "self-consistency"],
      fast,
      ["stories", "scorer"],
      {
        "magicore:stories": { orm: "scorer", prm: "scorer" },
      },
    );
    server = createChorusServer({ models: { stories: model, scorer }, methods });
    client = new OpenAI({ baseURL: await server.listen(), apiKey: "none", maxRetries: 2 });
  });
  after(async () => {
    await server?.close();
    await model?.close?.();
  });

  test("magicore:stories judges with the scorer; self-consistency:stories never calls it", async () => {
    await client.chat.completions.create({ model: "self-consistency:stories", messages: question });
    assert.deepEqual(scorerCalls, { generate: 0, score: 0 });
    const completion = await client.chat.completions.create({
      model: "magicore:stories",
      messages: question,
    });
    assert.ok(completion.usage!.total_tokens > 0);
    // the default ORM is an LLM judge (it generates its verdicts); the PRM reads the ORM's
    assert.ok(scorerCalls.generate > 0, `scorer calls ${JSON.stringify(scorerCalls)}`);
  });
});
