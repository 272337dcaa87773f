/** One run of a diff: tokens kept, removed (only in the old text) or added (only in the new). */
export interface DiffPart {
  kind: "same" | "removed" | "added";
  text: string;
}

/** Past this many old × new tokens the diff gives up on alignment (whole old out, new in). */
const maxCells = 4_000_000;

/**
 * A longest-common-subsequence diff of two token lists (words of a refined summary, lines of
 * code), adjacent parts of one kind merged. `join` goes between tokens inside a part.
 */
export function diffTokens(
  before: readonly string[],
  after: readonly string[],
  join: string,
): DiffPart[] {
  const n = before.length;
  const m = after.length;
  const parts: DiffPart[] = [];
  const push = (kind: DiffPart["kind"], token: string) => {
    const last = parts.at(-1);
    if (last?.kind === kind) last.text += join + token;
    else parts.push({ kind, text: token });
  };
  if (n * m > maxCells) {
    for (const t of before) push("removed", t);
    for (const t of after) push("added", t);
    return parts;
  }
  // lcs[i][j]: the LCS length of before[i:] and after[j:], one flat array
  const lcs = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[at(i, j)] =
        before[i] === after[j]
          ? lcs[at(i + 1, j + 1)]! + 1
          : Math.max(lcs[at(i + 1, j)]!, lcs[at(i, j + 1)]!);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (before[i] === after[j]) {
      push("same", before[i]!);
      i++;
      j++;
    } else if (lcs[at(i + 1, j)]! >= lcs[at(i, j + 1)]!) push("removed", before[i++]!);
    else push("added", after[j++]!);
  }
  while (i < n) push("removed", before[i++]!);
  while (j < m) push("added", after[j++]!);
  return parts;
}

/** Word diff (whitespace-separated) of two texts. */
export const diffWords = (before: string, after: string): DiffPart[] =>
  diffTokens(before.split(/\s+/).filter(Boolean), after.split(/\s+/).filter(Boolean), " ");

/** Line diff of two texts (code). */
export const diffLines = (before: string, after: string): DiffPart[] =>
  diffTokens(before.split("\n"), after.split("\n"), "\n");
