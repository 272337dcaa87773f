import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { loadTokenizer, type TrainTokenizer } from "../train/tokenizer.ts";
import { buildCorpusVocab, spmWords } from "./corpus-vocab.ts";
import { writeRandomModel } from "./random-model.ts";
import { spmVocabMetadata } from "./spm-vocab.ts";

const corpus = [
  "the pet of zoka ri is a cat .",
  "what is the pet of zoka ri ? a cat .",
  "is it a cat? yes, zoka ri said: «a cat»",
  "the home of mirel vash is in tolu.\nmirel vash lives in tolu .",
  "two  spaces and a trailing space ",
  "café zokaria zokari zo",
];

let dir: string;
let tok: TrainTokenizer;
let built: ReturnType<typeof buildCorpusVocab>;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "chorus-corpus-vocab-"));
  built = buildCorpusVocab(corpus);
  const path = join(dir, "vocab.gguf");
  await writeRandomModel(path, {
    vocabSize: built.vocab.tokens.length,
    tokenizer: spmVocabMetadata(built.vocab),
  });
  tok = await loadTokenizer(path);
});
after(async () => {
  await tok?.close();
  await rm(dir, { recursive: true, force: true });
});

test("spmWords splits as SentencePiece does: ▁ + the run up to the next space; punctuation attached", () => {
  assert.deepEqual(spmWords("is it a cat ?"), ["▁is", "▁it", "▁a", "▁cat", "▁?"]);
  assert.deepEqual(spmWords("a cat?\nyes"), ["▁a", "▁cat?", "yes"]);
});

test("llama.cpp tokenizes every corpus word as exactly one token, in context and alone", () => {
  assert.equal(built.wordsInVocab, built.words);
  assert.equal(built.vocab.tokens.length % 256, 0);
  for (const text of corpus) {
    const ids = tok.tokenize(text);
    const pieces = ids.map((id) => built.vocab.tokens[id]);
    const words = spmWords(text);
    // every word is one token; whitespace other than spaces (\n) and lone ▁ are their own tokens
    assert.deepEqual(
      pieces.filter((p) => !/^[\s\u2581]$/u.test(p!)),
      words,
      `tokenization of ${JSON.stringify(text)}`,
    );
    assert.equal(tok.detokenize(ids).trimStart(), text.trimStart());
  }
  for (const word of new Set(corpus.flatMap(spmWords))) {
    const alone = word.startsWith("▁") ? word.slice(1) : `\n${word}`;
    const pieces = tok.tokenize(alone).map((id) => built.vocab.tokens[id]);
    assert.deepEqual(pieces.slice(word.startsWith("▁") ? 0 : 2), [word]);
  }
  // "?" after a space is its own word ▁?; attached it stays part of the word
  assert.deepEqual(
    tok.tokenize("a cat ? a cat?").map((id) => built.vocab.tokens[id]),
    ["▁a", "▁cat", "▁?", "▁a", "▁cat?"],
  );
});

test("text outside the corpus falls back to known pieces and bytes, and round-trips", () => {
  const text = "zokab 世界 Ω!";
  const ids = tok.tokenize(text);
  const pieces = ids.map((id) => built.vocab.tokens[id]!);
  assert.ok(pieces.includes("▁zoka"), pieces.join(" ")); // the longest known prefix of "zokab"
  assert.ok(
    pieces.some((p) => /^<0x[0-9A-F]{2}>$/.test(p)),
    pieces.join(" "),
  );
  assert.ok(!ids.includes(built.vocab.unk));
  assert.equal(tok.detokenize(ids).trimStart(), text);
});

test("a vocabulary smaller than needed keeps the most frequent words whole", () => {
  const texts = ["aa bb aa cc aa bb", "dddd"];
  const full = buildCorpusVocab(texts);
  const minimum = 3 + 256 + 5; // specials, bytes, characters a b c d ▁
  assert.equal(full.neededSize, minimum + 10); // ▁a ▁aa ▁b ▁bb ▁c ▁cc ▁d ▁dd ▁ddd ▁dddd
  const cut = buildCorpusVocab(texts, { vocabSize: minimum + 4 });
  assert.equal(cut.vocab.tokens.length, minimum + 4);
  assert.equal(cut.wordsInVocab, 2); // ▁aa (3×) and ▁bb (2×) fit; ▁cc and ▁dddd need more pieces
  assert.ok(cut.vocab.tokens.includes("▁aa") && cut.vocab.tokens.includes("▁bb"));
  assert.throws(
    () => buildCorpusVocab(texts, { vocabSize: minimum }),
    /vocab size 264 is too small for this corpus: it needs at least 265 tokens/,
  );
});
