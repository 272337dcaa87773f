import { type SpmVocab, spmTokenType } from "./spm-vocab.ts";

const space = "\u2581";

/** A word-level SentencePiece vocabulary built from a corpus, and how much of the corpus it covers. */
export interface CorpusVocab {
  vocab: SpmVocab;
  /** Distinct words (SentencePiece pieces between whitespace) in the corpus. */
  words: number;
  /** Of those, the words that are exactly one token. */
  wordsInVocab: number;
  /** Tokens needed for every word to be one token (before rounding up). */
  neededSize: number;
}

/** Tokens every corpus vocabulary has before any piece: `<unk>`, `<s>`, `</s>` and 256 bytes. */
const fixedTokens = 3 + 256;

/**
 * The words of `text` as llama.cpp's SentencePiece tokenizer sees them: spaces become `▁`, the
 * text gets a leading `▁` (add_space_prefix), and a word is a `▁` plus the run of non-space
 * characters after it (punctuation stays attached: SPM has no pre-tokenizer, so "cat?" and
 * "cat ?" give the pieces `▁cat?` and `▁cat`,`▁?`). A word after a newline or tab has no `▁`.
 */
export function spmWords(text: string): string[] {
  return (space + text.replaceAll(" ", space)).match(/\u2581?[^\u2581\s]+/gu) ?? [];
}

/**
 * Builds a vocabulary in which every word of the corpus is exactly one token under llama.cpp's
 * SPM tokenizer. That tokenizer only merges adjacent symbols whose concatenation is a token
 * (highest score first), so each word comes with its whole prefix chain (`▁z`, `▁zo`, `▁zok`,
 * `▁zoka`), scored by length: the leftmost symbol of a word is always a prefix and merging it with
 * its right neighbour gives a longer prefix, so merging ends at the whole word. Pieces never hold
 * a `▁` after their first character, so merges never cross words. Every character of the corpus
 * is a token too, and the byte tokens `<0x00>`..`<0xFF>` cover any other text.
 *
 * `vocabSize` defaults to the needed size rounded up to a multiple of 256 (the spare tokens are
 * `<unused_N>`, which no text produces). When it is smaller than needed, the most frequent words
 * are kept whole (ties: first seen) and the others tokenize as their longest kept prefix plus
 * characters; below the size of the fixed tokens plus the corpus's characters it throws.
 */
export function buildCorpusVocab(
  texts: Iterable<string>,
  options: { vocabSize?: number } = {},
): CorpusVocab {
  const counts = new Map<string, number>();
  const chars = new Map<string, number>();
  for (const text of texts) {
    for (const ch of text) if (ch !== " ") chars.set(ch, (chars.get(ch) ?? 0) + 1);
    for (const w of spmWords(text)) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  chars.set(space, Number.POSITIVE_INFINITY); // a lone ▁ (double spaces, trailing space)
  const charList = [...chars.keys()];
  const base = fixedTokens + charList.length;
  const byFrequency = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([w]) => w);
  const chainOf = (w: string): string[] => {
    const cps = [...w];
    return cps.slice(1).map((_, i) => cps.slice(0, i + 2).join(""));
  };
  const allPieces = new Set<string>();
  for (const w of byFrequency) for (const p of chainOf(w)) allPieces.add(p);
  const neededSize = base + allPieces.size;
  const size = options.vocabSize ?? Math.ceil(neededSize / 256) * 256;
  if (!Number.isInteger(size) || size < base + 1) {
    throw new RangeError(
      `vocab size ${size} is too small for this corpus: it needs at least ${base + 1} tokens ` +
        `(${fixedTokens} special and byte tokens + ${charList.length} characters + 1) and ` +
        `${neededSize} for every word to be one token; raise the vocab size or leave it unset`,
    );
  }
  const pieces = new Set<string>();
  let wordsInVocab = 0;
  for (const w of byFrequency) {
    const missing = chainOf(w).filter((p) => !pieces.has(p));
    if (base + pieces.size + missing.length > size) continue;
    for (const p of missing) pieces.add(p);
    wordsInVocab++;
  }
  const tokens = ["<unk>", "<s>", "</s>"];
  const tokenTypes: number[] = [spmTokenType.unknown, spmTokenType.control, spmTokenType.control];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    tokenTypes.push(spmTokenType.byte);
  }
  const scores = tokens.map(() => 0);
  for (const piece of [...charList, ...pieces]) {
    tokens.push(piece);
    tokenTypes.push(spmTokenType.normal);
    scores.push([...piece].length);
  }
  for (let i = 0; tokens.length < size; i++) {
    tokens.push(`<unused_${i}>`);
    tokenTypes.push(spmTokenType.unused);
    scores.push(0);
  }
  return {
    vocab: { tokens, scores, tokenTypes, unk: 0, bos: 1, eos: 2 },
    words: counts.size,
    wordsInVocab,
    neededSize,
  };
}
