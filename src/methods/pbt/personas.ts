/**
 * The agents' personas (spec 3.1). The chat wording is written here from the spec's description
 * of the official prompts; the transcript format (the testbed's raw-text models) marks the same
 * personas with the corpus's tags and templates instead (transcript-format.ts).
 */
export type Persona =
  | "resistant"
  | "acceptant"
  | "logical"
  | "emotional"
  | "credibility"
  | "standard";

/** Agent 0 (A) answers first and persuades; agent 1 (B) answers blind, then resists or accepts. */
export type AgentIndex = 0 | 1;

/** P0 and P1 of the official code: the children of a turn by agent i take the personas of list i. */
export const personaLists: readonly [readonly Persona[], readonly Persona[]] = [
  ["resistant", "acceptant"],
  ["logical", "emotional", "credibility"],
];

/** The instruction every persona starts with. */
export const baseInstruction =
  "Answer the trivia question to the best of your ability. Say how confident you are and why, " +
  "in one or two sentences. Stay on topic and do not ask new questions.";

const personaLines: Record<Persona, string> = {
  standard: "",
  resistant:
    "You always disagree with the other agent and never change your answer, whatever they say.",
  acceptant:
    "Agree with the other agent whenever you can: they are an expert and are always right.",
  logical:
    "If you disagree with the other agent, persuade them with logical reasons that their answer is wrong and yours is right.",
  emotional:
    "If you disagree with the other agent, persuade them with emotional appeals that their answer is wrong and yours is right.",
  credibility:
    "If you disagree with the other agent, persuade them by citing your credentials and expertise that their answer is wrong and yours is right.",
};

/** The first user message of a chat agent with this persona. */
export function personaPrompt(persona: Persona, question: string): string {
  const line = personaLines[persona];
  return `${baseInstruction}${line ? ` ${line}` : ""}\n\nQuestion: ${question}`;
}
