import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildCorpusVocab } from "../gguf/corpus-vocab.ts";
import { writeRandomModel } from "../gguf/random-model.ts";
import { spmVocabMetadata } from "../gguf/spm-vocab.ts";
import { loadTokenizer } from "../train/tokenizer.ts";
import { abacusConfig } from "./abacus/abacus-config.ts";
import { abacusCorpus } from "./abacus/abacus-corpus.ts";
import { abacusItems } from "./abacus/abacus-eval.ts";
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
