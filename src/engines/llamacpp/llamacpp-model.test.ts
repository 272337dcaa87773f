import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Token } from "node-llama-cpp";
import { writeRandomLora } from "../../gguf/index.ts";
import { CapabilityError, ConfigError, DataError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import type { LlamaCppModel } from "./llamacpp-model.ts";
import { loadLlamaCppModel } from "./load-llamacpp-model.ts";

const stories = new URL("../../../../shared/models/stories260K.gguf", import.meta.url).pathname;

function logSoftmax(logits: Float32Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of logits) max = Math.max(max, v);
  let z = 0;
  for (const v of logits) z += Math.exp(v - max);
  const lz = max + Math.log(z);
  return Float64Array.from(logits, (v) => v - lz);
}

function argmaxOf(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

describe("llamacpp engine on stories260K", () => {
  let model: LanguageModel;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "chorus-llamacpp-"));
    model = await loadLlamaCppModel({ modelPath: stories, contextSize: 256 });
  });

  after(async () => {
    await model?.close?.();
    await rm(dir, { recursive: true, force: true });
  });

  test("greedy generation continues a TinyStories opening fluently", async () => {
    const result = await model.generate({ prompt: "Once upon a time", maxTokens: 24 });
    const [generation] = result.generations;
    assert.match(generation!.text, /there was a little/);
    assert.equal(generation!.finishReason, "length");
    assert.equal(result.usage.outputTokens, 24);
    assert.equal(result.usage.inputTokens, 5); // BOS + 4 prompt tokens
  });

  test("generated text continues the prompt: re-scored, it costs what its sampled tokens cost", async () => {
    // Detokenized without the prompt, the first piece's leading space was lost (" was" → "was"),
    // and scoring the text after the prompt then cost ~100× the sampled log-prob.
    const prompt = "Once upon a time, there was a";
    const request = { prompt, n: 3, temperature: 0.8, maxTokens: 6, seed: 4, logprobs: 0 };
    const internals = model.internals!;
    const paths = {
      generate: await model.generate(request),
      "internals.generate": await internals.generate({ ...request, interventions: [] }),
    };
    for (const [path, result] of Object.entries(paths)) {
      for (const g of result.generations) {
        const sampled = g.logprobs!.reduce((sum, t) => sum + t.logprob, 0);
        const scored = (await model.score!({ prompt, continuation: g.text })).total;
        assert.ok(
          Math.abs(scored - sampled) < 1e-3,
          `${path} ${JSON.stringify(g.text)}: scored ${scored}, sampled ${sampled}`,
        );
      }
      assert.ok(
        result.generations.some((g) => g.text.startsWith(" ")),
        `${path}: stories260K continues with a space-led piece`,
      );
    }
  });

  test("stop strings end the text before the stop", async () => {
    const result = await model.generate({
      prompt: "Once upon a time",
      maxTokens: 40,
      stop: ["Lily"],
    });
    const [generation] = result.generations;
    assert.equal(generation!.finishReason, "stop");
    assert.ok(generation!.text.endsWith("named "), generation!.text);
  });

  test("raw FFI logits equal node-llama-cpp's own probabilities", async () => {
    const llamaModel = (model as LlamaCppModel).llamaModel;
    const tokens = llamaModel.tokenize("Once upon a time, there was") as Token[];
    tokens.unshift(llamaModel.tokens.bos!);
    const context = await llamaModel.createContext({ contextSize: 64, threads: 1 });
    let probabilities: Map<Token, number> | undefined;
    try {
      const sequence = context.getSequence();
      const iterator = sequence.evaluateWithMetadata(tokens, { probabilities: true });
      const first = await iterator.next();
      await iterator.return();
      probabilities = first.done ? undefined : first.value.probabilities;
    } finally {
      await context.dispose();
    }
    assert.ok(probabilities && probabilities.size === 512);
    const stream = await model.decoder!().open(tokens);
    const lp = logSoftmax(stream.logits());
    let maxDiff = 0;
    for (const [token, p] of probabilities!)
      maxDiff = Math.max(maxDiff, Math.abs(Math.exp(lp[token]!) - p));
    await stream.close();
    assert.ok(maxDiff < 1e-5, `max |softmax - p| = ${maxDiff}`);
  });

  test("two lockstep decoder streams give the same logits as one stream each", async () => {
    const decoder = model.decoder!();
    const promptA = "Once upon a time";
    const promptB = "The dog ran to the park and";
    const pushes = await decoder.tokenize(" there was a big tree", { addBos: false });
    const alone = async (prompt: string): Promise<Float32Array[]> => {
      const s = await decoder.open(prompt);
      const out = [s.logits().slice()];
      for (const t of pushes) out.push((await s.push(t)).slice());
      await s.close();
      return out;
    };
    const soloA = await alone(promptA);
    const soloB = await alone(promptB);
    const [a, b] = await Promise.all([decoder.open(promptA), decoder.open(promptB)]);
    const lockA = [a!.logits().slice()];
    const lockB = [b!.logits().slice()];
    for (const t of pushes) {
      const [la, lb] = await Promise.all([a!.push(t), b!.push(t)]);
      lockA.push(la.slice());
      lockB.push(lb.slice());
    }
    assert.deepEqual(lockA, soloA);
    assert.deepEqual(lockB, soloB);
    assert.notDeepEqual(lockA[1], lockB[1]);
    await decoder.close();
  });

  test("decoder pushes leave the event loop free (llama_decode runs on a worker thread)", async () => {
    const stream = await model.decoder!().open("Once upon a time");
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      // A synchronous decode would resolve every push as a microtask and starve the timer.
      for (let i = 0; i < 40; i++) await stream.push(argmaxOf(stream.logits()));
    } finally {
      clearInterval(timer);
      await stream.close();
    }
    assert.ok(ticks > 0, "the timer never ran during 40 pushes");
  });

  test("score equals the sum of step-by-step decoder logprobs", async () => {
    const prompt = "Once upon a time";
    const continuation = ", there was a little girl named Lily.";
    const scored = await model.score!({ prompt, continuation, topLogprobs: 3 });
    const decoder = model.decoder!();
    const all = await decoder.tokenize(prompt + continuation);
    const promptTokens = await decoder.tokenize(prompt);
    const stream = await decoder.open(promptTokens);
    let sum = 0;
    for (const token of all.slice(promptTokens.length)) {
      sum += logSoftmax(stream.logits())[token]!;
      await stream.push(token);
    }
    await decoder.close();
    assert.equal(scored.tokens.length, all.length - promptTokens.length);
    assert.equal(scored.tokens.map((t) => t.token).join(""), continuation);
    assert.ok(Math.abs(scored.total - sum) < 1e-3, `${scored.total} vs ${sum}`);
    for (const t of scored.tokens) {
      assert.equal(t.top.length, 3);
      assert.ok(t.top[0]!.logprob >= t.top[1]!.logprob && t.logprob <= 0);
    }
  });

  test("generate logprobs match the scored continuation", async () => {
    const result = await model.generate({ prompt: "Once upon a time", maxTokens: 8, logprobs: 2 });
    const [generation] = result.generations;
    const lps = generation!.logprobs!;
    assert.equal(lps.length, 8);
    assert.equal(lps.map((l) => l.token).join(""), generation!.text);
    // Greedy: the chosen token is the most likely one.
    for (const l of lps) assert.equal(l.top[0]!.token, l.token);
    const scored = await model.score!({
      prompt: "Once upon a time",
      continuation: generation!.text,
    });
    assert.ok(Math.abs(scored.total - lps.reduce((s, l) => s + l.logprob, 0)) < 1e-4);
  });

  test("a JSON schema constrains the output to parseable JSON", async () => {
    const schema = {
      type: "object",
      properties: { name: { type: "string" }, age: { type: "integer" } },
      required: ["name", "age"],
    };
    const result = await model.generate({ prompt: "Lily is", maxTokens: 60, jsonSchema: schema });
    const value = JSON.parse(result.generations[0]!.text) as { name: unknown; age: unknown };
    assert.equal(typeof value.name, "string");
    assert.ok(Number.isInteger(value.age));
  });

  test("the same seed gives the same samples; n samples differ", async () => {
    const request = { prompt: "Once upon a time", maxTokens: 16, temperature: 1, n: 2, seed: 7 };
    const first = await model.generate(request);
    const second = await model.generate(request);
    assert.deepEqual(
      first.generations.map((g) => g.text),
      second.generations.map((g) => g.text),
    );
    assert.notEqual(first.generations[0]!.text, first.generations[1]!.text);
    assert.equal(first.usage.outputTokens, 32);
  });

  test("chat messages use the fallback template; prefill is continued, not repeated", async () => {
    const result = await model.generate({
      messages: [{ role: "user", content: "Tell me a story." }],
      prefill: "Once upon a time",
      maxTokens: 12,
    });
    const text = result.generations[0]!.text;
    assert.ok(!text.startsWith("Once upon a time"), text);
    assert.ok(result.usage.inputTokens > 10);
  });

  test("a hidden state replayed as a control vector equals the same edit by a hook, bit for bit", async () => {
    const internals = model.internals!;
    const layer = 2;
    const hidden = await internals.captureHidden("Once upon a time", {
      layers: [layer],
      positions: "last",
      rawPrompt: true,
    });
    const v = hidden.states.get(layer)![0]!.map((x) => 0.5 * x);
    assert.equal(v.length, internals.nEmbd);
    const plain = await internals.logits("Once upon a time");
    const viaHook = await internals.logits("Once upon a time", {
      interventions: [
        {
          layer,
          edit: (h) => {
            for (let i = 0; i < h.length; i++) h[i] = h[i]! + v[i]!;
          },
        },
      ],
    });
    const viaVector = await internals.logits("Once upon a time", {
      controlVector: { vectors: new Map([[layer, v]]) },
    });
    assert.deepEqual(viaHook, viaVector);
    assert.notDeepEqual(viaHook, plain);
    // The capture sees the control vector too (it is added before l_out).
    const again = await internals.logits("Once upon a time");
    assert.deepEqual(again, plain);
  });

  test("generation with an intervention equals generation with the same control vector", async () => {
    const internals = model.internals!;
    const v = new Float32Array(internals.nEmbd).map((_, i) => (i % 7 === 0 ? 0.8 : -0.1));
    const request = { prompt: "Once upon a time", maxTokens: 16, logprobs: 1 };
    const hooked = await internals.generate({
      ...request,
      interventions: [
        {
          layer: 3,
          edit: (h) => {
            for (let i = 0; i < h.length; i++) h[i] = h[i]! + v[i]!;
          },
        },
      ],
    });
    const steered = await internals.generate({
      ...request,
      controlVector: { vectors: new Map([[3, v]]) },
    });
    assert.deepEqual(hooked.generations, steered.generations);
    const plain = await internals.generate(request);
    const base = await model.generate({ prompt: "Once upon a time", maxTokens: 16 });
    assert.equal(plain.generations[0]!.text, base.generations[0]!.text);
  });

  test("captureHidden returns every requested layer and position, last layer included", async () => {
    const internals = model.internals!;
    const last = internals.nLayers - 1;
    const states = await internals.captureHidden("Once upon a time", {
      layers: [0, last],
      positions: [0, -1],
      rawPrompt: true,
    });
    assert.deepEqual(states.positions, [0, 4]);
    for (const layer of [0, last]) {
      const rows = states.states.get(layer)!;
      assert.equal(rows.length, 2);
      for (const row of rows) assert.ok(row.some((x) => x !== 0));
    }
    const all = await internals.captureHidden("Once upon a time", {
      layers: [last],
      positions: "all",
      rawPrompt: true,
    });
    assert.deepEqual(all.states.get(last)![4], states.states.get(last)![1]);
  });

  test("layer 0 cannot take a control vector; the error says so", async () => {
    await assert.rejects(
      model.internals!.logits("Once", {
        controlVector: { vectors: new Map([[0, new Float32Array(64)]]) },
      }),
      (error: unknown) =>
        error instanceof ConfigError && /layer 0 cannot be steered/.test(error.message),
    );
  });

  test("a LoRA adapter is served by generation and by the FFI path alike", async () => {
    const adapter = join(dir, "lora.gguf");
    await writeRandomLora(adapter, stories, { rank: 4, std: 0.3, seed: 1 });
    const withLora = await loadLlamaCppModel({
      modelPath: stories,
      contextSize: 64,
      lora: [{ path: adapter, scale: 1 }],
    });
    try {
      const prompt = "Once upon a time";
      const [a, b] = await Promise.all([
        model.score!({ prompt, continuation: ", there was" }),
        withLora.score!({ prompt, continuation: ", there was" }),
      ]);
      assert.notEqual(a.total, b.total);
      // Greedy generation (node-llama-cpp) and its logprobs (FFI) agree on the adapted model.
      const g = await withLora.generate({ prompt, maxTokens: 6, logprobs: 1 });
      for (const l of g.generations[0]!.logprobs!) assert.equal(l.top[0]!.token, l.token);
    } finally {
      await withLora.close?.();
    }
  });

  test("without the FFI layer, score and logprobs fall back to node-llama-cpp and agree", async () => {
    const plain = await loadLlamaCppModel({ modelPath: stories, contextSize: 64, ffi: false });
    try {
      assert.equal(plain.capabilities.decoder, false);
      assert.equal(plain.internals, undefined);
      assert.throws(() => plain.decoder!(), CapabilityError);
      const request = {
        prompt: "Once upon a time",
        continuation: ", there was a little",
        topLogprobs: 2,
      };
      const [viaNode, viaFfi] = await Promise.all([plain.score!(request), model.score!(request)]);
      assert.deepEqual(
        viaNode.tokens.map((t) => t.token),
        viaFfi.tokens.map((t) => t.token),
      );
      assert.ok(
        Math.abs(viaNode.total - viaFfi.total) < 1e-4,
        `${viaNode.total} vs ${viaFfi.total}`,
      );
      const g = await plain.generate({ prompt: "Once upon a time", maxTokens: 4, logprobs: 1 });
      assert.equal(g.generations[0]!.logprobs!.length, 4);
    } finally {
      await plain.close?.();
    }
  });

  test("bad GGUF files fail with a DataError naming the file", async () => {
    const wrongMagic = join(dir, "wrong-magic.gguf");
    await writeFile(wrongMagic, Buffer.from("NOPE not a gguf file at all, sorry"));
    await assert.rejects(
      loadLlamaCppModel({ modelPath: wrongMagic }),
      (error: unknown) => error instanceof DataError && error.message.includes(wrongMagic),
    );
    const truncated = join(dir, "truncated.gguf");
    const bytes = await readFile(stories);
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await assert.rejects(
      loadLlamaCppModel({ modelPath: truncated }),
      (error: unknown) => error instanceof DataError && error.message.includes(truncated),
    );
    // An unknown tensor type id: patch the type field of token_embd.weight's tensor info
    // (u64 name length, name, u32 n_dims, n_dims x u64 dims, u32 type).
    const unknownType = join(dir, "unknown-type.gguf");
    const patched = Buffer.from(bytes);
    const name = Buffer.from("token_embd.weight");
    let at = -1;
    for (let from = 0; ; from = at + 1) {
      at = patched.indexOf(name, from);
      assert.ok(at > 8, "tensor info not found");
      if (Number(patched.readBigUInt64LE(at - 8)) === name.length) break;
    }
    const nDims = patched.readUInt32LE(at + name.length);
    patched.writeUInt32LE(99, at + name.length + 4 + 8 * nDims);
    await writeFile(unknownType, patched);
    await assert.rejects(
      loadLlamaCppModel({ modelPath: unknownType }),
      (error: unknown) => error instanceof DataError && error.message.includes(unknownType),
    );
    await assert.rejects(
      loadLlamaCppModel({ modelPath: join(dir, "missing.gguf") }),
      (error: unknown) => error instanceof DataError && /no such file/.test(error.message),
    );
  });
});
