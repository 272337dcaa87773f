import type { ChatMessage, LanguageModel } from "../../model/language-model.ts";

export interface TeacherCallOptions {
  /** Attempts after the first (default 3, as the official tenacity retries). */
  retries?: number;
  /** Base of the random exponential backoff between attempts, ms (default 500; 0 in tests). */
  backoffMs?: number;
  temperature?: number;
  maxTokens?: number;
  /** Seed of the first attempt (retries add 1 each), so runs repeat and the call cache hits. */
  seed?: number;
  /** Called when every attempt failed and the batch is dropped. */
  onDrop?: (reason: string) => void;
}

/**
 * One structured teacher call: the model answers under `schema` (a grammar on llama.cpp,
 * response_format on servers), the reply is parsed and checked by `accept` (which returns the
 * value or throws). A failed attempt is retried after a random exponential wait; when all fail
 * the batch is dropped (undefined) and `onDrop` says why: the official agents drop such batches
 * silently, so callers log the counts they actually got.
 */
export async function askTeacher<T>(
  model: LanguageModel,
  messages: ChatMessage[],
  schema: Record<string, unknown>,
  accept: (value: unknown) => T,
  options: TeacherCallOptions = {},
): Promise<T | undefined> {
  const retries = options.retries ?? 3;
  const base = options.backoffMs ?? 500;
  let reason = "";
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0 && base > 0) {
      const wait = Math.random() * base * 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    try {
      const r = await model.generate({
        messages,
        jsonSchema: schema,
        temperature: options.temperature ?? 0.7,
        maxTokens: options.maxTokens ?? 4096,
        ...(options.seed !== undefined ? { seed: options.seed + attempt } : {}),
      });
      return accept(JSON.parse(r.generations[0]?.text ?? ""));
    } catch (error) {
      reason = (error as Error).message;
    }
  }
  options.onDrop?.(reason);
  return undefined;
}

/** A JSON object's field as a non-empty string, or an error naming it. */
export function textField(value: unknown, field: string): string {
  const v = (value as Record<string, unknown> | null)?.[field];
  if (typeof v !== "string" || v.trim() === "")
    throw new Error(`teacher reply lacks a non-empty "${field}"`);
  return v;
}

/** A JSON object's field as an array, or an error naming it. */
export function listField(value: unknown, field: string): unknown[] {
  const v = (value as Record<string, unknown> | null)?.[field];
  if (!Array.isArray(v)) throw new Error(`teacher reply lacks a "${field}" list`);
  return v;
}
