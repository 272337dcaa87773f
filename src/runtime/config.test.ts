import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError } from "../model/errors.ts";
import { loadConfig, modelConfigFor, parseConfig } from "./config.ts";

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a ConfigError");
}

test("a wrong enum value names the field, the choices and the value", () => {
  const error = configError(() =>
    parseConfig({ models: { judge: { engine: "foo", file: "a.gguf" } } }),
  );
  assert.equal(error.field, "models.judge.engine");
  assert.match(error.message, /^models\.judge\.engine: expected "llamacpp" \| "openai", got "foo"/);
});

test("wrong types, unknown keys and engine-specific fields are named", () => {
  const temp = configError(() =>
    parseConfig({
      models: { m: { engine: "llamacpp", file: "m.gguf", sampling: { temperature: "hot" } } },
    }),
  );
  assert.match(temp.message, /models\.m\.sampling\.temperature: expected number, got "hot"/);
  const typo = configError(() => parseConfig({ models: {}, concurency: 4 }));
  assert.match(typo.message, /unknown key "concurency"/);
  const missing = configError(() =>
    parseConfig({ models: { api: { engine: "openai", model: "x" } } }),
  );
  assert.match(missing.message, /models\.api\.baseURL: required for engine "openai"/);
});

test("loadConfig resolves relative model paths against the config folder", () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-config-"));
  const path = join(dir, "chorus.config.json");
  writeFileSync(
    path,
    JSON.stringify({
      models: {
        small: { engine: "llamacpp", file: "models/small.gguf", roles: ["expert"] },
        cached: { engine: "llamacpp", file: "stories260K" },
        api: { engine: "openai", baseURL: "http://127.0.0.1:8000/v1", model: "qwen" },
      },
      memoryBudgetMB: 512,
    }),
  );
  const config = loadConfig(path);
  assert.equal(config.models.small?.file, join(dir, "models/small.gguf"));
  assert.equal(config.models.cached?.file, "stories260K");
  assert.equal(config.memoryBudgetMB, 512);
  const unknown = configError(() => modelConfigFor(config, "judge"));
  assert.match(unknown.message, /unknown model "judge"; known models: small, cached, api/);
});

test("a missing or non-JSON config file is a ConfigError naming the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-config-"));
  assert.match(configError(() => loadConfig(join(dir, "nope.json"))).message, /does not exist/);
  writeFileSync(join(dir, "bad.json"), "{ models: ");
  assert.match(configError(() => loadConfig(join(dir, "bad.json"))).message, /not valid JSON/);
});

test("an openai model takes a list of replicas and their balancing settings", () => {
  const config = parseConfig({
    models: {
      qwen: {
        engine: "openai",
        model: "qwen",
        baseURL: ["http://10.0.0.1:8000/v1", "http://10.0.0.2:8000/v1"],
        revision: "a1b2c3",
        adaptive: { start: 32, max: 256 },
        balance: { strategy: "affinity", maxLoadFactor: 1.5, eject: { failures: 2 } },
        routingKeyHeader: "x-session-id",
        overloadTimeoutMs: 600000,
      },
    },
  });
  assert.deepEqual(config.models.qwen?.baseURL, [
    "http://10.0.0.1:8000/v1",
    "http://10.0.0.2:8000/v1",
  ]);
  const empty = configError(() =>
    parseConfig({ models: { q: { engine: "openai", model: "q", baseURL: [] } } }),
  );
  assert.equal(empty.field, "models.q.baseURL");
  const strategy = configError(() =>
    parseConfig({
      models: {
        q: { engine: "openai", model: "q", baseURL: "http://h/v1", balance: { strategy: "rr" } },
      },
    }),
  );
  assert.equal(strategy.field, "models.q.balance.strategy");
  const local = configError(() =>
    parseConfig({ models: { l: { engine: "llamacpp", file: "m.gguf", revision: "x" } } }),
  );
  assert.match(local.message, /models\.l\.revision: only for engine "openai"/);
});
