import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import { sharedFile } from "../../evals/shared-dir.ts";
import { SeededRandom } from "../../math/seeded-random.ts";
import type { Intervention, LanguageModel } from "../../model/index.ts";
import { ConfigError, DataError, requireInternals } from "../../model/index.ts";
import { collectActivations } from "./collect-activations.ts";
import { meanDifferenceIntervention } from "./mean-difference.ts";
import { steeringIntervention } from "./steer-intervention.ts";
import { norm } from "./steerer.ts";
import { loadSteerer, saveSteerer } from "./steerer-file.ts";
import { hookPoint, type SteeringSite } from "./steering-site.ts";
import { initSteerer } from "./train.ts";

const steerer = initSteerer(["a", "b"], 4, new SeededRandom(3), {
  multiplier: 1,
  normPreserve: true,
});

test("sites map to the engine's hook points", () => {
  assert.deepEqual(hookPoint({ layer: 3 }, 5), { layer: 2, site: "residual" });
  assert.deepEqual(hookPoint({ layer: 3, module: "residual" }, 5), { layer: 2, site: "residual" });
  assert.deepEqual(hookPoint({ layer: 3, module: "o-proj-input" }, 5), {
    layer: 3,
    site: "o-proj-input",
  });
  assert.deepEqual(hookPoint({ layer: 0, module: "o-proj-input" }, 5), {
    layer: 0,
    site: "o-proj-input",
  });
  assert.throws(() => hookPoint({ layer: 0 }, 5), ConfigError);
  assert.throws(() => hookPoint({ layer: 5, module: "o-proj-input" }, 5), /0 to 4/);
  assert.throws(
    () => hookPoint({ layer: 1, module: "mlp" as never }, 5),
    /unknown steering module/,
  );
  const literal: SteeringSite = {
    layer: 3,
    positions: "last",
    module: "o-proj-input",
    collectedAt: "residual",
  };
  const i = steeringIntervention(steerer, literal, 5);
  assert.equal(i.layer, 3);
  assert.equal(i.site, "o-proj-input");
  const m = meanDifferenceIntervention([[1, 0, 0, 0]], 1, literal, 5);
  assert.deepEqual([m.layer, m.site], [3, "o-proj-input"]);
});

describe("steer.json sites", () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "chorus-steer-site-"));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test("a literal site is written as version 2 and read back", async () => {
    const path = join(dir, "literal.json");
    const site: SteeringSite = {
      layer: 2,
      positions: "last",
      module: "o-proj-input",
      collectedAt: "residual",
    };
    await saveSteerer(path, { nEmbd: 4, site, steerer });
    const raw = JSON.parse(await readFile(path, "utf8"));
    assert.equal(raw.version, 2);
    const loaded = await loadSteerer(path);
    assert.equal(loaded.version, 2);
    assert.deepEqual(loaded.site, site);
  });

  test("residual sites stay version 1; old files without module load as residual", async () => {
    const path = join(dir, "residual.json");
    await saveSteerer(path, { nEmbd: 4, site: { layer: 2, positions: "all" }, steerer });
    const raw = JSON.parse(await readFile(path, "utf8"));
    assert.equal(raw.version, 1);
    assert.deepEqual(raw.site, {
      layer: 2,
      positions: "all",
      module: "residual",
      collectedAt: "residual",
    });
    // A file as chorus wrote it before sites had a module.
    const old = join(dir, "old.json");
    await writeFile(old, JSON.stringify({ ...raw, site: { layer: 2, positions: "all" } }));
    const loaded = await loadSteerer(old);
    assert.deepEqual(loaded.site, {
      layer: 2,
      positions: "all",
      module: "residual",
      collectedAt: "residual",
    });
    assert.equal(loaded.steerer.theta[0]![1], steerer.theta[0]![1]);
    const bad = join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ ...raw, site: { ...raw.site, module: "mlp" } }));
    await assert.rejects(loadSteerer(bad), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.match(e.message, /site\.module must be "residual" or "o-proj-input"/);
      return true;
    });
    const future = join(dir, "future.json");
    await writeFile(future, JSON.stringify({ ...raw, version: 3 }));
    await assert.rejects(loadSteerer(future), /version 1 or 2/);
  });
});

const modelPath = sharedFile("models", "stories260K.gguf");

describe("the literal site on stories260K", {
  skip: modelPath ? false : "shared/models not found",
}, () => {
  let model: LanguageModel;
  before(async () => {
    model = await loadLlamaCppModel({ modelPath: modelPath!, gpu: false, contextSize: 256 });
  });
  after(async () => {
    await model?.close?.();
  });

  test("activations come from the site asked for", async () => {
    const internals = requireInternals(model);
    const text = "Tom was very sad";
    const [residual] = await collectActivations(model, [text], { layer: 2 });
    const [oProj] = await collectActivations(model, [text], { layer: 2, module: "o-proj-input" });
    const l1 = await internals.captureHidden(text, { layers: [1], rawPrompt: true });
    const k2 = await internals.captureHidden(text, {
      layers: [2],
      rawPrompt: true,
      site: "o-proj-input",
    });
    assert.deepEqual(residual, l1.states.get(1)![0]);
    assert.deepEqual(oProj, k2.states.get(2)![0]);
  });

  test("steering at the o_proj input edits the last row only and keeps its norm", async () => {
    const internals = requireInternals(model);
    const d = internals.nEmbd;
    const big = initSteerer(["a"], d, new SeededRandom(5), { multiplier: 1, normPreserve: true });
    big.gateB[0] = 10; // gate ≈ 1: the row moves a lot
    const site: SteeringSite = {
      layer: 2,
      positions: "last",
      module: "o-proj-input",
      collectedAt: "residual",
    };
    const before = new Map<number, Float32Array>();
    const afterRows = new Map<number, Float32Array>();
    const observe = (into: Map<number, Float32Array>): Intervention => ({
      layer: 2,
      site: "o-proj-input",
      edit: (h, { position }) => {
        into.set(position, h.slice());
      },
    });
    // Interventions at one site run in list order.
    const interventions = [
      observe(before),
      steeringIntervention(big, site, internals.nLayers),
      observe(afterRows),
    ];
    const text = "Tom was very sad";
    const steered = await internals.logits(text, { interventions });
    const last = before.size - 1;
    assert.ok(last > 1);
    for (const [p, h] of before) {
      const a = afterRows.get(p)!;
      if (p === last) {
        assert.ok(Math.abs(norm(a) - norm(h)) < 1e-4 * norm(h), `${norm(a)} vs ${norm(h)}`);
        let moved = 0;
        for (let i = 0; i < d; i++) moved = Math.max(moved, Math.abs(a[i]! - h[i]!));
        assert.ok(moved > 0.1, `last row moved by ${moved}`);
      } else assert.deepEqual(a, h);
    }
    const plain = await internals.logits(text);
    assert.notDeepEqual(steered, plain);
  });
});
