import { porterStem } from "./porter-stemmer.ts";

/**
 * ROUGE's tokenisation: lowercase, anything but [a-z0-9] becomes a space, and (with stemming on)
 * tokens longer than three characters are Porter-stemmed.
 */
export function rougeTokens(text: string, stem = true): string[] {
  const tokens = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .split(" ")
    .filter((t) => t !== "");
  return stem ? tokens.map((t) => (t.length > 3 ? porterStem(t) : t)) : tokens;
}

function lcsLength(a: readonly string[], b: readonly string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 0; j < b.length; j++)
      current[j + 1] = x === b[j] ? previous[j]! + 1 : Math.max(previous[j + 1]!, current[j]!);
    previous = current;
  }
  return previous[b.length]!;
}

/** ROUGE-L (longest common subsequence) precision, recall and F1 of `prediction` against `reference`. */
export function rougeL(
  reference: string,
  prediction: string,
  options: { stem?: boolean } = {},
): { precision: number; recall: number; f1: number } {
  const ref = rougeTokens(reference, options.stem ?? true);
  const pred = rougeTokens(prediction, options.stem ?? true);
  if (ref.length === 0 || pred.length === 0) return { precision: 0, recall: 0, f1: 0 };
  const lcs = lcsLength(ref, pred);
  const precision = lcs / pred.length;
  const recall = lcs / ref.length;
  const f1 = lcs === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}
