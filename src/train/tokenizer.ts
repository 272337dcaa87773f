import type { ChatMessage } from "../model/index.ts";

/** Tokenization the trainer needs: llama.cpp's own tokenizer and chat template for the model. */
export interface TrainTokenizer {
  readonly bos: number | undefined;
  readonly eos: number | undefined;
  /** Whether the model expects BOS at the start of a sequence. */
  readonly addBos: boolean;
  /** Ids of a prompt (no BOS). */
  tokenize(text: string): number[];
  /** Ids of text that continues a previous piece (no space prefix added, as in the full text). */
  tokenizeContinuation(text: string): number[];
  detokenize(tokens: readonly number[]): string;
  /** The chat-templated conversation's ids (BOS included when the template has it). */
  chat(messages: readonly ChatMessage[], options?: { addGenerationPrompt?: boolean }): number[];
  close(): Promise<void>;
}

/**
 * Loads the tokenizer of a GGUF through node-llama-cpp (vocabulary only, no weights), so the
 * trainer's token ids are exactly those the llamacpp engine produces.
 */
export async function loadTokenizer(modelPath: string): Promise<TrainTokenizer> {
  const { getLlama, LlamaLogLevel, resolveChatWrapper } = await import("node-llama-cpp");
  const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath, vocabOnly: true });
  const wrapper = resolveChatWrapper(model);
  const toHistory = (messages: readonly ChatMessage[]) =>
    messages.map((m) =>
      m.role === "assistant"
        ? { type: "model" as const, response: [m.content] }
        : m.role === "system"
          ? { type: "system" as const, text: m.content }
          : { type: "user" as const, text: m.content },
    );
  return {
    bos: model.tokens.bos ?? undefined,
    eos: model.tokens.eos ?? undefined,
    addBos: model.tokens.shouldPrependBosToken,
    tokenize: (text) => Array.from(model.tokenize(text)),
    tokenizeContinuation: (text) => Array.from(model.tokenize(text, false, "trimLeadingSpace")),
    detokenize: (tokens) => model.detokenize(tokens as never),
    chat(messages, options = {}) {
      const history = toHistory(messages);
      if (options.addGenerationPrompt) history.push({ type: "model", response: [] });
      const state = wrapper.generateContextState({ chatHistory: history });
      return Array.from(state.contextText.tokenize(model.tokenizer));
    },
    async close() {
      await model.dispose();
    },
  };
}
