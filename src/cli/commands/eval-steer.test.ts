import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Database from "better-sqlite3";
import { runChorusInProcess } from "../../../test/support/run-chorus.ts";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { sharedFile } from "../../evals/shared-dir.ts";
import { SeededRandom } from "../../math/seeded-random.ts";
import { saveSteerer } from "../../methods/mat-steer/steerer-file.ts";
import { requireInternals } from "../../model/require-capability.ts";

const stories = sharedFile("models", "stories260K.gguf");
const tqa = sharedFile("datasets", "truthfulqa", "mc_task.json");

const run = runChorusInProcess;

describe("chorus eval --steer", { skip: stories && tqa ? false : "shared data not found" }, () => {
  const dir = mkdtempSync(join(tmpdir(), "chorus-eval-steer-"));
  const cacheDir = join(dir, "cache");
  const strong = join(dir, "strong.json");
  const zero = join(dir, "zero.json");

  before(async () => {
    // Hand-written steerers with the model's real hidden size: gates open (w = 0, b = 10), θ random
    // (‖θ‖ ≈ 8) or zero, at the default site (block 2 of 5), norm preservation on.
    const model = await loadLlamaCppModel({ modelPath: stories!, gpu: false });
    const d = requireInternals(model).nEmbd;
    await model.close?.();
    const random = new SeededRandom(7);
    for (const [path, theta] of [
      [strong, Float64Array.from({ length: d }, () => random.normal())],
      [zero, new Float64Array(d)],
    ] as const)
      await saveSteerer(path, {
        nEmbd: d,
        site: { layer: 2, positions: "all" },
        steerer: {
          attributes: ["made-up"],
          theta: [theta],
          gateW: [new Float64Array(d)],
          gateB: [10],
          multiplier: 1,
          normPreserve: true,
        },
      });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const evalArgs = (out: string, steer?: string) => [
    "eval",
    "cot",
    "--dataset",
    "truthfulqa-mc1",
    "--limit",
    "3",
    "--model",
    stories!,
    "--set",
    "maxTokens=16",
    "--cache-dir",
    cacheDir,
    "--out",
    join(dir, out),
    ...(steer ? ["--steer", steer] : []),
  ];

  /** The generated texts the call cache holds, by provider. */
  function cachedTexts(): Map<string, string[]> {
    const db = new Database(join(cacheDir, "calls.sqlite"), { readonly: true });
    try {
      const rows = db
        .prepare("SELECT provider, value FROM calls WHERE kind = 'generate' ORDER BY key")
        .all() as { provider: string; value: string }[];
      const out = new Map<string, string[]>();
      for (const row of rows) {
        const texts = (
          JSON.parse(row.value) as { generations: { text: string }[] }
        ).generations.map((g) => g.text);
        out.set(row.provider, [...(out.get(row.provider) ?? []), ...texts]);
      }
      for (const texts of out.values()) texts.sort();
      return out;
    } finally {
      db.close();
    }
  }

  it("steers generations, caches them under the steerer's own key, records it", async () => {
    const plain = await run(evalArgs("plain"));
    assert.equal(plain.code, 0, plain.stderr);
    const steered = await run(evalArgs("steered", strong));
    assert.equal(steered.code, 0, steered.stderr);
    const zeroed = await run(evalArgs("zero", zero));
    assert.equal(zeroed.code, 0, zeroed.stderr);

    const texts = cachedTexts();
    const providers = [...texts.keys()].sort();
    assert.equal(providers.length, 3, providers.join(", "));
    assert.ok(providers.includes("llamacpp"));
    const steeredKeys = providers.filter((p) => p.startsWith("llamacpp+steer:"));
    assert.equal(steeredKeys.length, 2, "each steerer has its own cache key");
    const config = (run: string) =>
      JSON.parse(readFileSync(join(dir, run, "config.json"), "utf8")).config;
    const strongFp = config("steered").steer.fingerprint as string;
    const zeroFp = config("zero").steer.fingerprint as string;
    assert.notEqual(strongFp, zeroFp);
    assert.equal(config("steered").steer.file, strong);
    assert.equal(config("plain").steer, undefined);
    const base = texts.get("llamacpp")!;
    assert.equal(base.length, 3);
    assert.notDeepEqual(texts.get(`llamacpp+steer:${strongFp.slice(0, 16)}`), base);
    assert.deepEqual(texts.get(`llamacpp+steer:${zeroFp.slice(0, 16)}`), base);

    // a second steered run is served from the cache (its own entries), the unsteered ones untouched
    const again = await run(evalArgs("steered-again", strong));
    assert.equal(again.code, 0, again.stderr);
    const events = readFileSync(join(dir, "steered-again", "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { cached: boolean; provider: string });
    assert.equal(events.length, 3);
    assert.ok(events.every((e) => e.cached && e.provider.startsWith("llamacpp+steer:")));
    const first = readFileSync(join(dir, "steered", "events.jsonl"), "utf8")
      .trim()
      .split("\n");
    assert.ok(first.every((l) => JSON.parse(l).cached === false));

    // a resumed run keeps its steerer
    const resumed = await run([
      ...evalArgs("unused", zero).slice(0, -4),
      "--steer",
      zero,
      "--resume",
      join(dir, "steered"),
    ]);
    assert.equal(resumed.code, 2);
    assert.match(resumed.stderr, /that run was made with --steer \(fingerprint [0-9a-f]{16}\)/);
  });

  it("refuses --steer with --base-url (exit 2) and a steerer of another hidden size", async () => {
    const r = await run([
      "eval",
      "cot",
      "--dataset",
      "truthfulqa-mc1",
      "--limit",
      "1",
      "--base-url",
      "http://127.0.0.1:9/v1",
      "--model",
      "m",
      "--steer",
      strong,
      "--no-cache",
      "--out",
      join(dir, "remote"),
    ]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--steer needs a local GGUF model \(hidden-state hooks\)/);

    const wrong = join(dir, "wrong.json");
    await saveSteerer(wrong, {
      nEmbd: 3,
      site: { layer: 2, positions: "all" },
      steerer: {
        attributes: ["x"],
        theta: [new Float64Array(3)],
        gateW: [new Float64Array(3)],
        gateB: [0],
        multiplier: 1,
        normPreserve: true,
      },
    });
    const mismatch = await run([...evalArgs("wrong", wrong), "--no-cache"]);
    assert.equal(mismatch.code, 2);
    assert.match(mismatch.stderr, /trained for hidden size 3, but .* has 64/);
  });
});
