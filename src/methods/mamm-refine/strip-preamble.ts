/**
 * Drops what models put around a revision despite being told not to: a lead-in line such as
 * "Here is the revised summary:" and wrapping quotes. Sentence-level metrics downstream would
 * otherwise count the lead-in as a sentence.
 */
export function stripPreamble(text: string): string {
  let out = text.trim();
  out = out.replace(
    /^(?:sure[,!.]?\s*)?(?:here(?:'s| is)[^\n:]*|(?:the\s+)?revised (?:summary|text|version|response))\s*:\s*/i,
    "",
  );
  const quoted = /^"([^"]*)"$/.exec(out.trim()) ?? /^“([^”]*)”$/.exec(out.trim());
  if (quoted) out = quoted[1]!;
  return out.trim();
}
