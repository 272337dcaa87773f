import { readFile } from "node:fs/promises";
import { type ChatMessage, DataError } from "../model/index.ts";
import type { PreferencePair } from "./objectives.ts";
import type { TokenizedExample } from "./sequence-scores.ts";
import type { TrainTokenizer } from "./tokenizer.ts";

/** SFT line: TRL's prompt–completion format or a conversation whose last turn is the target. */
export type SftRecord = { prompt: string; completion: string } | { messages: ChatMessage[] };

/** DPO line with text fields, TRL's field names. */
export interface TextDpoRecord {
  prompt: string;
  chosen: string;
  rejected: string;
}

/**
 * DPO line in TRL's conversational format: the prompt turns, then each reply's assistant
 * turns. Lines that give no prompt (`{"chosen": [...], "rejected": [...]}`, the whole
 * conversations) are parsed into this form, with their shared leading turns as the prompt.
 */
export interface ChatDpoRecord {
  prompt: ChatMessage[];
  chosen: ChatMessage[];
  rejected: ChatMessage[];
}

/** DPO line: text or conversational. */
export type DpoRecord = TextDpoRecord | ChatDpoRecord;

/** A parsed record and the 1-based line it came from (for error messages). */
export interface Located<T> {
  record: T;
  line: number;
}

/** Parses a JSONL file: one JSON object per non-blank line; bad JSON names its line. */
export async function readJsonl(file: string): Promise<Array<Located<unknown>>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new DataError(`cannot read the data file: ${(error as Error).message}`, { file });
  }
  const out: Array<Located<unknown>> = [];
  text.split("\n").forEach((raw, i) => {
    if (!raw.trim()) return;
    try {
      out.push({ record: JSON.parse(raw), line: i + 1 });
    } catch (error) {
      throw new DataError(
        `invalid JSON (${(error as Error).message}); each line must be one JSON object`,
        {
          file,
          line: i + 1,
        },
      );
    }
  });
  return out;
}

function fail(message: string, file: string | undefined, line: number): never {
  throw new DataError(message, file === undefined ? { line } : { file, line });
}

const roles = new Set(["system", "user", "assistant"]);

/** Validates SFT records: `{"prompt","completion"}` (strings) or `{"messages":[...]}`. */
export function parseSftRecords(
  rows: ReadonlyArray<Located<unknown>>,
  file?: string,
): Array<Located<SftRecord>> {
  if (rows.length === 0)
    throw new DataError(
      'the SFT data set is empty; add lines of {"prompt","completion"} or {"messages"}',
      file ? { file } : {},
    );
  return rows.map(({ record, line }) => {
    const r = record as Record<string, unknown>;
    if (typeof r !== "object" || r === null || Array.isArray(r))
      fail("expected a JSON object", file, line);
    if ("messages" in r) {
      const m = r["messages"];
      if (!Array.isArray(m) || m.length < 2)
        fail('"messages" must be an array of at least two {"role","content"} turns', file, line);
      m.forEach((turn, j) => {
        const t = turn as Record<string, unknown>;
        if (typeof t?.["content"] !== "string" || !roles.has(t["role"] as string)) {
          fail(
            `messages[${j}] must be {"role": "system"|"user"|"assistant", "content": string}`,
            file,
            line,
          );
        }
      });
      if ((m[m.length - 1] as ChatMessage).role !== "assistant") {
        fail("the last message must be the assistant's (it is the training target)", file, line);
      }
      return { record: { messages: m as ChatMessage[] }, line };
    }
    for (const key of ["prompt", "completion"]) {
      if (typeof r[key] !== "string") {
        fail(
          `missing or non-string field "${key}"; SFT lines need {"prompt","completion"} or {"messages"}`,
          file,
          line,
        );
      }
    }
    if ((r["completion"] as string).length === 0)
      fail('"completion" is empty: nothing to learn', file, line);
    return {
      record: { prompt: r["prompt"] as string, completion: r["completion"] as string },
      line,
    };
  });
}

/**
 * Validates DPO records: `{"prompt","chosen","rejected"}` as strings (all non-empty but the
 * prompt), or TRL's conversational lines (see ChatDpoRecord).
 */
