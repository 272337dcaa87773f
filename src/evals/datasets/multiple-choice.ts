import { choiceLetters } from "../answers/choice.ts";

/** The question with its options inline, one "(A) text" per line, as the methods' prompts expect. */
export function formatMultipleChoice(question: string, choices: readonly string[]): string {
  const letters = choiceLetters(choices.length);
  const options = choices.map((c, i) => `(${letters[i]}) ${c}`).join("\n");
  return `${question.trim()}\n\nThe options are:\n${options}`;
}
