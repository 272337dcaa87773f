import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadLlamaCppModel } from "../engines/llamacpp/index.ts";
import { createOpenAIModel } from "../engines/openai/index.ts";
import type { LanguageModel } from "../model/language-model.ts";
import { type ChorusServer, createChorusServer } from "./chorus-server.ts";

/**
 * The whole path for real: stories260K run in-process by the llamacpp engine, served by chorus
 * serve over HTTP, called through chorus's own OpenAI engine.
 */
const stories = fileURLToPath(new URL("../../../shared/models/stories260K.gguf", import.meta.url));

let local: LanguageModel;
let remote: LanguageModel;
let server: ChorusServer;
let url = "";
before(async () => {
  local = await loadLlamaCppModel({
    modelPath: stories,
    id: "stories",
    threads: 1,
    contextSize: 256,
  });
  server = createChorusServer({ models: { stories: local }, apiKey: "k" });
  const baseURL = await server.listen();
  url = baseURL;
  remote = createOpenAIModel({ baseURL, model: "stories", apiKey: "k", maxRetries: 0 });
});
after(async () => {
  await server?.close();
  await local?.close?.();
});

test("greedy generation through the server equals the in-process model, logprobs included", async () => {
  const request = { prompt: "Once upon a time", maxTokens: 24, temperature: 0, logprobs: 2 };
  const direct = await local.generate(request);
  const served = await remote.generate(request);
  const [d, s] = [direct.generations[0]!, served.generations[0]!];
  assert.equal(s.text, d.text);
  assert.match(s.text, /\w+ \w+/, "fluent TinyStories text");
  assert.equal(s.logprobs?.length, d.logprobs?.length);
  for (const [i, token] of (s.logprobs ?? []).entries()) {
    const expected = d.logprobs![i]!;
    assert.equal(token.token, expected.token);
    assert.ok(Math.abs(token.logprob - expected.logprob) < 1e-4);
    assert.deepEqual(
      token.top.map((t) => t.token),
      expected.top.map((t) => t.token),
    );
  }
  assert.equal(served.usage.outputTokens, direct.usage.outputTokens);
});

test("n samples, chat messages and score work end to end", async () => {
  const sampled = await remote.generate({
    prompt: "Once upon a time",
    n: 2,
    temperature: 1,
    seed: 7,
    maxTokens: 12,
  });
  assert.equal(sampled.generations.length, 2);
  assert.ok(sampled.generations.every((g) => g.text.length > 0));

  const chat = await remote.generate({
    messages: [{ role: "user", content: "Tell me a story." }],
    maxTokens: 8,
    temperature: 0,
  });
  const chatDirect = await local.generate({
    messages: [{ role: "user", content: "Tell me a story." }],
    maxTokens: 8,
    temperature: 0,
  });
  assert.equal(chat.generations[0]!.text, chatDirect.generations[0]!.text);

  if (remote.score && local.score) {
    const request = {
      prompt: "Once upon a time, there was a little",
      continuation: " girl named Lily",
    };
    const [viaServer, direct] = [await remote.score(request), await local.score(request)];
    assert.ok(
      Math.abs(viaServer.total - direct.total) < 1e-3,
      `${viaServer.total} vs ${direct.total}`,
    );
  }
});

test("streaming through the server: deltas arrive one by one and make up the unstreamed answer", async () => {
  const request = { prompt: "Once upon a time", maxTokens: 16, temperature: 0 };
  const plain = await remote.generate(request);
  const deltas: string[] = [];
  const streamed = await remote.generate({ ...request, onText: (_, text) => deltas.push(text) });
  assert.equal(deltas.join(""), plain.generations[0]!.text);
  assert.deepEqual(streamed.generations, plain.generations);
  assert.deepEqual(streamed.usage, plain.usage);
  assert.equal(plain.usage.outputTokens, 16);
  assert.ok(deltas.length > 1, `${deltas.length} chunks for a 16-token answer`);
  assert.equal(plain.generations[0]!.text, (await local.generate(request)).generations[0]!.text);

  const chat = {
    messages: [{ role: "user" as const, content: "Tell me a story." }],
    n: 2,
    temperature: 1,
    seed: 11,
    maxTokens: 12,
    stop: [" the"],
  };
  const chatPlain = await remote.generate(chat);
  const chatDeltas: string[][] = [[], []];
  const chatStreamed = await remote.generate({
    ...chat,
    onText: (index, text) => chatDeltas[index]!.push(text),
  });
  assert.deepEqual(chatStreamed.generations, chatPlain.generations);
  assert.deepEqual(
    chatDeltas.map((d) => d.join("")),
    chatPlain.generations.map((g) => g.text),
  );
});

type Entry = Record<string, { logprob: number; rank: number; decoded_token: string }>;
/** The fields of a completion, a chat completion and a /tokenize answer that the test reads. */
interface Answer {
  choices: { prompt_logprobs: (Entry | null)[] }[];
  prompt_logprobs: (Entry | null)[];
  count: number;
  tokens: number[];
}

test("prompt_logprobs as vLLM gives them: null first, own token ranked, aligned with /tokenize", async () => {
  const post = async (path: string, body: object) => {
    const response = await fetch(`${url.replace(/\/v1$/, "")}${path}`, {
      method: "POST",
      headers: { authorization: "Bearer k", "content-type": "application/json" },
      body: JSON.stringify({ model: "stories", ...body }),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as Answer;
  };
  const prompt = "Once upon a time, there was a little girl";
  const completion = await post("/v1/completions", { prompt, max_tokens: 1, prompt_logprobs: 2 });
  const positions = completion.choices[0]!.prompt_logprobs;
  const tokenized = await post("/tokenize", { prompt });
  assert.equal(positions.length, tokenized.count);
  assert.equal(positions[0], null);
  for (const [i, entry] of positions.entries()) {
    if (i === 0) continue;
    const own = entry![String(tokenized.tokens[i])]!;
    assert.ok(own.rank >= 1 && own.logprob <= 0);
    const ranks = Object.values(entry!).map((e) => e.rank);
    assert.ok(ranks.includes(1) && ranks.includes(2), "the top 2 are there");
    assert.ok(Object.keys(entry!).length === 2 || Object.keys(entry!).length === 3);
  }
  // the last tokens' logprobs are the in-process score of that continuation
  const direct = await local.score!({
    prompt: "Once upon a time, there was a little",
    continuation: " girl",
  });
  const tail = positions.length - direct.tokens.length;
  const summed = positions
    .slice(tail)
    .reduce((sum, entry, j) => sum + entry![String(tokenized.tokens[tail + j])]!.logprob, 0);
  assert.ok(Math.abs(summed - direct.total) < 1e-3, `${summed} vs ${direct.total}`);

  const chat = await post("/v1/chat/completions", {
    messages: [{ role: "user", content: "Hi" }],
    max_tokens: 1,
    prompt_logprobs: 0,
  });
  const chatTokens = await post("/tokenize", { messages: [{ role: "user", content: "Hi" }] });
  assert.equal(chat.prompt_logprobs.length, chatTokens.count);
  assert.ok(chat.prompt_logprobs.slice(1).every((e) => e !== null && Object.keys(e).length <= 2));
});
