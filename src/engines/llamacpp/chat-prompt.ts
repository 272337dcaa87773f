import {
  type ChatHistoryItem,
  type ChatWrapper,
  GeneralChatWrapper,
  type LlamaModel,
  LlamaText,
  resolveChatWrapper,
} from "node-llama-cpp";
import { ConfigError } from "../../model/errors.ts";
import type { ChatMessage } from "../../model/language-model.ts";

/** A prompt ready to evaluate: its tokens and the stop strings its chat format implies. */
export interface PreparedPrompt {
  tokens: number[];
  /** End-of-turn strings of the chat format (empty for raw prompts). */
  stops: string[];
}

/**
 * The chat format of a model: the GGUF's own `tokenizer.chat_template` resolved by node-llama-cpp
 * (a specialized wrapper or its Jinja renderer); a GGUF without a template (base models such as
 * stories260K) gets node-llama-cpp's GeneralChatWrapper ("### System/Human/Assistant" turns).
 */
export function chatWrapperFor(model: LlamaModel): { wrapper: ChatWrapper; fromTemplate: boolean } {
  const template = model.fileInfo.metadata?.tokenizer?.chat_template;
  if (typeof template === "string" && template.length > 0) {
    return { wrapper: resolveChatWrapper(model), fromTemplate: true };
  }
  return { wrapper: new GeneralChatWrapper(), fromTemplate: false };
}

/**
 * Tokens of `messages` rendered by the chat format with an open assistant turn that starts with
 * `prefill` (the generation continues it).
 */
export function chatPrompt(
  model: LlamaModel,
  wrapper: ChatWrapper,
  messages: readonly ChatMessage[],
  prefill = "",
): PreparedPrompt {
  if (messages.length === 0) throw new ConfigError("messages is empty", "messages");
  const history: ChatHistoryItem[] = messages.map((m) => {
    if (m.role === "system") return { type: "system", text: m.content };
    if (m.role === "user") return { type: "user", text: m.content };
    return { type: "model", response: [m.content] };
  });
  history.push({ type: "model", response: prefill ? [prefill] : [] });
  const state = wrapper.generateContextState({ chatHistory: history });
  const stops: string[] = [];
  for (const trigger of state.stopGenerationTriggers) {
    // Triggers made only of special tokens (EOS, <|im_end|>) end generation as tokens already.
    const text = LlamaText(trigger)
      .values.filter((v) => typeof v === "string")
      .join("");
    if (text.length > 0 && text === LlamaText(trigger).toString()) stops.push(text);
  }
  return { tokens: state.contextText.tokenize(model.tokenizer), stops };
}

/** Tokens of a raw prompt (no template), with BOS when the model expects one. */
export function rawPrompt(model: LlamaModel, text: string): PreparedPrompt {
  const tokens = model.tokenize(text, false);
  const bos = model.tokens.bos;
  if (model.tokens.shouldPrependBosToken && bos !== null) tokens.unshift(bos);
  return { tokens, stops: [] };
}
