/** The two prompts AdaCAD decodes from: with the grounding context, and without it. */
export interface ContextPromptPair {
  contextPrompt: string;
  plainPrompt: string;
}

/**
 * QA prompts for base models (no chat template): the context version puts the passage first and
 * asks to answer from it; the plain version asks the bare question. Both end on "Answer:" so the
 * two streams continue the same slot.
 */
export function qaPrompts(context: string, question: string): ContextPromptPair {
  const ask = `Question: ${question.trim()}\nAnswer:`;
  return {
    contextPrompt: `${context.trim()}\n\nAnswer the question below using only the passage above.\n${ask}`,
    plainPrompt: `Answer the question below.\n${ask}`,
  };
}

/**
 * Summarization prompts: the plain version keeps the instruction but drops the document, so its
 * distribution is the model's prior for a summary of nothing in particular.
 */
export function summaryPrompts(document: string): ContextPromptPair {
  const instruction = "Write a one-sentence summary of the article.\nSummary:";
  return {
    contextPrompt: `Article: ${document.trim()}\n\n${instruction}`,
    plainPrompt: instruction,
  };
}
