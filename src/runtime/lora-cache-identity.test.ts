import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { writeRandomLora } from "../gguf/index.ts";
import type { GenerateRequest, LanguageModel } from "../model/language-model.ts";
import { CallCache } from "./call-cache.ts";
import { ModelPool } from "./model-pool.ts";
import { loraIdentity } from "./wrap-model.ts";

const stories = new URL("../../../shared/models/stories260K.gguf", import.meta.url).pathname;

/**
 * A pooled llama.cpp model with the call cache, whose adapters are swapped with setLora: a cached
 * answer must never be served under other adapters (or none), and must be served again under the
 * same adapter content.
 */
describe("the call cache keys on the adapters a model serves", () => {
  let dir: string;
  let cache: CallCache;
  let pool: ModelPool;
  let model: LanguageModel;
  let adapterA: string;
  let adapterB: string;
  const request: GenerateRequest = { prompt: "Once upon a time", maxTokens: 10, temperature: 0 };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "chorus-lora-cache-"));
    adapterA = join(dir, "a.gguf");
    adapterB = join(dir, "b.gguf");
    await writeRandomLora(adapterA, stories, { rank: 4, std: 0.3, seed: 1 });
    await writeRandomLora(adapterB, stories, { rank: 4, std: 0.3, seed: 2 });
    cache = new CallCache(join(dir, "calls.sqlite"));
    pool = new ModelPool({
      models: { s: { engine: "llamacpp", file: stories, contextSize: 64, gpu: false } },
      middleware: { cache },
    });
    model = await pool.acquire("s");
  });

  after(async () => {
    pool?.release("s");
    await pool?.close();
    cache?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const generate = async () => {
    const result = await model.generate(request);
    return { text: result.generations[0]!.text, cached: result.meta?.cached === true };
  };

  test("answers cached under adapter A are not served under B or the base model", async () => {
    assert.ok(model.setLora, "the pooled model passes setLora through");
    const base = await generate();
    assert.equal(base.cached, false);
    assert.equal((await generate()).cached, true, "the same request hits the cache");

    await model.setLora([{ path: adapterA }]);
    const a = await generate();
    assert.equal(a.cached, false, "the base model's answer is not served under A");
    assert.notEqual(a.text, base.text);
    assert.deepEqual(await generate(), { text: a.text, cached: true });

    await model.setLora([{ path: adapterB }]);
    const b = await generate();
    assert.equal(b.cached, false, "A's answer is not served under B");
    assert.notEqual(b.text, a.text);

    await model.setLora([]);
    assert.deepEqual(await generate(), { text: base.text, cached: true }, "base again: its entry");
    await model.setLora([{ path: adapterA }]);
    assert.deepEqual(await generate(), { text: a.text, cached: true }, "A again: A's entry");
    await model.setLora([{ path: adapterA, scale: 0.5 }]);
    assert.equal((await generate()).cached, false, "another scale is another model");
  });

  test("the pooled model reports the served adapters by content hash", async () => {
    await model.setLora!([{ path: adapterB, scale: 2 }]);
    const [served] = model.lora!;
    assert.equal(served!.path, adapterB);
    assert.equal(served!.scale, 2);
    assert.equal(loraIdentity(model.lora), `+lora:${served!.sha256}@2`);
    assert.equal(loraIdentity([]), "");
  });
});
