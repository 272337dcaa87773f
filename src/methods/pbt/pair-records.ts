import type { ChatDpoRecord, SftRecord, TextDpoRecord } from "../../train/data.ts";
import type { PersuasionPair } from "./sibling-pairs.ts";

/**
 * TRL's formats: a chat pair becomes the conversational preference record (`prompt` messages,
 * `chosen`/`rejected` assistant turns), a transcript pair the text one.
 */
export function toDpoRecord(pair: PersuasionPair): TextDpoRecord | ChatDpoRecord {
  if ("messages" in pair.prompt)
    return {
      prompt: pair.prompt.messages,
      chosen: [{ role: "assistant", content: pair.chosen }],
      rejected: [{ role: "assistant", content: pair.rejected }],
    };
  return { prompt: pair.prompt.prompt, chosen: pair.chosen, rejected: pair.rejected };
}

/** The SFT stage's record: the prompt and the chosen reply (spec 3.6). */
export function toSftRecord(pair: PersuasionPair): SftRecord {
  if ("messages" in pair.prompt)
    return { messages: [...pair.prompt.messages, { role: "assistant", content: pair.chosen }] };
  return { prompt: pair.prompt.prompt, completion: pair.chosen };
}
