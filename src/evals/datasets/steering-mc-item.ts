/** A multiple-choice item scored by log-likelihood: `prompt` followed by each choice. */
export interface ChoiceItem {
  id: string;
  prompt: string;
  choices: string[];
  /** Indices of the correct choices (MC1/BBQ: one). */
  correct: number[];
}
