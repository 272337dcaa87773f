import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { InternalsGenerateRequest } from "../../model/internals.ts";
import type { GenerateRequest, LanguageModel } from "../../model/language-model.ts";
import { requireInternals } from "../../model/require-capability.ts";
import { loadLlamaCppModel } from "./load-llamacpp-model.ts";
import { TextStreamer } from "./text-streamer.ts";

const stories = new URL("../../../../shared/models/stories260K.gguf", import.meta.url).pathname;

/** Feeds growing texts to a streamer and returns the deltas it sent. */
function stream(stops: string[], steps: string[], final: string): string[] {
  const deltas: string[] = [];
  const streamer = new TextStreamer(stops, (delta) => deltas.push(delta));
  for (const step of steps) streamer.update(step);
  streamer.finish(final);
  return deltas;
}

describe("TextStreamer", () => {
  test("holds back a tail that may become a stop string, releases it when it does not", () => {
    const deltas = stream(["END"], ["a", "a E", "a EN", "a ENx"], "a ENx");
    assert.deepEqual(deltas, ["a", " ENx"]);
  });

  test("never sends the start of a stop string that then completes", () => {
    const deltas = stream(["\n\nUser:"], ["Hi", "Hi.\n", "Hi.\n\nUs"], "Hi.");
    assert.deepEqual(deltas, ["Hi", "."]);
    assert.equal(deltas.join(""), "Hi.");
  });

  test("holds back split characters, trailing spaces and apostrophes", () => {
    assert.deepEqual(stream([], ["ab\uFFFD", "abé"], "abé"), ["ab", "é"]);
    assert.deepEqual(stream([], ["x ", "x."], "x."), ["x", "."]);
    assert.deepEqual(stream([], ["it '", "it's"], "it's"), ["it", "'s"]);
    assert.deepEqual(stream([], ['{"a":1}', '{"a":1}\n\n'], '{"a":1}'), ['{"a":1}']);
  });

  test("stops streaming when earlier text is rewritten, and sends nothing inconsistent", () => {
    const deltas = stream([], ["ab", "xbc"], "xbc");
    assert.deepEqual(deltas, ["ab"]);
  });
});

describe("llamacpp streaming on stories260K", () => {
  let model: LanguageModel;
  before(async () => {
    model = await loadLlamaCppModel({ modelPath: stories, contextSize: 256, threads: 1 });
  });
  after(() => model?.close?.());

  /** Generates with onText and checks each sample's deltas against the final and unstreamed text. */
  async function checkStreamed(
    request: GenerateRequest,
  ): Promise<{ deltas: string[][]; stopped: number }> {
    const plain = await model.generate(request);
    const deltas: string[][] = Array.from({ length: request.n ?? 1 }, () => []);
    const streamed = await model.generate({
      ...request,
      onText: (index, text) => deltas[index]!.push(text),
    });
    assert.deepEqual(
      streamed.generations.map((g) => [g.text, g.finishReason]),
      plain.generations.map((g) => [g.text, g.finishReason]),
      "streaming changes nothing in the result",
    );
    for (const [i, g] of streamed.generations.entries()) {
      assert.equal(deltas[i]!.join(""), g.text, `sample ${i}: the deltas make up the final text`);
      assert.ok(
        deltas[i]!.every((d) => d !== ""),
        "no empty deltas",
      );
      for (const stop of request.stop ?? []) {
        assert.ok(
          deltas[i]!.every((d) => !d.includes(stop)),
          `no delta holds the stop "${stop}"`,
        );
      }
    }
    return {
      deltas,
      stopped: streamed.generations.filter((g) => g.finishReason === "stop").length,
    };
  }

  test("greedy with a stop string: deltas equal the final text and arrive token by token", async () => {
    const { deltas, stopped } = await checkStreamed({
      prompt: "Once upon a time",
      maxTokens: 48,
      temperature: 0,
      stop: ["Lily"],
    });
    assert.equal(stopped, 1, "the stop string was met");
    assert.ok(deltas[0]!.length > 3, `${deltas[0]!.length} deltas`);
    const { deltas: full } = await checkStreamed({
      prompt: "Once upon a time",
      maxTokens: 32,
      temperature: 0,
    });
    assert.ok(full[0]!.length >= 16, `${full[0]!.length} deltas for 32 tokens`);
  });

  test("sampled, n = 2, stop strings split across tokens: each sample streams under its index", async () => {
    let stops = 0;
    for (const seed of [1, 2, 3]) {
      const { deltas, stopped } = await checkStreamed({
        prompt: "Once upon a time",
        n: 2,
        temperature: 1,
        seed,
        maxTokens: 40,
        stop: [" the", "ed. "],
      });
      assert.ok(deltas.every((d) => d.length > 0));
      stops += stopped;
    }
    assert.ok(stops >= 2, `${stops} of 6 samples met a stop string`);
  });

  test("a JSON schema grammar streams the same text", async () => {
    await checkStreamed({
      prompt: "Once upon a time",
      jsonSchema: {
        type: "object",
        properties: { name: { type: "string" }, age: { type: "integer" } },
        required: ["name", "age"],
      },
      maxTokens: 40,
      temperature: 1,
      seed: 1,
    });
  });

  test("chat messages stream without the template's stop text", async () => {
    await checkStreamed({
      messages: [{ role: "user", content: "Tell me a story." }],
      maxTokens: 24,
      temperature: 0.8,
      seed: 5,
    });
  });

  test("internals.generate (the steering path) streams too, with an intervention and stops", async () => {
    const internals = requireInternals(model);
    // a real edit, so the steered text differs from the plain one
    const request: InternalsGenerateRequest = {
      prompt: "Once upon a time",
      n: 2,
      temperature: 1,
      seed: 4,
      maxTokens: 40,
      stop: ["Lily"],
      interventions: [
        {
          layer: 2,
          edit: (h) => {
            for (let i = 0; i < h.length; i++) h[i] = h[i]! * 1.1;
          },
        },
      ],
    };
    const plain = await internals.generate(request);
    const deltas: string[][] = [[], []];
    const streamed = await internals.generate({
      ...request,
      onText: (index, text) => deltas[index]!.push(text),
    });
    assert.deepEqual(
      streamed.generations.map((g) => g.text),
      plain.generations.map((g) => g.text),
    );
    for (const [i, g] of streamed.generations.entries()) {
      assert.equal(deltas[i]!.join(""), g.text);
      assert.ok(deltas[i]!.every((d) => d !== "" && !d.includes("Lily")));
    }
    assert.equal(streamed.generations[0]!.finishReason, "stop", "sample 0 meets the stop");
    assert.ok(deltas[1]!.length >= 10, `${deltas[1]!.length} deltas for sample 1`);
  });
});
