import type { ChatMessage } from "../model/index.ts";

/** Tokenization the trainer needs: llama.cpp's own tokenizer and chat template for the model. */
export interface TrainTokenizer {
  readonly bos: number | undefined;
  /** The token appended to completions (the model's first end-of-generation token). */
  readonly eos: number | undefined;
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
    const m = NativeModel.load(modelPath);
    // "\n" + text, minus the newline's own ids: tokenizes text as a continuation, without the
    // SentencePiece space prefix a fresh tokenization adds (node-llama-cpp's trimLeadingSpace).
    const nl = m.tokenize("\n", { addBos: false });
    return {
      bos: m.addBos ? m.bos : m.bos >= 0 ? m.bos : undefined,
      eos: m.endTokens[0],
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
  } catch {
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
  return {
    bos: model.tokens.bos ?? undefined,
    eos: model.tokens.eos ?? undefined,
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
