/** Which kind of context an AdaCAD demo item gives the model. */
export type ContextSet = "conflict" | "agreeing" | "context-only";

/**
 * One question asked with a grounding context, in the world's own wording. `gold` is the value
 * the context states (the right answer in every set); `memory` is the world's value, which a
 * model that ignores the context would say (equal to `gold` on agreeing items, absent for people
 * the model never saw).
 */
export interface ContextItem {
  id: string;
  set: ContextSet;
  context: string;
  question: string;
  /** Context + question, ending where the answer starts (the stream AdaCAD calls "with context"). */
  contextPrompt: string;
  /** The question alone, ending at the same slot (the model's prior). */
  plainPrompt: string;
  gold: string;
  memory?: string;
  /** How often the world's corpus stated this fact (0 for unseen people). */
  exposures: number;
}

/**
 * The answer phrase of a generation in the testbed worlds: the words before the first sentence
 * end (" ." or a newline), lower-cased, whitespace collapsed.
 */
export function answerPhrase(text: string): string {
  const line = text.split("\n")[0] ?? "";
  const cut = line.search(/\s\.(\s|$)|^\.(\s|$)/);
  return (cut >= 0 ? line.slice(0, cut) : line).trim().toLowerCase().replace(/\s+/g, " ");
}
