import { ModelCallError } from "../../model/errors.ts";
import { serverMessageOf } from "./http-attempt.ts";

type Json = Record<string, unknown>;

interface ChoiceState {
  index: number;
  text: string;
  finishReason: unknown;
  /** Logprobs merged over the chunks: arrays concatenated field by field. */
  logprobs: Json | unknown[] | undefined;
  /** Native llama.cpp `completion_probabilities` entries, concatenated. */
  probabilities: unknown[] | undefined;
  /** Characters of `text` already passed to onText (after the prefill, when it was echoed). */
  sent: number;
  /** Whether the text is known to start with the echoed prefill (undefined: not yet known). */
  echoedPrefill: boolean | undefined;
}

/** How to read the chunks of one streamed call. */
export interface StreamAccumulatorOptions {
  kind: "chat" | "completions";
  /** Where the stream comes from, for error messages. */
  url: string;
  /** Chat prefill: a server that echoes it at the start of the content has it stripped. */
  prefill?: string | undefined;
  /** Receives each choice's new text (choice index as the server numbers it). */
  onText: (index: number, text: string) => void;
}

/**
 * Collects the `chat.completion.chunk` / streamed `text_completion` events of one call (OpenAI,
 * vLLM, llama.cpp server, Ollama) into the body the same call would have answered without
 * streaming, so one parser reads both and the results are equal. Text deltas are passed on as they
 * arrive; choices are told apart by `index`, logprobs (`{content: [...]}`, the legacy
 * `{tokens, token_logprobs, top_logprobs, text_offset}` or llama.cpp's `completion_probabilities`)
 * and `usage` are kept where the server sends them.
 */
export class StreamAccumulator {
  private readonly choices = new Map<number, ChoiceState>();
  private usage: unknown;
  private events = 0;
  /** `data: [DONE]` arrived. */
  done = false;

  constructor(private readonly options: StreamAccumulatorOptions) {}

  /** Events read so far (for error messages about cut streams). */
  get eventCount(): number {
    return this.events;
  }

  /** Reads one SSE event's data. */
  add(data: string, event = "message"): void {
    this.events++;
    if (data.trim() === "[DONE]") {
      this.done = true;
      return;
    }
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      throw new ModelCallError(
        `POST ${this.options.url} streamed an event that is not JSON (event ${this.events}); first 200 chars: ` +
          JSON.stringify(data.slice(0, 200)),
        { url: this.options.url },
      );
    }
    if (!chunk || typeof chunk !== "object") return;
    const body = chunk as Json;
    if (event === "error" || (body.error !== undefined && !Array.isArray(body.choices))) {
      const serverMessage = serverMessageOf(data);
      throw new ModelCallError(
        `POST ${this.options.url} reported an error in the middle of its stream: ${serverMessage}`,
        { serverMessage, url: this.options.url },
      );
    }
    if (body.usage && typeof body.usage === "object") this.usage = body.usage;
    if (Array.isArray(body.completion_probabilities)) {
      // llama.cpp's native shape, one choice per request
      const state = this.choice(0);
      state.probabilities = [...(state.probabilities ?? []), ...body.completion_probabilities];
    }
    if (!Array.isArray(body.choices)) return;
    for (const raw of body.choices) {
      if (!raw || typeof raw !== "object") continue;
      const c = raw as Json;
      const state = this.choice(typeof c.index === "number" ? c.index : 0);
      let text: unknown;
      if (this.options.kind === "chat") text = (c.delta as Json | undefined)?.content;
      else text = c.text ?? c.content;
      if (typeof text === "string" && text !== "") {
        state.text += text;
        this.release(state, false);
      }
      const reason = c.finish_reason ?? c.stop_reason;
      if (reason !== undefined && reason !== null) state.finishReason = reason;
      if (c.logprobs !== undefined && c.logprobs !== null) {
        state.logprobs = mergeLogprobs(state.logprobs, c.logprobs);
      }
    }
  }

  /** Whether the stream gave every choice its end (for streams that stop without `[DONE]`). */
  get complete(): boolean {
    if (this.choices.size === 0) return false;
    for (const state of this.choices.values()) {
      if (state.finishReason === undefined) return false;
    }
    return true;
  }

  /** Text held back while it might still be the echoed prefill, released at the end. */
  flush(): void {
    for (const state of this.choices.values()) this.release(state, true);
  }

  /** The non-streamed body this stream stands for, for `parseCompletion`. */
  body(): Json {
    const choices = [...this.choices.values()]
      .sort((a, b) => a.index - b.index)
      .map((state) => {
        const choice: Json =
          this.options.kind === "chat"
            ? { index: state.index, message: { role: "assistant", content: state.text } }
            : { index: state.index, text: state.text };
        choice.finish_reason = state.finishReason ?? null;
        choice.logprobs = state.logprobs ?? null;
        if (state.probabilities) choice.completion_probabilities = state.probabilities;
        return choice;
      });
    const body: Json = { choices };
    if (this.usage !== undefined) body.usage = this.usage;
    return body;
  }

  private choice(index: number): ChoiceState {
    let state = this.choices.get(index);
    if (!state) {
      state = {
        index,
        text: "",
        finishReason: undefined,
        logprobs: undefined,
        probabilities: undefined,
        sent: 0,
        echoedPrefill: undefined,
      };
      this.choices.set(index, state);
    }
    return state;
  }

  /** Sends the new text of a choice, once it is known whether the content repeats the prefill. */
  private release(state: ChoiceState, end: boolean): void {
    const prefill = this.options.prefill;
    if (state.echoedPrefill === undefined) {
      if (!prefill) state.echoedPrefill = false;
      else if (state.text.startsWith(prefill)) {
        state.echoedPrefill = true;
        state.sent = prefill.length;
      } else if (end || !prefill.startsWith(state.text)) state.echoedPrefill = false;
      else return;
    }
    if (state.text.length > state.sent) {
      const delta = state.text.slice(state.sent);
      state.sent = state.text.length;
      this.options.onText(state.index, delta);
    }
  }
}

/** Appends a chunk's logprobs to what came before: arrays concatenate, other fields are replaced. */
function mergeLogprobs(
  before: Json | unknown[] | undefined,
  next: unknown,
): Json | unknown[] | undefined {
  if (Array.isArray(next)) return [...(Array.isArray(before) ? before : []), ...next];
  if (!next || typeof next !== "object") return before;
  const merged: Json = before && !Array.isArray(before) ? { ...before } : {};
  for (const [key, value] of Object.entries(next as Json)) {
    const old = merged[key];
    if (Array.isArray(value)) merged[key] = [...(Array.isArray(old) ? old : []), ...value];
    else if (value !== null && value !== undefined) merged[key] = value;
    else if (!(key in merged)) merged[key] = value;
  }
  return merged;
}
