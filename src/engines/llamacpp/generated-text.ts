/** What both the node-llama-cpp model and the FFI model offer. */
interface Detokenizer {
  detokenize(tokens: readonly never[]): string;
}

/**
 * The text of generated tokens as it reads after the prompt. Detokenized alone, a SentencePiece
 * model's first piece loses its leading space (" nurse" → "nurse"), so the text no longer
 * continues the prompt: re-scored or trained after the prompt it tokenizes into other, far less
 * likely pieces (atlas-1m: −70 instead of −0.7 nats). Detokenized after the prompt's last tokens,
 * minus their text, it keeps the space, as vLLM's incremental detokenizer does.
 */
export function generatedText(
  model: Detokenizer,
  tokens: readonly number[],
  prompt: readonly number[],
): string {
  const detokenize = (ids: readonly number[]) => model.detokenize(ids as readonly never[]);
  const context = prompt.slice(-4);
  if (tokens.length > 0 && context.length > 0) {
    const contextText = detokenize(context);
    const joint = detokenize([...context, ...tokens]);
    // A context that renders as nothing or is rewritten by what follows gives no safe cut.
    if (contextText !== "" && joint.startsWith(contextText)) return joint.slice(contextText.length);
  }
  return detokenize(tokens);
}
