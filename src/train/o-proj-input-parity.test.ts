import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { getNativeLib } from "../engines/llamacpp/ffi/native-lib.ts";
import { loadLlamaCppModel } from "../engines/llamacpp/index.ts";
import { sharedFile } from "../evals/shared-dir.ts";
import { writeRandomModel } from "../gguf/index.ts";
import type { Internals, Intervention, LanguageModel } from "../model/index.ts";
import { requireInternals } from "../model/index.ts";
import { loadTransformer } from "./load-gguf.ts";
import type { Transformer } from "./transformer.ts";

// The engine's o_proj-input site (llama.cpp `kqv_out-<layer>`, edited in place from cb_eval)
// checked against an independent computation: the trainer's TypeScript forward of the same GGUF,
// which edits its attention output before `attn_output`.
const path = sharedFile("models", "stories260K.gguf");
const prompt = "Lily was very sad. Lily was very";
const layer = 2;

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe("o_proj-input interventions on stories260K", {
  skip: path ? false : "shared/models not found",
}, () => {
  let model: LanguageModel;
  let internals: Internals;
  let ts: Transformer;
  let tokens: number[];
  let restore: (() => void) | undefined;

  before(async () => {
    // The engine's contexts keep K/V in F16, which moves logits by ~5e-3 against the F32 forward.
    // Contexts created in this process get an F32 cache instead, so the comparison is at float
    // precision (the edit itself does not depend on the cache type).
    const fn = getNativeLib().fn as Record<string, unknown>;
    const init = fn.llama_init_from_model as (m: unknown, p: Record<string, unknown>) => unknown;
    fn.llama_init_from_model = (m: unknown, p: Record<string, unknown>) => {
      p.type_k = 0;
      p.type_v = 0;
      return init(m, p);
    };
    restore = () => {
      fn.llama_init_from_model = init;
    };
    model = await loadLlamaCppModel({ modelPath: path!, gpu: false, contextSize: 256 });
    internals = requireInternals(model);
    ({ model: ts } = await loadTransformer(path!));
    tokens = await model.decoder!().tokenize(prompt);
  });
  after(async () => {
    await model?.close?.();
    restore?.();
  });

  async function tsLastLogits(hooks: Parameters<Transformer["forward"]>[1]): Promise<Float32Array> {
    const V = ts.config.vocabSize;
    const { logits } = await ts.forward(tokens, hooks);
    return Float32Array.from(logits.subarray((tokens.length - 1) * V));
  }

  for (const positions of ["last", "all"] as const) {
    test(`adding δ at the o_proj input (${positions} positions) equals the TS forward's edit`, async () => {
      const d = internals.nEmbd;
      const delta = Float32Array.from({ length: d }, (_, i) => Math.sin(i * 1.7 + 0.3));
      const edit = (h: ArrayLike<number> & { [i: number]: number }, info: { position: number }) => {
        if (positions === "all" || info.position === tokens.length - 1)
          for (let i = 0; i < d; i++) h[i]! += delta[i]!;
      };
      const intervention: Intervention = { layer, site: "o-proj-input", edit };
      const plain = await internals.logits(prompt);
      const steered = await internals.logits(prompt, { interventions: [intervention] });
      const tsPlain = await tsLastLogits({});
      const tsSteered = await tsLastLogits({ hooks: [{ layer, site: "o-proj-input", edit }] });
      // Measured: 7.6e-6 unsteered, 5.7e-6 steered, for an effect of 3.78 (last) / 6.88 (all).
      assert.ok(maxDiff(plain, tsPlain) < 1e-4, `unsteered ${maxDiff(plain, tsPlain)}`);
      assert.ok(maxDiff(steered, tsSteered) < 1e-4, `steered ${maxDiff(steered, tsSteered)}`);
      assert.ok(
        maxDiff(plain, steered) > 1,
        `the edit changed the logits by ${maxDiff(plain, steered)}`,
      );
      // The check can tell sites apart: the same δ one block later, or on the residual stream after
      // the block, gives other logits.
      const elsewhere = [
        await tsLastLogits({ hooks: [{ layer: layer + 1, site: "o-proj-input", edit }] }),
        await tsLastLogits({ hooks: [{ layer, site: "residual", edit }] }),
      ];
      for (const other of elsewhere) assert.ok(maxDiff(steered, other) > 0.1);
    });
  }

  test("captureHidden at the o_proj input equals the TS attention output", async () => {
    const captured = await internals.captureHidden(prompt, {
      layers: [layer, 4],
      positions: "all",
      rawPrompt: true,
      site: "o-proj-input",
    });
    const rows = new Map<number, Float64Array[]>([
      [layer, []],
      [4, []],
    ]);
    await ts.forward(tokens, {
      hooks: [layer, 4].map((l) => ({
        layer: l,
        site: "o-proj-input" as const,
        edit: (h: ArrayLike<number>, { position }: { position: number }) => {
          rows.get(l)![position] = Float64Array.from(h);
        },
      })),
    });
    for (const l of [layer, 4]) {
      const got = captured.states.get(l)!;
      assert.equal(got.length, tokens.length);
      got.forEach((row, p) => {
        assert.equal(row.length, internals.nEmbd);
        // Measured 1.2e-6 (values up to 1.2).
        assert.ok(maxDiff(row, rows.get(l)![p]!) < 1e-4, `layer ${l} position ${p}`);
      });
    }
    // The last block's o_proj input has every row (llama.cpp drops unused rows after attention).
    assert.notDeepEqual(captured.states.get(4)![0], captured.states.get(4)![1]);
  });

  test("an identity edit at the o_proj input leaves logits and generations bit-identical", async () => {
    const identity: Intervention = { layer, site: "o-proj-input", edit: () => {} };
    const plain = await internals.logits(prompt);
    const hooked = await internals.logits(prompt, { interventions: [identity] });
    assert.deepEqual(hooked, plain);
    const request = { prompt, maxTokens: 12, temperature: 0 };
    const a = await internals.generate(request);
    const b = await internals.generate({ ...request, interventions: [identity] });
    assert.equal(b.generations[0]!.text, a.generations[0]!.text);
  });

  test("an o_proj-input edit and a residual edit compose at their own sites", async () => {
    const d = internals.nEmbd;
    const v = Float32Array.from({ length: d }, (_, i) => 0.5 * Math.cos(i));
    const add = (h: ArrayLike<number> & { [i: number]: number }) => {
      for (let i = 0; i < d; i++) h[i]! += v[i]!;
    };
    const both = await internals.logits(prompt, {
      interventions: [
        { layer, site: "o-proj-input", edit: add },
        { layer: 1, edit: add },
      ],
    });
    const reference = await tsLastLogits({
      hooks: [
        { layer, site: "o-proj-input", edit: add },
        { layer: 1, edit: add },
      ],
    });
    assert.ok(maxDiff(both, reference) < 1e-4, `${maxDiff(both, reference)}`);
  });

  test("an unknown site is a ConfigError", async () => {
    await assert.rejects(
      internals.logits(prompt, {
        interventions: [{ layer, site: "attn" as never, edit: () => {} }],
      }),
      /unknown hook site "attn"/,
    );
  });
});

