import { readFileSync } from "node:fs";
import { SeededRandom } from "../../math/seeded-random.ts";
import { DataError } from "../../model/errors.ts";

/**
 * One training or test prompt. Rewards come only from the reward models: `answer` (gold) is used
 * for evaluation, never for training (the paper's unlabelled-training setting). `family` is the
 * prompt type the selection history is reported by (e.g. arithmetic vs list skills).
 */
export interface LaserItem {
  id: string;
  /** The text the policy continues. */
  prompt: string;
  /** The question the reward models judge (default: the prompt). */
  question?: string;
  answer?: string;
  family?: string;
}

/** The spec's reasoning prompt, for items given as a bare question. */
export const reasoningTemplate = (question: string): string =>
  `Answer the question, give step-by-step reasoning, and end with "Final answer: <answer>".\n\nQuestion: ${question}\nAnswer:`;

/**
 * Items from a JSONL file: `{"prompt"|"question", "answer"?, "family"?, "id"?}` per line; a line
 * with only a question gets the spec's reasoning prompt.
 */
export function readLaserItems(path: string): LaserItem[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const items: LaserItem[] = [];
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch (error) {
      throw new DataError(`not JSON (${(error as Error).message})`, { file: path, line: i + 1 });
    }
    const str = (k: string) => (typeof r[k] === "string" ? (r[k] as string) : undefined);
    const question = str("question");
    const prompt =
      str("prompt") ?? (question !== undefined ? reasoningTemplate(question) : undefined);
    if (prompt === undefined)
      throw new DataError('a line needs "prompt" or "question"', { file: path, line: i + 1 });
    const answer = r.answer === undefined ? undefined : String(r.answer);
    items.push({
      id: str("id") ?? `line-${i + 1}`,
      prompt,
      ...(question !== undefined ? { question } : {}),
      ...(answer !== undefined ? { answer } : {}),
      ...(str("family") !== undefined ? { family: str("family")! } : {}),
    });
  }
  if (items.length === 0) throw new DataError("no items", { file: path });
  return items;
}

/**
 * The training batches, the same every iteration. "in-order": consecutive items (the official
 * loop). "by-family": each batch holds one family's items (the testbed's per-family batches), the
 * families' batches interleaved in a seeded order.
 */
export function makeBatches(
  items: readonly LaserItem[],
  size: number,
  mode: "in-order" | "by-family",
  seed: number,
): LaserItem[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`batch size must be ≥ 1, got ${size}`);
  const chunk = (xs: readonly LaserItem[]) =>
    Array.from({ length: Math.ceil(xs.length / size) }, (_, b) =>
      xs.slice(b * size, (b + 1) * size),
    );
  if (mode === "in-order") return chunk(items);
  const byFamily = new Map<string, LaserItem[]>();
  for (const it of items) {
    const f = it.family ?? "";
    byFamily.set(f, [...(byFamily.get(f) ?? []), it]);
  }
  const batches = [...byFamily.values()].flatMap(chunk);
  const rng = new SeededRandom(seed);
  for (let i = batches.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [batches[i], batches[j]] = [batches[j]!, batches[i]!];
  }
  return batches;
}

/** The batch's family: the most common one among its items ("mixed" on a tie of several). */
export function batchFamily(batch: readonly LaserItem[]): string {
  const counts = new Map<string, number>();
  for (const it of batch) counts.set(it.family ?? "", (counts.get(it.family ?? "") ?? 0) + 1);
  const top = Math.max(...counts.values());
  const leaders = [...counts].filter(([, c]) => c === top);
  return leaders.length === 1 ? leaders[0]![0] : "mixed";
}