export function parseDpoRecords(
  rows: ReadonlyArray<Located<unknown>>,
  file?: string,
): Array<Located<DpoRecord>> {
  if (rows.length === 0)
    throw new DataError(
      'the DPO data set is empty; add lines of {"prompt","chosen","rejected"}',
      file ? { file } : {},
    );
  return rows.map(({ record, line }) => {
    const r = record as Record<string, unknown>;
    if (typeof r !== "object" || r === null || Array.isArray(r))
      fail("expected a JSON object", file, line);
    if (["prompt", "chosen", "rejected"].some((k) => Array.isArray(r[k])))
      return { record: parseChatDpo(r, file, line), line };
    for (const key of ["prompt", "chosen", "rejected"]) {
      if (typeof r[key] !== "string") {
        fail(
          `missing or non-string field "${key}"; DPO lines need {"prompt","chosen","rejected"} (strings, or lists of {"role","content"} messages)`,
          file,
          line,
        );
      }
    }
    for (const key of ["chosen", "rejected"])
      if ((r[key] as string).length === 0) fail(`"${key}" is empty`, file, line);
    return {
      record: {
        prompt: r["prompt"] as string,
        chosen: r["chosen"] as string,
        rejected: r["rejected"] as string,
      },
      line,
    };
  });
}

function parseMessages(value: unknown, key: string, file: string | undefined, line: number) {
  if (!Array.isArray(value))
    fail(
      `"${key}" must be a list of {"role","content"} messages like the other fields of this line`,
      file,
      line,
    );
  value.forEach((turn, j) => {
    const t = turn as Record<string, unknown>;
    if (typeof t?.["content"] !== "string" || !roles.has(t["role"] as string)) {
      fail(
        `${key}[${j}] must be {"role": "system"|"user"|"assistant", "content": string}`,
        file,
        line,
      );
    }
  });
  return (value as ChatMessage[]).map((m) => ({ role: m.role, content: m.content }));
}

const sameTurn = (a: ChatMessage, b: ChatMessage) => a.role === b.role && a.content === b.content;

/** A conversational DPO line; without "prompt", the shared leading turns are the prompt. */
function parseChatDpo(
  r: Record<string, unknown>,
  file: string | undefined,
  line: number,
): ChatDpoRecord {
  let chosen = parseMessages(r["chosen"], "chosen", file, line);
  let rejected = parseMessages(r["rejected"], "rejected", file, line);
  let prompt: ChatMessage[];
  if (r["prompt"] === undefined) {
    let n = 0;
    while (n < chosen.length && n < rejected.length && sameTurn(chosen[n]!, rejected[n]!)) n++;
    prompt = chosen.slice(0, n);
    chosen = chosen.slice(n);
    rejected = rejected.slice(n);
  } else prompt = parseMessages(r["prompt"], "prompt", file, line);
  if (prompt.length === 0)
    fail(
      'no prompt turns: give "prompt" as a list of messages, or start "chosen" and "rejected" with the same turns',
      file,
      line,
    );
  for (const [key, reply] of [
    ["chosen", chosen],
    ["rejected", rejected],
  ] as const) {
    if (reply.length === 0)
      fail(`"${key}" has no reply turns after the prompt: the two replies must differ`, file, line);
    const j = reply.findIndex((m) => m.role !== "assistant");
    if (j >= 0)
      fail(
        `the "${key}" reply must be assistant turns only (turn ${j} after the prompt is "${reply[j]!.role}"); move shared turns into "prompt"`,
        file,
        line,
      );
  }
  return { prompt, chosen, rejected };
}

/** How text becomes training tokens. */
export interface TokenizeOptions {
  /** Longest allowed sequence (prompt + completion), in tokens. */
  maxLength: number;
  /** End completions with EOS so the model learns to stop (default true; chat turns use the template's end). */
  appendEos?: boolean;
  file?: string;
}

/** BOS + prompt, then the completion (as a continuation, so ids match the whole text's). */
export function encodePromptCompletion(
  tok: TrainTokenizer,
  prompt: string,
  completion: string,
  appendEos = true,
): TokenizedExample {
  const head = tok.addBos && tok.bos !== undefined ? [tok.bos] : [];
  const p = [...head, ...tok.tokenize(prompt)];
  const c = prompt.length > 0 ? tok.tokenizeContinuation(completion) : tok.tokenize(completion);
  if (appendEos && tok.eos !== undefined) c.push(tok.eos);
  if (p.length === 0) {
    // A token needs a context: with no BOS and an empty prompt, the first completion token is context.
    return { tokens: c, start: 1 };
  }
  return { tokens: [...p, ...c], start: p.length };
}

/**
 * The chat-templated conversation, supervised from where the last `replyTurns` turns begin.
 * The template's rendering of a final assistant turn stops at its text, so the end-of-turn
 * token (`<|im_end|>`, `<|eot_id|>`; EOS when the vocab has none) is appended unless already
 * there: the model learns to end its turn the way the chat engine stops.
 */
