import { existsSync, statSync } from "node:fs";
import { type LineSpan, readSpan, scanLines } from "./jsonl-lines.ts";

/**
 * A run's `items.jsonl` (what each input item asked), looked up by item id. The file is rewritten
 * whole by each attempt of a run, not appended, so a change of size or mtime re-reads its spans.
 */
export class ItemsFile {
  readonly path: string;
  #spans = new Map<string, LineSpan>();
  #mark = "";

  constructor(path: string) {
    this.path = path;
  }

  /** The raw line of item `id`, or undefined when the run recorded no such item. */
  line(id: string): string | undefined {
    if (!existsSync(this.path)) return undefined;
    const { size, mtimeMs } = statSync(this.path);
    const mark = `${size}:${mtimeMs}`;
    if (mark !== this.#mark) {
      this.#spans.clear();
      scanLines(this.path, (text, span) => {
        if (text.trim() === "") return;
        // only the id is needed here (written first): the line is parsed again when shown
        const id = /^\{"id":("(?:[^"\\]|\\.)*")/.exec(text)?.[1];
        const key = id !== undefined ? (JSON.parse(id) as string) : (JSON.parse(text).id as string);
        if (typeof key === "string" && !this.#spans.has(key)) this.#spans.set(key, span);
      });
      this.#mark = mark;
    }
    const span = this.#spans.get(id);
    return span ? readSpan(this.path, span) : undefined;
  }
}
