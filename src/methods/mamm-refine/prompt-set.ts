import { type AgentAnswer, cleanReasoning, parseAgentAnswer } from "./agent-answer.ts";
import {
  critiquePrompt,
  critiqueRerankPrompt,
  debateInstruction,
  defaultTask,
  detectPrompt,
  refinePrompt,
  refineRerankPrompt,
  updateInstruction,
} from "./prompts.ts";

/** One earlier answer as a debate round shows it: the label in the viewer's frame and its reason. */
export interface ShownAnswer {
  label: string;
  reasoning: string;
}

/**
 * Everything MAMM-Refine says to its agents and how it reads their votes. The default
 * (`englishJsonPrompts`) is chorus's English instructions with JSON answers, for instruction-tuned
 * models; a base model that never learned either (a small domain model, a model with a word-level
 * vocabulary) gets its own set in its own words, with completion requests and its own answer
 * parser. The method's logic (debate, consensus by content, rerank, refine) is the same whatever
 * the set.
 */
export interface MammPromptSet {
  /** "chat": one user message the engine templates; "completion": the raw prompt text. */
  request: "chat" | "completion";
  /** Stop strings sent with every call (completion sets usually need them). */
  stop?: readonly string[];
  /** Whether votes are the JSON answer, so engines may constrain them to its schema. */
  jsonAnswers: boolean;
  detect(document: string, sentence: string): string;
  critique(document: string, sentence: string, topic?: string): string;
  critiqueRerank(
    document: string,
    sentence: string,
    topic: string | undefined,
    candidates: readonly string[],
  ): string;
  refine(document: string, summary: string, feedback: string, topic?: string): string;
  refineRerank(document: string, task: string, candidates: readonly string[]): string;
  /** The chosen critiques as the feedback REFINE gets. */
  feedback(critiques: readonly string[]): string;
  /** The instruction REFINE's reranker judges against (`input.task` overrides it). */
  task(topic: string | undefined): string;
  /** A debate round's prompt: the base prompt and every earlier answer, the viewer's own first. */
  debateRound(base: string, answers: readonly ShownAnswer[]): string;
  /** GENERATE framing: the writing prompt and all drafts of the last round, the writer's own first. */
  update(base: string, what: string, outputs: readonly string[]): string;
  /** Reads a vote; undefined when it does not parse (the call is retried). */
  parseAnswer(text: string, allowed: readonly string[]): AgentAnswer | undefined;
}

/** chorus's English prompts with `{"reasoning", "answer"}` JSON votes (the default). */
export const englishJsonPrompts: MammPromptSet = {
  request: "chat",
  jsonAnswers: true,
  detect: detectPrompt,
  critique: critiquePrompt,
  critiqueRerank: critiqueRerankPrompt,
  refine: refinePrompt,
  refineRerank: refineRerankPrompt,
  feedback: (critiques) => critiques.map((c, i) => `${i + 1}. ${c}`).join("\n"),
  task: defaultTask,
  debateRound: (base, answers) =>
    [
      base,
      debateInstruction,
      ...answers.map(
        (a, i) =>
          `Agent ${i + 1}'s answer:\n{"reasoning": ${JSON.stringify(cleanReasoning(a.reasoning))}, "answer": "${a.label}"}`,
      ),
    ].join("\n\n"),
  update: (base, what, outputs) => `${base}\n\n${updateInstruction(what, outputs)}`,
  parseAnswer: parseAgentAnswer,
};
