import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildCorpusVocab } from "../gguf/corpus-vocab.ts";
import { writeRandomModel } from "../gguf/random-model.ts";
import { spmVocabMetadata } from "../gguf/spm-vocab.ts";
import { planPretrain } from "../train/pretrain.ts";
import { loadTokenizer } from "../train/tokenizer.ts";
import { abacusConfig } from "./abacus/abacus-config.ts";
import { abacusCorpus } from "./abacus/abacus-corpus.ts";
import { abacusItems } from "./abacus/abacus-eval.ts";
import { digits } from "./abacus/digits.ts";
import { atlasConfig, atlasVariants } from "./atlas/atlas-config.ts";
import { atlasCorpus } from "./atlas/atlas-corpus.ts";
import { atlasEvalSets } from "./atlas/atlas-eval-sets.ts";
import { buildAtlasWorld } from "./atlas/atlas-world.ts";

const dir = await mkdtemp(join(tmpdir(), "chorus-world-tokenizer-"));
after(() => rm(dir, { recursive: true, force: true }));

/**
 * The design's tokenizer check: with the corpus vocabulary `chorus train pretrain` builds, every
 * word of the world's text is exactly one token through llama.cpp's tokenizer (which the trainer
 * uses too), and the vocabulary fits the planned size.
 */
async function checkOneTokenPerWord(
  name: string,
  corpus: string[],
  probes: string[],
  maxVocab: number,
): Promise<void> {
  const built = buildCorpusVocab(corpus);
  assert.equal(built.wordsInVocab, built.words, `${name}: every corpus word whole`);
  assert.ok(built.vocab.tokens.length <= maxVocab, `${name}: V = ${built.vocab.tokens.length}`);
  const path = join(dir, `${name}.gguf`);
  await writeRandomModel(path, {
    vocabSize: built.vocab.tokens.length,
    tokenizer: spmVocabMetadata(built.vocab),
  });
  const tok = await loadTokenizer(path);
  try {
    for (const text of [...corpus.slice(0, 300), ...probes]) {
      const pieces = tok.tokenize(text).map((id) => built.vocab.tokens[id]!);
      assert.deepEqual(
        pieces,
        text.split(" ").map((w) => `\u2581${w}`),
        `${name}: ${text}`,
      );
    }
  } finally {
    await tok.close();
  }
}

test("Atlas: one llama.cpp token per word for the corpus and every eval prompt; V ≤ 2048", async () => {
  const world = buildAtlasWorld(atlasConfig(atlasVariants.smoke!.config));
  const corpus = [...atlasCorpus(world)].map((d) => d.text);
  const probes: string[] = [];
  for (const set of Object.values(atlasEvalSets))
    for (const item of set.draw(world, 5, 10) as Array<Record<string, unknown>>)
      for (const field of ["contextPrompt", "plainPrompt", "prompt", "text"])
        if (typeof item[field] === "string") probes.push(item[field] as string);
  await checkOneTokenPerWord("atlas", corpus, probes, 2048);
});

test("Abacus: one llama.cpp token per digit and word; V ≤ 768", async () => {
  const corpus = [...abacusCorpus(abacusConfig({ tokens: 100_000 }))].map((d) => d.text);
  const probes = abacusItems(5, 5).map((i) => `${i.prompt} ${i.solution}`);
  // the design planned V = 512; the 256 byte tokens and the words' prefix chains need 572 (→ 768)
  await checkOneTokenPerWord("abacus", corpus, probes, 768);
});

test("Abacus numbers tokenize digit by digit in the trainer's tokenizer; no token holds two digits", async () => {
  // The vocabulary the build makes (planPretrain on the corpus): Abacus writes numbers with a
  // space between digits, so each digit is its own word and no multi-digit piece exists.
  const corpus = [...abacusCorpus(abacusConfig({ tokens: 100_000 }))].map((d, i) => ({
    record: d.text,
    line: i + 1,
  }));
  const plan = await planPretrain(corpus, {
    shape: {
      arch: "llama",
      layers: 1,
      dim: 8,
      heads: 2,
      kvHeads: 2,
      ffn: 8,
      seqLen: 320,
      tiedEmbeddings: true,
    },
  });
  const path = join(dir, "abacus-digits.gguf");
  await writeRandomModel(path, { vocabSize: plan.vocabSize, tokenizer: plan.tokenizer });
  const vocab = plan.tokenizer.find(([key]) => key === "tokenizer.ggml.tokens")![1] as {
    items: string[];
  };
  assert.deepEqual(
    vocab.items.filter((t) => !/^<.+>$/.test(t) && /\d\d/.test(t)),
    [],
    "no vocabulary piece holds two digits",
  );
  const tok = await loadTokenizer(path);
  try {
    const pieces = (text: string) => tok.tokenize(text).map((id) => vocab.items[id]!);
    for (const n of [0, 7, 47, 305, 1006, 98_765])
      assert.deepEqual(
        pieces(`Q: what is ${digits(n)} plus 1 ?`).slice(3, -3),
        [...String(n)].map((d) => `\u2581${d}`),
        `${n}`,
      );
    // a number written without spaces (never in the corpus) still splits into its digits
    assert.deepEqual(pieces("1006"), ["\u25811", "0", "0", "6"]);
  } finally {
    await tok.close();
  }
});
