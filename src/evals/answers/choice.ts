/** Letters A, B, ... for `count` options. */
export function choiceLetters(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String.fromCharCode(65 + i));
}

/**
 * The chosen option letter in a multiple-choice response, or undefined.
 * Order of preference: the last "answer is (X)" / "answer: X"; the last `X)`-style letter; the
 * last standalone capital letter among the allowed ones. `allowed` defaults to A–J.
 */
export function extractChoice(
  text: string,
  allowed: readonly string[] = choiceLetters(10),
): string | undefined {
  const set = new Set(allowed);
  const pick = (re: RegExp): string | undefined => {
    let found: string | undefined;
    for (const m of text.matchAll(re)) if (m[1] && set.has(m[1])) found = m[1];
    return found;
  };
  return (
    pick(/answer\s*(?:is|:)?\s*:?\s*\*{0,2}\s*\\?\(?\\?(?:boxed\{)?\(?([A-Z])\b/gi) ??
    pick(/\(?([A-Z])\)/g) ??
    pick(/(?<![A-Za-z])([A-Z])(?![A-Za-z])/g)
  );
}

/** "A", "(A)", "A)", "A.", "A. some text" → "A"; otherwise undefined. */
export function letterOf(answer: string): string | undefined {
  const m = /^\s*\(?([A-Z])(?:\)|\.|:|\s|$)/.exec(answer.trim());
  return m?.[1];
}