async function encodeMessages(
  tok: TrainTokenizer,
  messages: readonly ChatMessage[],
  replyTurns = 1,
  appendEnd = true,
): Promise<TokenizedExample> {
  const prompt = await tok.chat(messages.slice(0, -replyTurns), { addGenerationPrompt: true });
  const full = await tok.chat(messages);
  let start = 0;
  while (start < prompt.length && start < full.length && prompt[start] === full[start]) start++;
  if (appendEnd && tok.eot !== undefined && full.at(-1) !== tok.eot) full.push(tok.eot);
  return { tokens: full, start: Math.max(1, start) };
}

function checkLength(e: TokenizedExample, o: TokenizeOptions, line: number, what: string): void {
  if (e.tokens.length > o.maxLength) {
    fail(
      `${what} is ${e.tokens.length} tokens, over the maximum length ${o.maxLength}; raise --max-length or shorten the example`,
      o.file,
      line,
    );
  }
  if (e.tokens.length - e.start < 1)
    fail(`${what} has no completion tokens to train on`, o.file, line);
}

/** Tokenizes SFT records; every length problem is reported (with its line) before training. */
export async function tokenizeSft(
  tok: TrainTokenizer,
  records: ReadonlyArray<Located<SftRecord>>,
  options: TokenizeOptions,
): Promise<TokenizedExample[]> {
  const out: TokenizedExample[] = [];
  for (const { record, line } of records) {
    const e =
      "messages" in record
        ? await encodeMessages(tok, record.messages, 1, options.appendEos ?? true)
        : encodePromptCompletion(tok, record.prompt, record.completion, options.appendEos ?? true);
    checkLength(e, options, line, "the example");
    out.push(e);
  }
  return out;
}

/**
 * Tokenizes DPO records into chosen/rejected sequences sharing the prompt; conversational
 * records through the model's chat template, supervised on the assistant reply only.
 */
export async function tokenizeDpo(
  tok: TrainTokenizer,
  records: ReadonlyArray<Located<DpoRecord>>,
  options: TokenizeOptions,
): Promise<PreferencePair[]> {
  const out: PreferencePair[] = [];
  for (const { record, line } of records) {
    if (Array.isArray(record.prompt)) {
      const r = record as ChatDpoRecord;
      const end = options.appendEos ?? true;
      const chosen = await encodeMessages(tok, [...r.prompt, ...r.chosen], r.chosen.length, end);
      const rejected = await encodeMessages(
        tok,
        [...r.prompt, ...r.rejected],
        r.rejected.length,
        end,
      );
      checkLength(chosen, options, line, "prompt + chosen");
      checkLength(rejected, options, line, "prompt + rejected");
      out.push({ chosen, rejected });
      continue;
    }
    out.push(tokenizeTextPair(tok, record as TextDpoRecord, line, options));
  }
  return out;
}

function tokenizeTextPair(
  tok: TrainTokenizer,
  record: TextDpoRecord,
  line: number,
  options: TokenizeOptions,
): PreferencePair {
  const end = options.appendEos ?? true;
  const chosen = encodePromptCompletion(tok, record.prompt, record.chosen, end);
  const rejected = encodePromptCompletion(tok, record.prompt, record.rejected, end);
  checkLength(chosen, options, line, "prompt + chosen");
  checkLength(rejected, options, line, "prompt + rejected");
  return { chosen, rejected };
}

/**
 * TRL JSONL: SFT as prompt–completion (or conversational "messages") lines, DPO as
 * {"prompt","chosen","rejected"} — what `SFTTrainer` / `DPOTrainer` load with `datasets`.
 */
export function toTrlJsonl(records: ReadonlyArray<SftRecord | DpoRecord>): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join("");
}

/**
 * OpenAI fine-tuning JSONL: SFT as {"messages"} chats; DPO as the preference format
 * {"input":{"messages"},"preferred_output","non_preferred_output"}.
 */
export function toOpenAiJsonl(records: ReadonlyArray<SftRecord | DpoRecord>): string {
  return records
    .map((r) => {
      if ("chosen" in r && Array.isArray(r.prompt)) {
        const c = r as ChatDpoRecord;
        return {
          input: { messages: c.prompt },
          preferred_output: c.chosen,
          non_preferred_output: c.rejected,
        };
      }
      if ("chosen" in r) {
        return {
          input: { messages: [{ role: "user", content: r.prompt }] },
          preferred_output: [{ role: "assistant", content: r.chosen }],
          non_preferred_output: [{ role: "assistant", content: r.rejected }],
        };
      }
      if ("messages" in r) return { messages: r.messages };
      return {
        messages: [
          { role: "user", content: r.prompt },
          { role: "assistant", content: r.completion },
        ],
      };
    })
    .map((o) => `${JSON.stringify(o)}\n`)
    .join("");
}
