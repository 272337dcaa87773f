import { type GgufValue, gguf } from "./gguf-value.ts";

/** SentencePiece token types as llama.cpp reads them from `tokenizer.ggml.token_type`. */
export const spmTokenType = { normal: 1, unknown: 2, control: 3, unused: 5, byte: 6 } as const;

/** A SentencePiece-style vocabulary llama.cpp can tokenize any text with. */
export interface SpmVocab {
  tokens: string[];
  scores: number[];
  tokenTypes: number[];
  unk: number;
  bos: number;
  eos: number;
  /** `<|im_end|>` when the vocabulary has ChatML tokens. */
  eot?: number;
}

/** Fewest tokens a vocabulary can have: specials plus the 256 byte tokens plus one piece. */
export const minSpmVocabSize = 3 + 2 + 256 + 1;

const space = "\u2581";
const letters = "etaoinshrdlcumwfgypbvkjxqz";
const others = "ETAOINSHRDLCUMWFGYPBVKJXQZ0123456789.,!?'\"-:;()[]{}<>/\\@#$%^&*_+=~`|";

/**
 * Builds `size` tokens: `<unk>`, `<s>`, `</s>`, optionally `<|im_start|>`/`<|im_end|>`, the byte
 * tokens `<0x00>`..`<0xFF>` (so every text has a tokenization), then filler pieces: single
 * characters and growing letter combinations, each also with the SentencePiece space prefix `▁`.
 * Earlier pieces get higher scores, so merges prefer short, common pieces.
 */
export function buildSpmVocab(size: number, options: { chatml?: boolean } = {}): SpmVocab {
  const chatml = options.chatml ?? true;
  const minimum = minSpmVocabSize - (chatml ? 0 : 2);
  if (!Number.isInteger(size) || size < minimum) {
    throw new RangeError(`vocabulary size must be an integer of at least ${minimum} (got ${size})`);
  }
  const tokens = ["<unk>", "<s>", "</s>"];
  const tokenTypes: number[] = [spmTokenType.unknown, spmTokenType.control, spmTokenType.control];
  if (chatml) {
    tokens.push("<|im_start|>", "<|im_end|>");
    tokenTypes.push(spmTokenType.control, spmTokenType.control);
  }
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    tokenTypes.push(spmTokenType.byte);
  }
  const scores = tokens.map(() => 0);
  const filler = fillerPieces();
  let rank = 0;
  while (tokens.length < size) {
    const piece = filler.next().value as string;
    tokens.push(piece);
    tokenTypes.push(spmTokenType.normal);
    scores.push(-rank++);
  }
  return {
    tokens,
    scores,
    tokenTypes,
    unk: 0,
    bos: 1,
    eos: 2,
    ...(chatml ? { eot: 4 } : {}),
  };
}

function* fillerPieces(): Generator<string> {
  yield space;
  for (const c of letters) yield* [space + c, c];
  for (const c of others) yield* [c, space + c];
  yield* ["\n", " "];
  // letter combinations of growing length: "▁th", "th", ... (never exhausted)
  let combos = [...letters];
  for (;;) {
    const longer: string[] = [];
    for (const prefix of combos) {
      for (const c of letters) {
        const piece = prefix + c;
        longer.push(piece);
      }
    }
    for (const piece of longer) yield* [space + piece, piece];
    combos = longer;
  }
}

/** The `tokenizer.ggml.*` metadata for a vocabulary. */
export function spmVocabMetadata(vocab: SpmVocab): Array<[string, GgufValue]> {
  const entries: Array<[string, GgufValue]> = [
    ["tokenizer.ggml.model", gguf.str("llama")],
    ["tokenizer.ggml.tokens", gguf.strings(vocab.tokens)],
    ["tokenizer.ggml.scores", gguf.numbers("float32", vocab.scores)],
    ["tokenizer.ggml.token_type", gguf.numbers("int32", vocab.tokenTypes)],
    ["tokenizer.ggml.unknown_token_id", gguf.u32(vocab.unk)],
    ["tokenizer.ggml.bos_token_id", gguf.u32(vocab.bos)],
    ["tokenizer.ggml.eos_token_id", gguf.u32(vocab.eos)],
    ["tokenizer.ggml.add_bos_token", gguf.bool(true)],
    ["tokenizer.ggml.add_eos_token", gguf.bool(false)],
  ];
  if (vocab.eot !== undefined) {
    entries.push(["tokenizer.ggml.eot_token_id", gguf.u32(vocab.eot)]);
    entries.push(["tokenizer.chat_template", gguf.str(chatmlTemplate)]);
  }
  return entries;
}

/** The ChatML template SmolLM2 and Qwen2.5 use (without their default system prompts). */
export const chatmlTemplate =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
