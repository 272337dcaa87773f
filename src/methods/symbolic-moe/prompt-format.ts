import type { AnswerType } from "../../evals/answers/extract-answer.ts";
import type { ChatMessage } from "../../model/language-model.ts";
import { keywordMessages } from "./keywords.ts";
import {
  aggregatorMessages,
  benchmarkMessages,
  expertMessages,
  stripReasoning,
} from "./prompts.ts";

/**
 * How the pipeline talks to its models: `chat` (the paper's instruction prompts, chat-templated
 * by the engine) or `completion` (`Q: … A:` text for base models that never learned to follow
 * instructions: the experts continue the answer, the annotator continues `Keywords:`).
 */
export type MoeFormat = "chat" | "completion";

/** A request's prompt part: chat messages, or raw text with the stops that end its answer. */
export type MoePrompt = { messages: ChatMessage[] } | { prompt: string; stop: string[] };

// a base model's answer is one line; a new "Q:" is the model writing the next task
const completionStops = ["\n", "Q:"];
const qa = (question: string) => `Q: ${question.trim()} A:`;

/** An expert's (and a profiled model's) prompt. */
export function expertPrompt(format: MoeFormat, question: string, type: AnswerType): MoePrompt {
  if (format === "chat") return { messages: expertMessages(question, type) };
  return { prompt: qa(question), stop: completionStops };
}

/** The annotator's prompt. */
export function keywordPrompt(format: MoeFormat, question: string): MoePrompt {
  if (format === "chat") return { messages: keywordMessages(question) };
  return { prompt: `Q: ${question.trim()} Keywords:`, stop: completionStops };
}

/**
 * A base model reads several answers as earlier lines of one transcript, then answers the same
 * question once more: the completion form of "synthesise these responses".
 */
function transcript(question: string, responses: readonly string[]): MoePrompt {
  const lines = responses.map((r) => `${qa(question)} ${stripReasoning(r)}`);
  return { prompt: [...lines, qa(question)].join("\n"), stop: completionStops };
}

/** The aggregator's prompt over k expert responses. */
export function aggregatorPrompt(
  format: MoeFormat,
  question: string,
  responses: readonly string[],
  type: AnswerType,
): MoePrompt {
  if (format === "chat") return { messages: aggregatorMessages(question, responses, type) };
  return transcript(question, responses);
}

/** The aggregation benchmark's prompt over three responses. */
export function benchmarkPrompt(
  format: MoeFormat,
  question: string,
  responses: readonly string[],
  type: AnswerType,
): MoePrompt {
  if (format === "chat") return { messages: benchmarkMessages(question, responses, type) };
  return transcript(question, responses);
}
