import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  expectCleanOutcome,
  fuzzCases,
  fuzzSeed,
  mutateBytes,
  pick,
} from "../../test/support/fuzz.ts";
import { SeededRandom } from "../math/seeded-random.ts";
import { ConfigError } from "../model/errors.ts";
import { loadConfig, modelConfigFor } from "./config.ts";

// Fuzzing chorus.config.json: a valid config has values replaced by values of other types,
// keys added (prototype names among them) and its text cut and corrupted. Loading it and looking
// up models must give a config or a ConfigError, never another exception.

const validConfig = {
  models: {
    judge: {
      engine: "openai",
      baseURL: "http://127.0.0.1:8000/v1",
      model: "m",
      concurrency: 4,
      sampling: { temperature: 0, maxTokens: 64 },
      roles: ["judge"],
    },
    local: { engine: "llamacpp", file: "models/a.gguf", lora: [{ path: "l.gguf", scale: 1 }] },
  },
  cacheDir: ".cache",
  concurrency: 2,
  memoryBudgetMB: 1024,
};

/** Names that are keys of every object's prototype: a lookup must not find them. */
const prototypeNames = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "chorus-config-fuzz-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function randomValue(random: SeededRandom, depth = 0): unknown {
  const kinds = depth > 3 ? 6 : 9;
  switch (random.int(kinds)) {
    case 0:
      return null;
    case 1:
      return pick(random, [0, -1, 1.5, 1e308, -0, 2 ** 53]);
    case 2:
      return pick(random, [true, false]);
    case 3:
      return pick(random, ["", "openai", "llamacpp", "http://x", "x".repeat(300), "hf:a/b/c.gguf"]);
    case 4:
      return pick(random, prototypeNames);
    case 5:
      return [];
    case 6:
      return Array.from({ length: random.int(4) }, () => randomValue(random, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = random.int(4); i > 0; i--)
        out[pick(random, [...prototypeNames, "engine", "file", "a"])] = randomValue(
          random,
          depth + 1,
        );
      return out;
    }
  }
}

/** Replaces or adds one value somewhere in the config tree. */
function mutateTree(value: unknown, random: SeededRandom): unknown {
  if (typeof value !== "object" || value === null || random.next() < 0.25)
    return randomValue(random);
  const copy = (Array.isArray(value) ? [...value] : { ...value }) as Record<string, unknown>;
  const keys = Object.keys(copy);
  const key =
    keys.length === 0 || random.next() < 0.15 ? pick(random, prototypeNames) : pick(random, keys);
  copy[key] = mutateTree(copy[key], random);
  return copy;
}

function configText(random: SeededRandom): { text: Uint8Array; what: string } {
  let tree: unknown = validConfig;
  const edits = 1 + random.int(3);
  for (let i = 0; i < edits; i++) tree = mutateTree(tree, random);
  const text = Buffer.from(JSON.stringify(tree, null, random.int(3)));
  if (random.next() < 0.3) {
    const mutant = mutateBytes(text, random);
    return { text: mutant.bytes, what: `tree edits, then ${mutant.what}` };
  }
  return { text, what: "tree edits" };
}

test("fuzzed chorus.config.json files load or end in a ConfigError", async () => {
  const seed = fuzzSeed();
  const random = new SeededRandom(seed);
  const cases = fuzzCases(200);
  const outcomes = { ok: 0, refused: 0 };
  for (let i = 0; i < cases; i++) {
    const { text, what } = configText(random);
    const path = join(dir, `config-${i}.json`);
    await writeFile(path, text);
    const label = `seed ${seed} case ${i} (${what}): ${Buffer.from(text).toString("utf8").slice(0, 300)}`;
    const outcome = await expectCleanOutcome(label, async () => {
      const config = loadConfig(path);
      for (const name of [...Object.keys(config.models), ...prototypeNames]) {
        try {
          const model = modelConfigFor(config, name);
          assert.ok(typeof model === "object" && "engine" in model, `${label}: model ${name}`);
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
        }
      }
    }, [ConfigError]);
    outcomes[outcome]++;
  }
  assert.ok(outcomes.refused > cases / 4 && outcomes.ok > 0, JSON.stringify(outcomes));
});

test("a model named like an Object.prototype key is not found in a config without it", () => {
  const config = { models: {} };
  for (const name of prototypeNames)
    assert.throws(() => modelConfigFor(config, name), ConfigError, name);
});
