import type { ChatMessage, GenerateRequest } from "../../model/language-model.ts";
import type { DebugTask } from "./debug-task.ts";
import {
  cutBeforeOutput,
  extractCode,
  parseInputText,
  parseOutputText,
} from "./parse-unit-test.ts";
import {
  debugChatStart,
  feedbackMessage,
  outputOnlyPrompt,
  reviewMessage,
  type UtPromptKind,
  unitTestPrompt,
} from "./prompts.ts";

/**
 * How UTGen and UTDebug talk to their models: the prompts they send and how they read the
 * replies. The default (`chatFormat`) is the paper's: chat prompts in English with Markdown
 * sections and code fences (spec 3.2, 3.5). A base model that never saw a chat or English (e.g.
 * a tiny model of a synthetic world) needs its own words and a raw completion prompt: pass a
 * format built for it (`utDebug(..., { format })`, `intrinsicEval(..., { format })`).
 */
export interface UtFormat {
  /** The UT-generation chat for `code`: aimed at its bug ("adversarial") or any test ("random"). */
  unitTestPrompt(task: DebugTask, code: string, kind: UtPromptKind): ChatMessage[];
  /** SC in "user" mode: the partial UT answer restated, asking for the output only. */
  outputOnlyPrompt(messages: readonly ChatMessage[], prefix: string): ChatMessage[];
  /** The opening of the debugging chat (the buggy code as the model's answer). */
  debugChatStart(task: DebugTask): ChatMessage[];
  /** Feedback on the first failing UT of `code`. */
  feedbackMessage(
    task: DebugTask,
    code: string,
    test: { input: string; output: string },
    actual: string,
  ): ChatMessage;
  /** A round with no failing UT to show: ask for a checked rewrite of `code`. */
  reviewMessage(task: DebugTask, code: string): ChatMessage;
  /**
   * A chat (and optionally the start of the assistant's answer) as a generation request; a
   * format whose answers end at a known text may add `stop`.
   */
  request(
    messages: readonly ChatMessage[],
    prefill?: string,
  ): Pick<GenerateRequest, "messages" | "prompt" | "prefill" | "stop">;
  /** The call arguments in a UT response, or undefined. */
  parseInput(response: string, entryPoint: string): string | undefined;
  /** The expected-output literal in a UT response, or undefined. */
  parseOutput(response: string): string | undefined;
  /** A UT response up to its output section (what the SC samples continue), or undefined. */
  cutBeforeOutput(response: string): string | undefined;
  /** The code in a debugger reply. */
  extractCode(reply: string): string;
}

/** The paper's chat prompts and Markdown parsing (the default). */
export const chatFormat: UtFormat = {
  unitTestPrompt,
  outputOnlyPrompt,
  debugChatStart,
  feedbackMessage: (task, _code, test, actual) =>
    feedbackMessage(task.entryPoint, test, actual, task.language),
  reviewMessage: (task) => reviewMessage(task.language),
  request: (messages, prefill) => ({
    messages: [...messages],
    ...(prefill === undefined ? {} : { prefill }),
  }),
  parseInput: parseInputText,
  parseOutput: parseOutputText,
  cutBeforeOutput,
  extractCode,
};
