import { existsSync, statSync } from "node:fs";
import { type LineSpan, readSpan, scanLines } from "./jsonl-lines.ts";

/**
 * Where each item's line of an `items.jsonl` lies, as a run's index cache keeps it: the file's
 * size and mtime when it was read, then the item ids and their flat `[offset, length, ...]` spans.
 */
export interface ItemSpans {
  mark: string;
  ids: string[];
  spans: number[];
}

/**
 * A run's `items.jsonl` (what each input item asked), looked up by item id. The file is rewritten
 * whole by each attempt of a run, not appended, so a change of size or mtime re-reads its spans.
 */
export class ItemsFile {
  readonly path: string;
  #spans = new Map<string, LineSpan>();
  #mark = "";
  /** Spans an earlier process read, used while the file's size and mtime still match them. */
  #kept: ItemSpans | undefined;

  constructor(path: string) {
    this.path = path;
  }

  /** The raw line of item `id`, or undefined when the run recorded no such item. */
  line(id: string): string | undefined {
    if (!existsSync(this.path)) return undefined;
    this.#follow();
    const span = this.#spans.get(id);
    return span ? readSpan(this.path, span) : undefined;
  }

  /** The spans of the file as it is now (read first if it changed), for the index cache. */
  spans(): ItemSpans {
    if (existsSync(this.path)) this.#follow();
    else {
      this.#spans.clear();
      this.#mark = "";
    }
    const spans: number[] = [];
    for (const span of this.#spans.values()) spans.push(span.offset, span.length);
    return { mark: this.#mark, ids: [...this.#spans.keys()], spans };
  }

  /** Takes spans an earlier process read; they are used only if the file is still the same. */
  restore(kept: ItemSpans): void {
    this.#kept = kept;
  }

  #follow(): void {
    const { size, mtimeMs } = statSync(this.path);
    const mark = `${size}:${mtimeMs}`;
    if (mark === this.#mark) return;
    this.#spans.clear();
    this.#mark = mark;
    const kept = this.#kept;
    this.#kept = undefined;
    if (kept?.mark === mark) {
      kept.ids.forEach((id, i) => {
        this.#spans.set(id, { offset: kept.spans[2 * i]!, length: kept.spans[2 * i + 1]! });
      });
      return;
    }
    scanLines(this.path, (text, span) => {
      if (text.trim() === "") return;
      // only the id is needed here (written first): the line is parsed again when shown
      const id = /^\{"id":("(?:[^"\\]|\\.)*")/.exec(text)?.[1];
      const key = id !== undefined ? (JSON.parse(id) as string) : (JSON.parse(text).id as string);
      if (typeof key === "string" && !this.#spans.has(key)) this.#spans.set(key, span);
    });
  }
}
