import assert from "node:assert/strict";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { NativeModel } from "../engines/llamacpp/ffi/native-model.ts";
import { writeRandomModel } from "../gguf/random-model.ts";
import { parseSftRecords, tokenizeSft } from "./data.ts";
import { loadTokenizer } from "./tokenizer.ts";

const dir = await mkdtemp(join(tmpdir(), "chorus-tokenizer-"));
after(() => rm(dir, { recursive: true, force: true }));
const chatml = join(dir, "chatml.gguf");
await writeRandomModel(chatml, { chatml: true });

test("loading the tokenizer reads the vocabulary, not the weights", async () => {
  const big = join(dir, "big.gguf");
  await writeRandomModel(big, {
    embeddingLength: 512,
    blockCount: 2,
    feedForwardLength: 2048,
    headCount: 8,
    headCountKv: 8,
    type: "Q8_0",
  });
  const size = (await stat(big)).size;
  // Warm up the runtime (its own allocations are not the point here).
  await (await loadTokenizer(chatml)).close();
  const before = process.memoryUsage().rss;
  const tok = await loadTokenizer(big);
  const grown = process.memoryUsage().rss - before;
  try {
    assert.ok(
      grown < size / 3,
      `loading the tokenizer grew memory by ${grown} B; weights are ${size} B`,
    );
    assert.ok(tok.tokenize("hello world").length > 0);
  } finally {
    await tok.close();
  }
});

test("instruct vocab: EOS and end-of-turn are told apart, and chat examples end with the turn's end", async () => {
  const tok = await loadTokenizer(chatml);
  const vocab = NativeModel.load(chatml, [], { vocabOnly: true });
  try {
    assert.equal(vocab.tokenText(tok.eot!), "<|im_end|>");
    assert.notEqual(tok.eos, tok.eot);
    assert.ok(tok.endTokens.includes(tok.eot!) && tok.endTokens.includes(tok.eos!));
    const rows = parseSftRecords([
      {
        record: {
          messages: [
            { role: "user", content: "hi" },
            { role: "assistant", content: "hello there" },
          ],
        },
        line: 1,
      },
    ]);
    const [e] = await tokenizeSft(tok, rows, { maxLength: 64 });
    assert.equal(e!.tokens.at(-1), tok.eot);
    assert.equal(
      e!.tokens.filter((t) => t === tok.eot).length,
      2,
      "user turn's end and the reply's",
    );
    assert.match(tok.detokenize(e!.tokens.slice(e!.start)), /^\s*hello there\s*$/);
    const [bare] = await tokenizeSft(tok, rows, { maxLength: 64, appendEos: false });
    assert.notEqual(bare!.tokens.at(-1), tok.eot);
  } finally {
    vocab.close();
    await tok.close();
  }
});
