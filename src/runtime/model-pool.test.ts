import assert from "node:assert/strict";
import { existsSync, mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../model/errors.ts";
import type { LanguageModel } from "../model/language-model.ts";
import { ScriptedModel } from "../testing/scripted-model.ts";
import type { ModelConfig } from "./config.ts";
import { ModelPool } from "./model-pool.ts";
import type { RunModelRecord } from "./run.ts";

const MB = 2 ** 20;

/** Three 10 MB "model files" (sparse) and a loader that records what is open. */
function fixture() {
  const dir = mkdtempSync(join(tmpdir(), "chorus-pool-"));
  const models: Record<string, ModelConfig> = {};
  for (const name of ["a", "b", "c"]) {
    const file = join(dir, `${name}.gguf`);
    writeFileSync(file, "");
    truncateSync(file, 10 * MB);
    models[name] = { engine: "llamacpp", file, roles: name === "c" ? [] : ["expert"] };
  }
  models.remote = { engine: "openai", baseURL: "http://127.0.0.1:9/v1", model: "r" };
  const open = new Set<string>();
  const pool = new ModelPool({
    models,
    memoryBudgetMB: 25, // two 10 MB files (x1.2 overhead) fit, three do not
    resolveFile: async (ref) => ref,
    loader: async ({ name }): Promise<LanguageModel> => {
      open.add(name);
      const model = new ScriptedModel({ id: name, script: () => `from ${name}` });
      return Object.assign(model, { close: async () => void open.delete(name) });
    },
  });
  return { pool, open };
}

test("models load lazily, are reused, and the least recently used is unloaded for room", async () => {
  const { pool, open } = fixture();
  assert.deepEqual(pool.namesWithRole("expert"), ["a", "b"]);
  assert.equal(open.size, 0);
  const text = await pool.use("a", async (m) => (await m.generate({ prompt: "x" })).generations);
  assert.equal(text[0]?.text, "from a");
  await pool.use("b", async () => undefined);
  await pool.use("a", async () => undefined); // reuse: b is now least recently used
  assert.equal(pool.counts.loads, 2);
  await pool.use("c", async () => undefined);
  assert.deepEqual([...open].sort(), ["a", "c"]);
  assert.deepEqual(pool.counts.perModel.b, { loads: 1, unloads: 1 });
  await pool.use("remote", async () => undefined); // remote models take no local memory
  assert.deepEqual(pool.loaded().sort(), ["a", "c", "remote"]);
  await pool.close();
  assert.equal(open.size, 0);
  assert.equal(pool.counts.unloads, 4); // b earlier, then a, c and remote at close
});

test("a held model is never unloaded: the next load waits for its release", async () => {
  const { pool, open } = fixture();
  const a = await pool.acquire("a");
  const b = await pool.acquire("b");
  let cLoaded = false;
  const c = pool.acquire("c").then((m) => {
    cLoaded = true;
    return m;
  });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(cLoaded, false);
  assert.ok(open.has("a") && open.has("b"));
  pool.release("b");
  await c;
  assert.deepEqual([...open].sort(), ["a", "c"]);
  assert.equal((await a.generate({ prompt: "still" })).generations[0]?.text, "from a");
  assert.ok(b);
  pool.release("a");
  pool.release("c");
  await pool.close();
});

test("an unknown model name lists the known ones; --model values register", async () => {
  const { pool } = fixture();
  await assert.rejects(pool.acquire("judge"), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /unknown model "judge"; known models: a, b, c, remote/);
    return true;
  });
  assert.equal(pool.addFromFlag("a"), "a");
  assert.equal(pool.addFromFlag("qwen", { baseURL: "http://127.0.0.1:8000/v1" }), "qwen");
  assert.deepEqual(pool.entry("qwen"), {
    engine: "openai",
    baseURL: "http://127.0.0.1:8000/v1",
    model: "qwen",
  });
  assert.equal(pool.addFromFlag("./x.gguf"), "./x.gguf");
  assert.equal(pool.entry("./x.gguf").engine, "llamacpp");
  await assert.rejects(pool.acquire("./x.gguf"), /does not exist/);
  assert.equal(pool.isLoaded("./x.gguf"), false);
});

const sharedModels = new URL("../../../shared/models/", import.meta.url);
const realModels = existsSync(new URL("stories260K.gguf", sharedModels));

test("real GGUF models through llama.cpp: unloaded for room, reloaded, hashed once", {
  skip: realModels ? false : "../shared/models is missing",
}, async () => {
  const file = (name: string) => fileURLToPath(new URL(name, sharedModels));
  const records: Record<string, RunModelRecord> = {};
  const pool = new ModelPool({
    models: {
      stories: { engine: "llamacpp", file: file("stories260K.gguf"), contextSize: 256 },
      random: { engine: "llamacpp", file: file("llama-2-tiny-random.gguf"), contextSize: 256 },
    },
    memoryBudgetMB: 2.5, // 1.2 MB and 1.8 MB files: one at a time
    onFirstLoad: (name, record) => {
      records[name] = record;
    },
  });
  try {
    const story = () =>
      pool.use("stories", async (m) => {
        const result = await m.generate({
          prompt: "Once upon a time",
          temperature: 0,
          maxTokens: 12,
        });
        return result.generations[0]?.text;
      });
    const first = await story();
    await pool.use("random", async (m) =>
      m.generate({ prompt: "x", temperature: 0, maxTokens: 2 }),
    );
    assert.deepEqual(pool.loaded(), ["random"]);
    assert.equal(await story(), first, "greedy text survives an unload and reload");
    assert.deepEqual(pool.counts.perModel.stories, { loads: 2, unloads: 1 });
    assert.equal(
      records.stories?.sha256,
      "270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d",
    );
    assert.equal(Object.keys(records).length, 2, "each model recorded once");
  } finally {
    await pool.close();
  }
});
