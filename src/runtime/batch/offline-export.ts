import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BatchInputLine } from "./batch-format.ts";

const roundFile = /^round-(\d+)(?:-\d+)?\.jsonl$/;

/**
 * The requests an offline round leaves pending, written in the Batch input format for `vllm
 * run-batch` or any Batch API: `<run>/batch/round-<k>.jsonl`, cut into `round-<k>-<part>.jsonl`
 * files of at most `maxLines` lines (run-batch cannot resume inside a file, so smaller files lose
 * less to a crash). Each round lists every request still unanswered, once.
 */
export class OfflineExport {
  readonly #lines = new Map<string, BatchInputLine>();

  add(line: BatchInputLine): void {
    if (!this.#lines.has(line.custom_id)) this.#lines.set(line.custom_id, line);
  }

  get size(): number {
    return this.#lines.size;
  }

  /** Writes the round's files into `dir` (none when nothing is pending) and returns their paths. */
  write(dir: string, maxLines: number): string[] {
    if (this.#lines.size === 0) return [];
    mkdirSync(dir, { recursive: true });
    const round = nextRound(dir);
    const lines = [...this.#lines.values()];
    const parts = Math.ceil(lines.length / maxLines);
    const files: string[] = [];
    for (let p = 0; p < parts; p++) {
      const name =
        parts === 1
          ? `round-${pad(round, 3)}.jsonl`
          : `round-${pad(round, 3)}-${pad(p + 1, 2)}.jsonl`;
      const chunk = lines.slice(p * maxLines, (p + 1) * maxLines);
      writeFileSync(join(dir, name), chunk.map((l) => `${JSON.stringify(l)}\n`).join(""));
      files.push(join(dir, name));
    }
    return files;
  }
}

/** Input files written so far (offline rounds), oldest first. */
export function exportedFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => roundFile.test(f))
    .sort()
    .map((f) => join(dir, f));
}

function nextRound(dir: string): number {
  let last = 0;
  for (const f of readdirSync(dir)) {
    const m = roundFile.exec(f);
    if (m) last = Math.max(last, Number(m[1]));
  }
  return last + 1;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}
