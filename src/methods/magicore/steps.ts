/**
 * Splits a solution into steps: one step per "Step i:" paragraph (any i, unlike the official
 * normalizer that only knew Step 2–9 and merged later steps into their predecessor). Text before
 * the first header is its own step. Without any header beyond the first, blank-line separated
 * paragraphs are the steps.
 */
export function splitSteps(solution: string): string[] {
  const text = solution.trim();
  if (text === "") return [];
  const byHeader = text
    .split(/(?=^[ \t]*Step\s+\d+\s*[:.])/im)
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (byHeader.length > 1) return byHeader;
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return paragraphs.length > 0 ? paragraphs : [text];
}

/**
 * Python's `round(x, 1)`: exact binary ties (x.25, x.75) go to the even tenth, every other value
 * to the nearest tenth of its exact binary value (which `toFixed` computes).
 */
export function pythonRoundTenth(x: number): number {
  const isTie = Number.isInteger(x * 4) && !Number.isInteger(x * 2);
  if (!isTie) return Number(x.toFixed(1));
  const down = Math.floor(x * 10) / 10;
  const up = Math.ceil(x * 10) / 10;
  return Math.round(down * 10) % 2 === 0 ? down : up;
}

/** The "n/10" a step probability renders as: int(round(p, 1) × 10), as the official code. */
export function stepScoreOutOfTen(probability: number): number {
  return Math.trunc(pythonRoundTenth(probability) * 10);
}

/** The solution with "(Score: n/10)" after each step, steps separated by blank lines. */
export function renderScoredSolution(steps: readonly string[], scores: readonly number[]): string {
  return steps
    .map((step, i) => {
      const p = scores[i];
      return p === undefined ? step : `${step} (Score: ${stepScoreOutOfTen(p)}/10)`;
    })
    .join("\n\n");
}
