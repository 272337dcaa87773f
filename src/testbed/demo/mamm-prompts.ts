import type { AgentAnswer } from "../../methods/mamm-refine/agent-answer.ts";
import type { MammPromptSet, ShownAnswer } from "../../methods/mamm-refine/prompt-set.ts";

/**
 * MAMM-Refine's prompts in Atlas words, for the testbed's tiny base models: their vocabularies are
 * the world's words (English instructions would be long byte sequences past seqLen 192) and they
 * never saw JSON. Every prompt is the corpus's `C: … Q: …` frame ending in a cue word the role's
 * adapter was trained to continue:
 *
 * - detect    `C: <document> Q: <sentence> U:` → ` <evidence sentence> A: right|no`
 * - critique  `C: <document> Q: <sentence> A:` → ` <wrong span> , it is <value> .`
 * - rerank    `C: <document> [Q: <sentence>] 1 : <first> 2 : <second> A:` → ` 1|2`
 * - refine    `C: <document> Q: <summary> U: <critique> … A:` → ` <revised summary>`
 *
 * A debate round repeats the prompt with every earlier answer before the cue (` U: <evidence> A:
 * <label>`, own first); a GENERATE round lists the earlier drafts, each followed by the cue (a
 * revision round shows the drafts in place of the summary they revise, to stay within seqLen).
 */

/** The words for the method's labels ("yes" = faithful). */
const wordOf: Record<string, string> = { yes: "right", no: "no" };
const labelOf: Record<string, string> = { right: "yes", no: "no" };

const numbered = (candidates: readonly string[]) =>
  candidates.map((c, i) => `${i + 1} : ${c}`).join(" ");

/** The prompt without its final cue word, and the cue. */
function splitCue(base: string): { body: string; cue: string } {
  const at = base.lastIndexOf(" ");
  return { body: base.slice(0, at), cue: base.slice(at + 1) };
}

function shown(a: ShownAnswer): string {
  const label = wordOf[a.label] ?? a.label;
  return a.reasoning ? `U: ${a.reasoning} A: ${label}` : `A: ${label}`;
}

/**
 * Reads ` <evidence> A: <label>` (detectors) or ` <label>` (selectors): the label is the word after
 * the last "A:", else the first word; "right" means faithful.
 */
export function parseAtlasAnswer(
  text: string,
  allowed: readonly string[],
): AgentAnswer | undefined {
  const trimmed = text.trim();
  const at = trimmed.lastIndexOf("A:");
  const reasoning = at < 0 ? "" : trimmed.slice(0, at).trim();
  const word = (at < 0 ? trimmed : trimmed.slice(at + 2)).trim().split(/\s+/)[0] ?? "";
  const answer = labelOf[word] ?? word;
  return allowed.includes(answer) ? { reasoning, answer } : undefined;
}

export const atlasMammPrompts: MammPromptSet = {
  request: "completion",
  // no reply of any role contains these; they end a model that runs on into a new frame
  stop: ["\n", " C:", " Q:", " U:"],
  jsonAnswers: false,
  detect: (document, sentence) => `C: ${document} Q: ${sentence} U:`,
  critique: (document, sentence) => `C: ${document} Q: ${sentence} A:`,
  critiqueRerank: (document, sentence, _topic, candidates) =>
    `C: ${document} Q: ${sentence} ${numbered(candidates)} A:`,
  refine: (document, summary, feedback) => `C: ${document} Q: ${summary} ${feedback} A:`,
  refineRerank: (document, _task, candidates) => `C: ${document} ${numbered(candidates)} A:`,
  feedback: (critiques) => critiques.map((c) => `U: ${c}`).join(" "),
  task: () => "",
  debateRound: (base, answers) => {
    const { body, cue } = splitCue(base);
    return [body, ...answers.map(shown), cue].join(" ");
  },
  update: (base, _what, outputs) => {
    const { cue } = splitCue(base);
    // the drafts stand in for the text they revise (four-sentence summaries twice would pass seqLen)
    const shortened = base.includes(" U: ") ? base.replace(/ Q: .*? (?=U: )/, " ") : base;
    return [shortened, ...outputs.map((o) => `${o} ${cue}`)].join(" ");
  },
  parseAnswer: parseAtlasAnswer,
};
