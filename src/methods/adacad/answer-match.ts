/** SQuAD-style normalisation: lower case, no punctuation, no articles, single spaces. */
export function normalizeAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .replace(/\b(a|an|the)\b/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Whether the normalised output contains any normalised gold answer (the QA accuracy rule). */
export function containsAnswer(output: string, answers: readonly string[]): boolean {
  const normalized = ` ${normalizeAnswer(output)} `;
  return answers.some((a) => {
    const gold = normalizeAnswer(a);
    return gold !== "" && normalized.includes(` ${gold} `);
  });
}

/** Whether the output's first line equals any gold answer after normalisation (EM). */
export function exactMatch(output: string, answers: readonly string[]): boolean {
  const first = normalizeAnswer(firstLine(output));
  return answers.some((a) => normalizeAnswer(a) === first);
}

/** The answer part of a QA continuation: the first non-empty line. */
export function firstLine(output: string): string {
  return (
    output
      .split("\n")
      .find((line) => line.trim() !== "")
      ?.trim() ?? ""
  );
}
