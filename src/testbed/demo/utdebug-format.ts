import type { DebugTask } from "../../methods/utgen/debug-task.ts";
import type { UtFormat } from "../../methods/utgen/ut-format.ts";
import type { ChatMessage } from "../../model/language-model.ts";

/**
 * UTGen and UTDebug in the Abacus world's words, for abacus-1m and its adapters (completion
 * prompts in the corpus's `Q: … A:` form; English would be byte sequences overflowing seqLen):
 * - UT (adversarial): `Q: spec : S . code : B . input :` → ` L . A: code : G . trace : … . output : O .`
 *   (random: without `code : B .`); the SC vote continues the answer after ` L .`;
 * - debugger: `Q: spec : S . code : C . input : L . code output : X . spec output : E . A:` → ` code : G .`;
 * - no failing test (and the no-UT debugger): `Q: spec : S . code : C . A:` → ` code : G .`.
 * A base model has no chat memory: a request is the last user turn, plus any prefill.
 */
export const progFormat: UtFormat = {
  unitTestPrompt: (task, code, kind) => [
    { role: "user", content: unitTestQuestion(task, kind === "random" ? undefined : code) },
  ],
  outputOnlyPrompt: (messages, prefix) => [
    { role: "user", content: `${lastUser(messages)}${prefix}` },
  ],
  debugChatStart: (task) => [
    { role: "user", content: rewriteQuestion(task, task.buggyCode) },
    { role: "assistant", content: ` code : ${task.buggyCode} .` },
  ],
  feedbackMessage: (task, code, test, actual) => ({
    role: "user",
    content: debugQuestion(task.description, code, test.input, actual, test.output),
  }),
  reviewMessage: (task, code) => ({ role: "user", content: rewriteQuestion(task, code) }),
  // an answer ends at the line's end; a base model would go on to the next `Q:`
  request: (messages, prefill) => ({
    prompt: `${lastUser(messages)}${prefill ?? ""}`,
    stop: ["\n", "Q:"],
  }),
  parseInput: (response) => firstSentence(response),
  parseOutput: (response) => {
    const at = response.lastIndexOf("output :");
    return at < 0 ? undefined : firstSentence(response.slice(at + "output :".length));
  },
  cutBeforeOutput: (response) => {
    const end = response.indexOf(" .");
    return end < 0 ? undefined : response.slice(0, end + 2);
  },
  extractCode: (reply) => {
    const at = reply.indexOf("code :");
    return firstSentence(at < 0 ? reply : reply.slice(at + "code :".length)) ?? "";
  },
};

/** The UT question: with `code`, aimed at its bug; without, any test of the spec. */
export function unitTestQuestion(task: Pick<DebugTask, "description">, code?: string): string {
  const shown = code === undefined ? "" : ` code : ${code} .`;
  return `Q: spec : ${task.description} .${shown} input :`;
}

/** The debugger's question: the code and its first failing test. */
export function debugQuestion(
  spec: string,
  code: string,
  input: string,
  actual: string,
  expected: string,
): string {
  return `Q: spec : ${spec} . code : ${code} . input : ${input} . code output : ${actual} . spec output : ${expected} . A:`;
}

/** The rewrite question without a test (the no-UT debugger's prompt). */
export function rewriteQuestion(task: Pick<DebugTask, "description">, code: string): string {
  return `Q: spec : ${task.description} . code : ${code} . A:`;
}

function lastUser(messages: readonly ChatMessage[]): string {
  return [...messages].reverse().find((m) => m.role === "user")?.content ?? "";
}

/** The text up to the first " ." (a sentence of the corpus), trimmed; undefined when empty. */
function firstSentence(text: string): string | undefined {
  const end = text.indexOf(" .");
  const sentence = (end < 0 ? text : text.slice(0, end)).trim();
  return sentence === "" ? undefined : sentence;
}
