import type { LanguageModel } from "../model/language-model.ts";
import type { PromptInput, PromptLogprobs } from "../model/prompt-tokens.ts";
import { HttpError } from "./http-error.ts";

/** vLLM's `prompt_logprobs` entry: token id → `{ logprob, rank, decoded_token }`. */
type VllmPosition = Record<string, { logprob: number; rank: number; decoded_token: string }>;

/** The model's teacher-forced prompt logprobs, or a 400 naming the field when it has none. */
export async function promptLogprobsOf(
  model: LanguageModel,
  name: string,
  input: PromptInput,
  topLogprobs: number,
  signal: AbortSignal,
): Promise<PromptLogprobs> {
  if (!model.promptLogprobs) {
    throw new HttpError(
      400,
      `prompt_logprobs needs a model that reports logprobs of its prompt tokens; "${name}" (${model.provider}) cannot — drop prompt_logprobs`,
      "invalid_request_error",
      "prompt_logprobs",
      "unsupported",
    );
  }
  return model.promptLogprobs({ ...input, topLogprobs, signal });
}

/**
 * vLLM's shape: one entry per prompt token, `null` first; each maps token ids to logprob, rank
 * (1 = most likely) and text: the prompt's own token and the top alternatives (k or k + 1 entries).
 */
export function vllmPromptLogprobs(result: PromptLogprobs): (VllmPosition | null)[] {
  return result.positions.map((position) => {
    if (!position) return null;
    const entry: VllmPosition = {
      [position.id]: {
        logprob: position.logprob,
        rank: position.rank,
        decoded_token: position.token,
      },
    };
    position.top.forEach((alt, i) => {
      if (alt.id !== position.id) {
        entry[alt.id] = { logprob: alt.logprob, rank: i + 1, decoded_token: alt.token };
      }
    });
    return entry;
  });
}
