import type { ChatMessage } from "../model/index.ts";

/** Tokenization the trainer needs: llama.cpp's own tokenizer and chat template for the model. */
export interface TrainTokenizer {
  readonly bos: number | undefined;
  /** End of sequence: appended to prompt–completion examples so the model learns to stop. */
  readonly eos: number | undefined;
  /**
   * End of turn (`<|im_end|>` on ChatML/Qwen, `<|eot_id|>` on Llama 3), or `eos` when the vocab
   * has none: appended to chat-rendered examples, whose template ends the assistant turn with it.
   */
  readonly eot: number | undefined;
  /** Every end-of-generation token (EOS, EOT, ...): where greedy generation stops. */
  readonly endTokens: readonly number[];
  /** Whether the model expects BOS at the start of a sequence. */
  readonly addBos: boolean;
  /** Ids of a prompt (no BOS). */
  tokenize(text: string): number[];
  /** Ids of text that continues a previous piece (no space prefix added, as in the full text). */
  tokenizeContinuation(text: string): number[];
  detokenize(tokens: readonly number[]): string;
  /** The chat-templated conversation's ids (BOS included when the template has it). */
  chat(
    messages: readonly ChatMessage[],
    options?: { addGenerationPrompt?: boolean },
  ): Promise<number[]>;
  close(): Promise<void>;
}

type ChatFn = TrainTokenizer["chat"];

/**
 * Chat templating through node-llama-cpp (its Jinja/built-in wrappers), loaded only when a
 * data set has `messages`: importing it costs seconds, the FFI tokenizer milliseconds.
 */
function lazyChat(modelPath: string): { chat: ChatFn; close: () => Promise<void> } {
  let loaded:
    | Promise<{
        render: (m: readonly ChatMessage[], gen: boolean) => number[];
        dispose: () => Promise<void>;
      }>
    | undefined;
  const load = async () => {
    const { resolveChatWrapper } = await import("node-llama-cpp");
    const { getLlamaRuntime } = await import("../engines/llamacpp/llama-runtime.ts");
    const { llama } = await getLlamaRuntime(false);
    const model = await llama.loadModel({ modelPath, vocabOnly: true });
    const wrapper = resolveChatWrapper(model);
    return {
      render(messages: readonly ChatMessage[], gen: boolean): number[] {
        const history = messages.map((m) =>
          m.role === "assistant"
            ? { type: "model" as const, response: [m.content] }
            : m.role === "system"
              ? { type: "system" as const, text: m.content }
              : { type: "user" as const, text: m.content },
        );
        if (gen) history.push({ type: "model", response: [] });
        return Array.from(
          wrapper
            .generateContextState({ chatHistory: history })
            .contextText.tokenize(model.tokenizer),
        );
      },
      dispose: () => model.dispose(),
    };
  };
  return {
    async chat(messages, options = {}) {
      loaded ??= load();
      return (await loaded).render(messages, options.addGenerationPrompt ?? false);
    },
    async close() {
      if (loaded) await (await loaded).dispose();
    },
  };
}

/**
 * Loads the tokenizer of a GGUF: llama.cpp's own (through the engine's FFI layer, so ids are
 * exactly those the llamacpp engine produces), with node-llama-cpp as the fallback. `quiet`
 * (default) first starts the engine's node-llama-cpp runtime, whose log handler keeps
 * llama.cpp's load messages off stderr.
 */
export async function loadTokenizer(
  modelPath: string,
  options: { quiet?: boolean } = {},
): Promise<TrainTokenizer> {
  const chat = lazyChat(modelPath);
  if (options.quiet ?? true) {
    const { getLlamaRuntime } = await import("../engines/llamacpp/llama-runtime.ts");
    await getLlamaRuntime(false);
  }
  try {
    const { NativeModel } = await import("../engines/llamacpp/ffi/native-model.ts");
    // The vocabulary only: tokenizing never needs the weights (Trainable loads them itself).
    const m = NativeModel.load(modelPath, [], { vocabOnly: true });
    // "\n" + text, minus the newline's own ids: tokenizes text as a continuation, without the
    // SentencePiece space prefix a fresh tokenization adds (node-llama-cpp's trimLeadingSpace).
    const nl = m.tokenize("\n", { addBos: false });
    return {
      bos: m.addBos ? m.bos : m.bos >= 0 ? m.bos : undefined,
      eos: m.eos >= 0 ? m.eos : m.endTokens[0],
      eot: m.eot >= 0 ? m.eot : m.eos >= 0 ? m.eos : m.endTokens[0],
      endTokens: m.endTokens,
      addBos: m.addBos,
      tokenize: (text) => m.tokenize(text, { addBos: false }),
      tokenizeContinuation(text) {
        const ids = m.tokenize(`\n${text}`, { addBos: false });
        if (nl.length > 0 && nl.every((t, i) => ids[i] === t)) return ids.slice(nl.length);
        return m.tokenize(text, { addBos: false });
      },
      detokenize: (tokens) => m.detokenize(tokens),
      chat: chat.chat,
      async close() {
        await chat.close();
        m.close();
      },
    };
  } catch (error) {
    // Only a missing FFI path falls back; a bad file is the caller's error to see.
    const { LlamaCppFfiError } = await import("../engines/llamacpp/ffi/ffi-error.ts");
    if (!(error instanceof LlamaCppFfiError)) throw error;
    return nodeLlamaCppTokenizer(modelPath, chat);
  }
}

async function nodeLlamaCppTokenizer(
  modelPath: string,
  chat: { chat: ChatFn; close: () => Promise<void> },
): Promise<TrainTokenizer> {
  const { getLlamaRuntime } = await import("../engines/llamacpp/llama-runtime.ts");
  const { llama } = await getLlamaRuntime(false);
  const model = await llama.loadModel({ modelPath, vocabOnly: true });
  const eos = model.tokens.eos ?? undefined;
  const eot = model.tokens.eot ?? eos;
  return {
    bos: model.tokens.bos ?? undefined,
    eos,
    eot,
    endTokens: [...new Set([eos, eot].filter((t) => t !== undefined))],
    addBos: model.tokens.shouldPrependBosToken,
    tokenize: (text) => Array.from(model.tokenize(text)),
    tokenizeContinuation: (text) => Array.from(model.tokenize(text, false, "trimLeadingSpace")),
    detokenize: (tokens) => model.detokenize(tokens as never),
    chat: chat.chat,
    async close() {
      await chat.close();
      await model.dispose();
    },
  };
}
