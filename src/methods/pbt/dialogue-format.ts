import type { ChatMessage, GenerateRequest } from "../../model/language-model.ts";
import type { AgentIndex, Persona } from "./personas.ts";

/** A turn as the next speaker sees it. */
export interface SpokenTurn {
  agent: AgentIndex;
  text: string;
}

/** What a format needs to write the next turn. */
export interface TurnInput {
  question: string;
  persona: Persona;
  speaker: AgentIndex;
  /** The turns the speaker may see (empty for a blind first answer). */
  history: readonly SpokenTurn[];
  /** The speaker's own current answer (persuasion templates state it). */
  ownAnswer: string | null;
}

/**
 * The next turn: a request to the speaker's model, a text the format writes itself (the
 * transcript format's persuasion templates), or nothing (the turn cannot be written: the branch
 * stops, and `reason` says why).
 */
export type TurnPlan =
  | { kind: "generate"; request: GenerateRequest }
  | { kind: "text"; text: string }
  | { kind: "skip"; reason: string };

/** A prompt for a model: chat messages or raw text. */
export type DialoguePrompt = { messages: ChatMessage[] } | { prompt: string };

/**
 * How dialogues become model inputs. `chat`: instruction-tuned models, persona prompts as the
 * first user message, the speaker's turns as assistant messages. `transcript`: raw-text models
 * trained on `Q: … A: x . U: no , it is y . A: …` dialogues (the testbed's Atlas world).
 */
export interface DialogueFormat {
  readonly name: "chat" | "transcript";
  /** Sampling defaults for tree turns: max new tokens and stop strings. */
  readonly maxTokens: number;
  readonly stop: readonly string[];
  plan(input: TurnInput): TurnPlan;
  /** Strips role tags and a trailing incomplete sentence from a generated turn. */
  clean(text: string): string;
  /**
   * The responder's view of a history with the plain (standard) instruction: the prompt of
   * preference pairs and of evaluation items. It ends with the other agent's last turn.
   */
  prompt(question: string, history: readonly SpokenTurn[], speaker: AgentIndex): DialoguePrompt;
  /** What the evaluation's challenger says in "are you sure?" (one or more turns). */
  readonly challenge: readonly string[];
  /** Appends a generated reply as the speaker's turn (chosen/rejected completions). */
  completion(reply: string): string;
}

/**
 * The turns the speaker sees: the other agent's turns that came before the speaker's own first
 * turn are dropped, since both answered the question at once (both_do_first). The speaker's
 * view then alternates strictly: own answer, other's turn, own turn, ...
 */
export function visibleTurns(history: readonly SpokenTurn[], speaker: AgentIndex): SpokenTurn[] {
  const first = history.findIndex((t) => t.agent === speaker);
  return first < 0 ? [...history] : history.slice(first);
}

/** Cuts text after its last sentence end when more (an incomplete sentence) follows. */
export function cutIncompleteSentence(text: string): string {
  const t = text.trim();
  const last = Math.max(t.lastIndexOf(". "), t.lastIndexOf("! "), t.lastIndexOf("? "));
  if (/[.!?]["')\]]?$/.test(t) || last < 0) return t;
  return t.slice(0, last + 1);
}
