/**
 * Every prompt of MAMM-Refine, written for chorus (paraphrasing the roles described in the spec,
 * not the reference's wording). Each stage's prompt is a pure function of its inputs so tests can
 * check what an agent saw.
 */

const answerFormat = (labels: string) =>
  `Reply with only a JSON object of the form {"reasoning": "<your reason, at most 50 words>", "answer": "<${labels}>"}.`;

const topicPhrase = (topic: string | undefined) =>
  topic ? ` with a focus on the topic "${topic}"` : "";

/** DETECT: one sentence judged against the whole document, in isolation. */
export function detectPrompt(document: string, sentence: string): string {
  return [
    `Document:\n${document}`,
    `Sentence:\n${sentence}`,
    "Is the sentence factually consistent with the document? It is consistent only when everything it says is stated in the document or follows from it. Explain briefly.",
    answerFormat("yes or no"),
  ].join("\n\n");
}

/** The instruction shared by the critique generator and the critique reranker. */
function critiqueTask(document: string, sentence: string, topic: string | undefined): string {
  return [
    `I wrote a summary of the following document${topicPhrase(topic)}.`,
    `Document:\n${document}`,
    `Summary:\n${sentence}`,
    'The summary contains at least one piece of information that the document does not support. Find the unsupported span, explain why the document does not back it, write the span on its own line as "The error span: <span>", and end with a concrete suggestion for fixing it.',
  ].join("\n\n");
}

/** CRITIQUE generation: the slot called "summary" holds only the flagged sentence. */
export function critiquePrompt(document: string, sentence: string, topic?: string): string {
  return critiqueTask(document, sentence, topic);
}

/** CRITIQUE rerank: the task, then the candidates as numbered responses. */
export function critiqueRerankPrompt(
  document: string,
  sentence: string,
  topic: string | undefined,
  candidates: readonly string[],
): string {
  return [
    critiqueTask(document, sentence, topic),
    responses(candidates),
    `Which response identifies the unsupported span best and gives a usable fix? Explain briefly.`,
    answerFormat(labelList(candidates.length)),
  ].join("\n\n");
}

/** REFINE generation: the whole text, the numbered feedback, minimal edits, no preamble. */
export function refinePrompt(
  document: string,
  summary: string,
  feedback: string,
  topic?: string,
): string {
  return [
    `I wrote a summary of the following document${topicPhrase(topic)}.`,
    `Document:\n${document}`,
    `Summary:\n${summary}`,
    `Feedback on factual errors in the summary:\n${feedback}`,
    "Revise the summary so that none of the errors in the feedback remain. Change as little as possible and keep everything else as it is. Reply with the revised summary only, with no introduction or comment.",
  ].join("\n\n");
}

/** REFINE rerank: the original task, then the candidate revisions. */
export function refineRerankPrompt(
  document: string,
  task: string,
  candidates: readonly string[],
): string {
  return [
    `Document:\n${document}`,
    `Task: ${task}`,
    responses(candidates),
    "Which response has the fewest factual inconsistencies with the document? Every piece of information in a response must be supported by the document. Explain briefly.",
    answerFormat(labelList(candidates.length)),
  ].join("\n\n");
}

/** The default task instruction the refine reranker judges against. */
export function defaultTask(topic: string | undefined): string {
  return `Summarize the document${topicPhrase(topic)}.`;
}

/** Appended in debate rounds before the list of previous answers. */
export const debateInstruction =
  "Other agents answered the same question. The first answer below is your own previous answer; the others are theirs. Use them as additional information: review their reasoning carefully, then give your own answer with its reasoning in the same JSON form.";

/** GENERATE framing: appended with the agents' previous outputs (own first). */
export function updateInstruction(what: string, outputs: readonly string[]): string {
  const listed = outputs.map((o, i) => `Agent ${i + 1}'s ${what}:\n${o}`).join("\n\n");
  return `Other agents wrote their own ${what} for the same task. The first one below is yours.\n\n${listed}\n\nUse them as additional information and write an improved ${what} of your own, in the same form as asked above.`;
}

function responses(candidates: readonly string[]): string {
  return candidates.map((c, i) => `Response ${i + 1}:\n${c}`).join("\n\n");
}

function labelList(n: number): string {
  const labels = Array.from({ length: n }, (_, i) => String(i + 1));
  return n === 2 ? "1 or 2" : `one of ${labels.join(", ")}`;
}
