import {
  type DialogueFormat,
  type SpokenTurn,
  type TurnInput,
  type TurnPlan,
  visibleTurns,
} from "./dialogue-format.ts";
import type { AgentIndex, Persona } from "./personas.ts";

/** Persona tags the Atlas corpus's dialogues open with ([stubborn] keeps, [agreeable] switches). */
const tags: Partial<Record<Persona, string>> = {
  resistant: "[stubborn] ",
  acceptant: "[agreeable] ",
};

/**
 * Persuasion turns as templates stating the persuader's own answer (testbed design §5: a tiny
 * model cannot argue in natural language, so the three styles are three wordings).
 */
const persuasion: Partial<Record<Persona, (answer: string) => string>> = {
  logical: (a) => `no , it is ${a} .`,
  credibility: (a) => `i think it is ${a} .`,
  emotional: (a) => `no , no , it is ${a} .`,
};

function transcript(question: string, history: readonly SpokenTurn[], speaker: AgentIndex): string {
  const turns = visibleTurns(history, speaker);
  const parts = [`Q: ${question.trim()}`];
  for (const t of turns) parts.push(`${t.agent === speaker ? "A:" : "U:"} ${t.text}`);
  return `${parts.join(" ")} A:`;
}

/**
 * Raw-text models that learnt dialogues as `Q: … A: x . U: no , it is y . A: …` (the testbed's
 * Atlas world): the speaker's turns are `A:`, the other agent's `U:`; a turn ends at its " .".
 */
export const transcriptFormat: DialogueFormat = {
  name: "transcript",
  maxTokens: 16,
  stop: [" U:", " Q:", " A:", " C:", "\n"],
  challenge: ["no ."],
  plan(input: TurnInput): TurnPlan {
    // A persuader's first turn (nobody to persuade yet) is an answer like any other.
    const template = input.history.length > 0 ? persuasion[input.persona] : undefined;
    if (template) {
      if (input.ownAnswer === null || /^(agree|disagree|none)$/i.test(input.ownAnswer))
        return { kind: "skip", reason: "the persuader has no answer of its own to state" };
      return { kind: "text", text: template(input.ownAnswer) };
    }
    const prompt = `${tags[input.persona] ?? ""}${transcript(input.question, input.history, input.speaker)}`;
    return { kind: "generate", request: { prompt } };
  },
  clean(text: string): string {
    const t = text.trim();
    // A reply that opens with a speaker marker is the model writing someone else's turn.
    if (/^(?:Q|A|U|C):/.test(t)) return "";
    const end = t.indexOf(" .");
    return end < 0 ? t : t.slice(0, end + 2);
  },
  prompt(question, history, speaker) {
    return { prompt: transcript(question, history, speaker) };
  },
  completion: (reply) => ` ${reply}`,
};
