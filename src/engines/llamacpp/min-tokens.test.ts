import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type GgufValue, gguf, openGguf, writeGguf } from "../../gguf/index.ts";
import { ConfigError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { loadLlamaCppModel } from "./load-llamacpp-model.ts";

const stories = new URL("../../../../shared/models/stories260K.gguf", import.meta.url).pathname;

/**
 * stories260K never ends on EOS: llama2.c trained it without one (a story ends with the next BOS),
 * and EOS's logprob stays below -19 on every prompt tried. This copy has the same weights and
 * tokenizer, but declares the "." token its end-of-sequence token (`tokenizer.ggml.eos_token_id`),
 * so greedy generation ends at the first full stop, as a chat model ends at its EOS.
 */
async function storiesWithDotEos(path: string): Promise<number> {
  const file = await openGguf(stories);
  const tokens = file.metadata.get("tokenizer.ggml.tokens") as { items: unknown[] } | undefined;
  const texts = (tokens?.items ?? []).map((t) =>
    typeof t === "object" && t !== null && "value" in t ? (t as { value: unknown }).value : t,
  );
  const dot = texts.indexOf(".");
  assert.ok(dot > 2, "stories260K has a '.' token");
  const bytes = await readFile(stories);
  const metadata = new Map<string, GgufValue>(file.metadata);
  metadata.set("tokenizer.ggml.eos_token_id", gguf.u32(dot));
  await writeGguf(path, {
    metadata,
    tensors: file.tensors.map((t) => ({
      name: t.name,
      shape: t.shape,
      type: t.type,
      bytes: bytes.subarray(t.offset, t.offset + t.byteLength),
    })),
  });
  return dot;
}

describe("llamacpp minTokens (vLLM min_tokens: end-of-generation masked)", () => {
  let dir: string;
  let model: LanguageModel;
  let dot: number;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "chorus-min-tokens-"));
    const path = join(dir, "stories-dot-eos.gguf");
    dot = await storiesWithDotEos(path);
    model = await loadLlamaCppModel({ modelPath: path, contextSize: 256 });
  });

  after(async () => {
    await model?.close?.();
    await rm(dir, { recursive: true, force: true });
  });

  test("the capability is declared; the copy's EOS is the '.' token", () => {
    assert.equal(model.capabilities.minTokens, true);
    assert.ok(model.decoder!().endTokens.includes(dot));
  });

  test("greedy: EOS after 10 tokens; minTokens 20 gives >= 20 tokens, same tokens up to the EOS", async () => {
    const prompt = "Once upon a time";
    const free = await model.generate({ prompt, maxTokens: 40, logprobs: 0 });
    const [g] = free.generations;
    assert.equal(g!.finishReason, "stop");
    assert.equal(g!.text, ", there was a little girl named Lily");
    const freeTokens = free.usage.outputTokens;
    assert.ok(freeTokens < 20, `unconstrained greedy stopped on EOS after ${freeTokens} tokens`);

    const held = await model.generate({ prompt, maxTokens: 40, minTokens: 20, logprobs: 0 });
    const [h] = held.generations;
    assert.ok(held.usage.outputTokens >= 20, `${held.usage.outputTokens} tokens`);
    assert.equal(h!.finishReason, "stop", "EOS is allowed again once 20 tokens exist");
    assert.equal(h!.text, ", there was a little girl named Lily who loved to play with her toys");
    // the first tokens are the unconstrained ones, up to where EOS was chosen
    const freeIds = g!.logprobs!.map((t) => t.token);
    const heldIds = h!.logprobs!.map((t) => t.token);
    assert.deepEqual(heldIds.slice(0, freeIds.length), freeIds);
    assert.ok(h!.text.startsWith(g!.text));
  });

  test("n = 2 and seeded sampling: every sample has at least minTokens tokens", async () => {
    const greedy = await model.generate({ prompt: "Once upon a time", n: 2, minTokens: 20 });
    assert.deepEqual(
      greedy.generations.map((g) => g.text),
      Array(2).fill(", there was a little girl named Lily who loved to play with her toys"),
    );
    const request = {
      prompt: "Lily and Tom",
      n: 3,
      temperature: 1,
      seed: 7,
      maxTokens: 60,
    };
    const free = await model.generate(request);
    const held = await model.generate({ ...request, minTokens: 25 });
    const count = async (text: string) =>
      (await model.decoder!().tokenize(text, { addBos: false })).length;
    const freeCounts = await Promise.all(free.generations.map((g) => count(g.text)));
    assert.ok(
      freeCounts.some((c) => c < 25),
      `some unconstrained sample is shorter: ${freeCounts}`,
    );
    for (const g of held.generations) assert.ok((await count(g.text)) >= 24, g.text);
    assert.ok(held.usage.outputTokens >= 3 * 25, `${held.usage.outputTokens}`);
  });

  test("JSON schema grammar: the same JSON, EOS held back until minTokens tokens", async () => {
    const request = {
      messages: [{ role: "user" as const, content: "Tell me a story." }],
      jsonSchema: {
        type: "object",
        properties: { story: { type: "string", maxLength: 30 } },
        required: ["story"],
      },
      maxTokens: 80,
    };
    const free = await model.generate(request);
    const held = await model.generate({ ...request, minTokens: 40 });
    const parsed = JSON.parse(held.generations[0]!.text) as { story: string };
    assert.equal(typeof parsed.story, "string");
    assert.equal(held.generations[0]!.text, free.generations[0]!.text);
    assert.ok(free.usage.outputTokens < 40, `${free.usage.outputTokens}`);
    assert.ok(held.usage.outputTokens >= 40, `${held.usage.outputTokens}`);
  });

  test("stop strings are matched only after the text of the first minTokens tokens (vLLM)", async () => {
    const prompt = "Once upon a time";
    const free = await model.generate({ prompt, maxTokens: 40, stop: ["little"] });
    assert.equal(free.generations[0]!.text, ", there was a ");
    // "little" lies inside the first 20 tokens: ignored; "toys" starts in token 20 (" to") and
    // ends after it, so it counts
    const held = await model.generate({
      prompt,
      maxTokens: 40,
      minTokens: 20,
      stop: ["toys", "little"],
    });
    assert.equal(
      held.generations[0]!.text,
      ", there was a little girl named Lily who loved to play with her ",
    );
    assert.equal(held.generations[0]!.finishReason, "stop");
    // streamed: the deltas are the same text (the ignored "little" is passed on, not held back)
    const deltas: string[] = [];
    const streamed = await model.generate({
      prompt,
      maxTokens: 40,
      minTokens: 20,
      stop: ["toys", "little"],
      onText: (_i, delta) => deltas.push(delta),
    });
    assert.equal(deltas.join(""), held.generations[0]!.text);
    assert.deepEqual(streamed.generations, held.generations);
  });

  test("maxTokens still cuts; bad values are ConfigErrors", async () => {
    const cut = await model.generate({ prompt: "Once upon a time", maxTokens: 12, minTokens: 12 });
    assert.equal(cut.generations[0]!.finishReason, "length");
    assert.equal(cut.usage.outputTokens, 12);
    await assert.rejects(model.generate({ prompt: "a", minTokens: -1 }), ConfigError);
    await assert.rejects(model.generate({ prompt: "a", minTokens: 1.5 }), ConfigError);
    await assert.rejects(
      model.generate({ prompt: "a", maxTokens: 5, minTokens: 6 }),
      /must not exceed maxTokens/,
    );
    await assert.rejects(
      model.internals!.generate({ prompt: "a", maxTokens: 5, minTokens: 6 }),
      /must not exceed maxTokens/,
    );
  });

  test("internals.generate (steering path) masks EOS the same way, with an intervention", async () => {
    const internals = model.internals!;
    // an edit that changes nothing, so the hooked context runs and greedy text is comparable
    const request = {
      prompt: "Once upon a time",
      maxTokens: 40,
      interventions: [{ layer: 2, edit: () => {} }],
    };
    const free = await internals.generate(request);
    assert.equal(free.generations[0]!.finishReason, "stop");
    assert.ok(free.usage.outputTokens < 20, `${free.usage.outputTokens} tokens without minTokens`);
    const held = await internals.generate({ ...request, minTokens: 20, stop: ["little"] });
    assert.ok(held.usage.outputTokens >= 20, `${held.usage.outputTokens} tokens`);
    const [h] = held.generations;
    assert.ok(h!.text.startsWith(free.generations[0]!.text), h!.text);
    assert.ok(h!.text.includes("little"), "a stop string inside the first minTokens is ignored");
  });
});
