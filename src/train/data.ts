import { readFile } from "node:fs/promises";
import { type ChatMessage, DataError } from "../model/index.ts";
import type { PreferencePair } from "./objectives.ts";
import type { TokenizedExample } from "./sequence-scores.ts";
import type { TrainTokenizer } from "./tokenizer.ts";

/** SFT line: TRL's prompt–completion format or a conversation whose last turn is the target. */
export type SftRecord = { prompt: string; completion: string } | { messages: ChatMessage[] };

/** DPO line, TRL's field names. */
export interface DpoRecord {
  prompt: string;
  chosen: string;
  rejected: string;
}

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

/** Validates DPO records: `{"prompt","chosen","rejected"}`, all non-empty strings but the prompt. */
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
    for (const key of ["prompt", "chosen", "rejected"]) {
      if (typeof r[key] !== "string") {
        fail(
          `missing or non-string field "${key}"; DPO lines need {"prompt","chosen","rejected"}`,
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

async function encodeMessages(
  tok: TrainTokenizer,
  messages: readonly ChatMessage[],
): Promise<TokenizedExample> {
  const prompt = await tok.chat(messages.slice(0, -1), { addGenerationPrompt: true });
  const full = await tok.chat(messages);
  let start = 0;
  while (start < prompt.length && start < full.length && prompt[start] === full[start]) start++;
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
        ? await encodeMessages(tok, record.messages)
        : encodePromptCompletion(tok, record.prompt, record.completion, options.appendEos ?? true);
    checkLength(e, options, line, "the example");
    out.push(e);
  }
  return out;
}

/** Tokenizes DPO records into chosen/rejected sequences sharing the prompt. */
export function tokenizeDpo(
  tok: TrainTokenizer,
  records: ReadonlyArray<Located<DpoRecord>>,
  options: TokenizeOptions,
): PreferencePair[] {
  return records.map(({ record, line }) => {
    const chosen = encodePromptCompletion(
      tok,
      record.prompt,
      record.chosen,
      options.appendEos ?? true,
    );
    const rejected = encodePromptCompletion(
      tok,
      record.prompt,
      record.rejected,
      options.appendEos ?? true,
    );
    checkLength(chosen, options, line, "prompt + chosen");
    checkLength(rejected, options, line, "prompt + rejected");
    return { chosen, rejected };
  });
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
