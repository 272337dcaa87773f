import type { ChatMessage } from "../../model/language-model.ts";
import {
  cutIncompleteSentence,
  type DialogueFormat,
  type SpokenTurn,
  type TurnInput,
  type TurnPlan,
  visibleTurns,
} from "./dialogue-format.ts";
import { type AgentIndex, type Persona, personaPrompt } from "./personas.ts";

const roleTag = /^\s*(?:\[\/?INST\]|<\/?s>|(?:assistant|user|agent [ab12]|a|b)\s*:)\s*/i;

/** The speaker's messages: its persona prompt, then the visible turns, strictly alternating. */
function messagesFor(
  question: string,
  persona: Persona,
  history: readonly SpokenTurn[],
  speaker: AgentIndex,
): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: "user", content: personaPrompt(persona, question) }];
  for (const turn of visibleTurns(history, speaker)) {
    const role = turn.agent === speaker ? "assistant" : "user";
    const last = messages[messages.length - 1]!;
    // A turn of the same role as the one before (the other agent's turn right after the
    // instruction) joins it, so templates that demand alternation accept the list.
    if (last.role === role) last.content += `\n\n${turn.text}`;
    else messages.push({ role, content: turn.text });
  }
  return messages;
}

/** Instruction-tuned chat models: persona prompts, OpenAI-style message lists. */
export const chatFormat: DialogueFormat = {
  name: "chat",
  maxTokens: 80,
  stop: [],
  challenge: ["I don't think so. Are you sure?", "Ok, so what's your final answer?"],
  plan(input: TurnInput): TurnPlan {
    return {
      kind: "generate",
      request: {
        messages: messagesFor(input.question, input.persona, input.history, input.speaker),
      },
    };
  },
  clean(text: string): string {
    let t = text.trim();
    while (roleTag.test(t)) t = t.replace(roleTag, "");
    return cutIncompleteSentence(t);
  },
  prompt(question, history, speaker) {
    return { messages: messagesFor(question, "standard", history, speaker) };
  },
  completion: (reply) => reply,
};
