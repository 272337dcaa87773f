import { hashString } from "../../math/seeded-random.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { requireInternals } from "../../model/require-capability.ts";

/** Maps texts to vectors for cosine similarity. */
export interface Embedder {
  readonly name: string;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

const lexicalDims = 512;

/**
 * A deterministic lexical embedding (no model): hashed character trigrams of the padded text
 * plus whole words, L2-normalized. Near-duplicates ("organic chem" / "organic chemistry") land
 * close; synonyms without shared letters do not — the model embedder handles those.
 */
export const lexicalEmbedder: Embedder = {
  name: "lexical",
  async embed(texts) {
    return texts.map((text) => {
      const v = new Float32Array(lexicalDims);
      const clean = text.toLowerCase().trim();
      const padded = ` ${clean} `;
      for (let i = 0; i + 3 <= padded.length; i++)
        v[hashString(padded.slice(i, i + 3)) % lexicalDims]! += 1;
      for (const word of clean.split(/\s+/))
        if (word) v[hashString(`w:${word}`) % lexicalDims]! += 2;
      return normalize(v);
    });
  },
};

/**
 * Embeddings from a model with internals: the mean of the last layer's hidden states over the
 * text's tokens (the spec's all-MiniLM-L6-v2 is not available in-process; any model can stand in).
 */
export function modelEmbedder(model: LanguageModel): Embedder {
  const internals = requireInternals(model);
  return {
    name: `hidden:${model.id}`,
    async embed(texts) {
      const out: Float32Array[] = [];
      for (const text of texts) {
        const layer = internals.nLayers - 1;
        const hidden = await internals.captureHidden(text, {
          layers: [layer],
          positions: "all",
          rawPrompt: true,
        });
        const rows = hidden.states.get(layer) ?? [];
        const mean = new Float32Array(hidden.nEmbd);
        for (const row of rows)
          for (let i = 0; i < mean.length; i++) mean[i]! += row[i]! / rows.length;
        out.push(normalize(mean));
      }
      return out;
    },
  };
}

function normalize(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i]! /= norm;
  return v;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

/**
 * Each test keyword → its single nearest vocabulary keyword by cosine similarity (top-1; exact
 * matches map to themselves). Duplicates in the result are kept: a duplicated keyword counts twice
 * in routing, as in the official code.
 */
export async function mapKeywords(
  keywords: readonly (readonly string[])[],
  vocabulary: readonly string[],
  embedder: Embedder,
): Promise<string[][]> {
  if (vocabulary.length === 0) return keywords.map(() => []);
  const vocabSet = new Set(vocabulary);
  const unknown = [...new Set(keywords.flat().filter((k) => !vocabSet.has(k)))];
  const [vocabVectors, unknownVectors] = await Promise.all([
    unknown.length > 0 ? embedder.embed(vocabulary) : Promise.resolve([]),
    embedder.embed(unknown),
  ]);
  const nearest = new Map<string, string>();
  unknown.forEach((k, i) => {
    let best = 0;
    let bestScore = Number.NEGATIVE_INFINITY;
    vocabVectors.forEach((v, j) => {
      const score = cosine(unknownVectors[i]!, v);
      if (score > bestScore) {
        bestScore = score;
        best = j;
      }
    });
    nearest.set(k, vocabulary[best]!);
  });
  return keywords.map((words) => words.map((k) => (vocabSet.has(k) ? k : nearest.get(k)!)));
}