for (const architecture of ["llama", "qwen2"] as const) {
  test(`o_proj-input edits equal the TS forward's on a random ${architecture} GGUF (GQA)`, async () => {
    const dir = await mkdtemp(join(tmpdir(), "chorus-o-proj-"));
    const file = join(dir, `${architecture}.gguf`);
    const fn = getNativeLib().fn as Record<string, unknown>;
    const init = fn.llama_init_from_model as (m: unknown, p: Record<string, unknown>) => unknown;
    fn.llama_init_from_model = (m: unknown, p: Record<string, unknown>) =>
      init(m, { ...p, type_k: 0, type_v: 0 });
    let engine: LanguageModel | undefined;
    try {
      await writeRandomModel(file, {
        preset: "tiny",
        architecture,
        tiedEmbeddings: architecture === "qwen2",
        embeddingLength: 64,
        headCount: 4,
        headCountKv: 2,
        vocabSize: 300,
        std: 0.3,
        seed: 3,
      });
      engine = await loadLlamaCppModel({ modelPath: file, gpu: false, contextSize: 64 });
      const inner = requireInternals(engine);
      const { model: reference } = await loadTransformer(file);
      const text = "hello world, this is a test";
      const ids = await engine.decoder!().tokenize(text);
      const d = inner.nEmbd;
      const delta = Float32Array.from({ length: d }, (_, i) => 0.3 * Math.cos(i * 0.7));
      const edit = (h: ArrayLike<number> & { [i: number]: number }) => {
        for (let i = 0; i < d; i++) h[i]! += delta[i]!;
      };
      const at = inner.nLayers - 1;
      const plain = await inner.logits(text);
      const steered = await inner.logits(text, {
        interventions: [{ layer: at, site: "o-proj-input", edit }],
      });
      const V = reference.config.vocabSize;
      const { logits } = await reference.forward(ids, {
        hooks: [{ layer: at, site: "o-proj-input", edit }],
      });
      const expected = logits.subarray((ids.length - 1) * V);
      // Measured: effect 0.27 (llama) / 0.50 (qwen2), difference 7e-6 / 9e-6.
      assert.ok(maxDiff(plain, steered) > 0.1, `effect ${maxDiff(plain, steered)}`);
      assert.ok(maxDiff(steered, expected) < 1e-4, `diff ${maxDiff(steered, expected)}`);
    } finally {
      fn.llama_init_from_model = init;
      await engine?.close?.();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
