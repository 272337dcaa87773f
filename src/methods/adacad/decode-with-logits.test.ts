import assert from "node:assert/strict";
import { test } from "node:test";
import type { Decoder, DecoderStream } from "../../model/decoder.ts";
import { ConfigError } from "../../model/errors.ts";
import { decodeWithLogits } from "./decode-with-logits.ts";
import { PromptTooLongError } from "./prompt-too-long-error.ts";

const words = ["<s>", "</s>", "a", "b", "c", "ctx", "q"];

/**
 * An in-memory Decoder whose logits are a function of the token prefix: enough to pin the loop's
 * bookkeeping (lockstep pushes, stop rules, closing) without an engine.
 */
class TableDecoder implements Decoder {
  readonly vocabSize = words.length;
  readonly endTokens = [1];
  opened = 0;
  closed = 0;
  constructor(readonly table: (ids: readonly number[]) => number[]) {}
  async tokenize(text: string, options?: { addBos?: boolean }): Promise<number[]> {
    const ids = text
      .split(/\s+/)
      .filter(Boolean)
      .map((w) => words.indexOf(w));
    return options?.addBos ? [0, ...ids] : ids;
  }
  async detokenize(tokens: readonly number[]): Promise<string> {
    return tokens.map((t) => words[t]).join(" ");
  }
  tokenText(token: number): string {
    return words[token] ?? "?";
  }
  async open(prompt: string | readonly number[]): Promise<DecoderStream> {
    this.opened++;
    const tokens = typeof prompt === "string" ? await this.tokenize(prompt) : [...prompt];
    const table = this.table;
    const self = this;
    let current = Float32Array.from(table(tokens));
    return {
      tokens,
      logits: () => current,
      async push(token: number) {
        tokens.push(token);
        current = Float32Array.from(table(tokens));
        return current;
      },
      async close() {
        self.closed++;
      },
    };
  }
  async close(): Promise<void> {}
}

// Step 1 disagrees like spec row 2 (context prefers "b", prior strongly "a"); step 2 agrees on "c";
// step 3 both end.
function conflictTable(ids: readonly number[]): number[] {
  const hasContext = ids.includes(5);
  const generated = ids.slice(ids.indexOf(6) + 1);
  const v = [-50, -50, 0, 0, 0, -50, -50];
  if (generated.length === 0) {
    if (hasContext) [v[2], v[3], v[4]] = [2.2, 2.0, 0];
    else [v[2], v[3], v[4]] = [5, 0, 0];
  } else if (generated.length === 1) {
    [v[2], v[3], v[4]] = [0, 0, 6];
  } else {
    v[1] = 10;
  }
  return v;
}

test("AdaCAD follows the context where the streams conflict and records α per step", async () => {
  const decoder = new TableDecoder(conflictTable);
  const result = await decodeWithLogits(
    decoder,
    { contextPrompt: "ctx q", plainPrompt: "q" },
    { kind: "adacad" },
  );
  // Spec row 2: the context stream alone prefers "a"; AdaCAD picks "b".
  assert.deepEqual(result.tokens, [3, 4]);
  assert.deepEqual(
    result.steps.map((s) => s.contextArgmax),
    [2, 4],
  );
  assert.equal(result.text, "b c");
  assert.equal(result.finishReason, "stop");
  assert.equal(result.approximate, false);
  assert.ok(Math.abs(result.steps[0]!.alpha - 0.180789) < 1e-5);
  assert.ok(result.steps[1]!.alpha < 1e-9, "agreeing streams give α ≈ 0");
  assert.equal(decoder.closed, decoder.opened);
  assert.deepEqual(result.promptTokens, { context: 3, plain: 2 });
});

test("identical prompts give α ≡ 0 and exactly the greedy output", async () => {
  const decoder = new TableDecoder(conflictTable);
  const request = { contextPrompt: "ctx q", plainPrompt: "ctx q" };
  const ada = await decodeWithLogits(decoder, request, { kind: "adacad" });
  const greedy = await decodeWithLogits(decoder, request, { kind: "greedy" });
  assert.deepEqual(ada.tokens, greedy.tokens);
  assert.ok(ada.steps.every((s) => s.alpha === 0));
  assert.ok(greedy.steps.every((s) => Number.isNaN(s.jsd)));
});

test("CAD uses its fixed α, the floor lifts small α, maxTokens stops with length", async () => {
  const decoder = new TableDecoder(conflictTable);
  const request = { contextPrompt: "ctx q", plainPrompt: "q" };
  const cad = await decodeWithLogits(decoder, request, { kind: "cad", alpha: 1 });
  assert.deepEqual(
    cad.steps.map((s) => s.alpha),
    [1, 1],
  );
  const floored = await decodeWithLogits(decoder, request, { kind: "adacad", alphaFloor: 0.3 });
  assert.deepEqual(
    floored.steps.map((s) => s.alpha),
    [0.3, 0.3],
  );
  assert.ok(floored.steps[0]!.jsd < 0.3);
  const short = await decodeWithLogits(decoder, { ...request, maxTokens: 1 }, { kind: "adacad" });
  assert.equal(short.finishReason, "length");
  assert.equal(short.tokens.length, 1);
});

test("seeded nucleus sampling repeats itself", async () => {
  const decoder = new TableDecoder((ids) => {
    const v = [0, -50, 1, 1, 1, 0, 0];
    if (ids.length > 8) v[1] = 50;
    return v;
  });
  const request = { contextPrompt: "ctx q", plainPrompt: "q" };
  const a = await decodeWithLogits(decoder, request, { kind: "adacad", topP: 0.9, seed: 7 });
  const b = await decodeWithLogits(decoder, request, { kind: "adacad", topP: 0.9, seed: 7 });
  assert.deepEqual(a.tokens, b.tokens);
  assert.ok(a.tokens.length > 0);
});

test("over-long prompts are refused (skipped, as the reference does) and bad settings named", async () => {
  const decoder = new TableDecoder(conflictTable);
  await assert.rejects(
    decodeWithLogits(
      decoder,
      { contextPrompt: "ctx q", plainPrompt: "q", maxPromptTokens: 2 },
      { kind: "adacad" },
    ),
    PromptTooLongError,
  );
  await assert.rejects(
    decodeWithLogits(decoder, { contextPrompt: "q", plainPrompt: "q" }, { kind: "cad", alpha: -1 }),
    ConfigError,
  );
  await assert.rejects(
    decodeWithLogits(
      decoder,
      { contextPrompt: "q", plainPrompt: "q" },
      {
        kind: "adacad",
        alphaFloor: 2,
      },
    ),
    /alphaFloor/,
  );
});
