/** Abbreviations whose trailing period does not end a sentence. */
const abbreviations = new Set(
  [
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "inc",
    "ltd",
    "co",
    "corp",
    "gen",
    "gov",
    "sen",
    "rep",
    "lt",
    "col",
    "sgt",
    "capt",
    "no",
    "fig",
    "approx",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
  ].map((a) => `${a}.`),
);

/**
 * Splits prose into sentences for sentence-level detection: a boundary is `.`, `!` or `?` (plus
 * closing quotes/brackets) followed by whitespace and an upper-case letter, digit or opening
 * quote. Periods of known abbreviations, initials ("J. K.") and single-letter acronyms
 * ("U.S.") do not split. Newline-separated blocks always split. Returned sentences are trimmed.
 * @example splitSentences("Dr. Smith came. He left.") // ["Dr. Smith came.", "He left."]
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  for (const block of text.split(/\n\s*\n|\n/)) {
    let start = 0;
    const boundary = /[.!?]+["'”’)\]]*(?=\s+["'“‘([]?[\p{Lu}\p{N}])/gu;
    for (let m = boundary.exec(block); m !== null; m = boundary.exec(block)) {
      const end = m.index + m[0].length;
      const candidate = block.slice(start, end);
      const lastWord = /(\S+)$/.exec(candidate)?.[1]?.toLowerCase() ?? "";
      const bareWord = lastWord.replace(/^["'“‘([]+/, "");
      if (m[0].startsWith(".") && m[0].length === 1) {
        if (abbreviations.has(bareWord)) continue;
        // "J." or "U.S." — initials and dotted acronyms
        if (/^(\p{L}\.)+$/u.test(bareWord)) continue;
      }
      const sentence = candidate.trim();
      if (sentence !== "") sentences.push(sentence);
      start = end;
    }
    const rest = block.slice(start).trim();
    if (rest !== "") sentences.push(rest);
  }
  return sentences;
}
