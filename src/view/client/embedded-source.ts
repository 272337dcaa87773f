import type { ExportHead, RecordBlock } from "../shared/export-data.ts";
import { type CompareView, compareKey, type ItemRow } from "../shared/view-data.ts";
import { type DataSource, loadRows } from "./data-source.ts";

/** Decodes one base64 gzip block with the browser's own DecompressionStream. */
async function unpack<T>(base64: string): Promise<T> {
  const binary = atob(base64.trim());
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return JSON.parse(await new Response(stream).text()) as T;
}

/** The data block with element id `id`, decoded. */
function block<T>(id: string): Promise<T> {
  const element = document.getElementById(id);
  if (!element) return Promise.reject(new Error(`this export has no data block ${id}`));
  return unpack<T>(element.textContent ?? "");
}

/** Keeps the last `size` blocks decoded: items are opened one by one, often neighbours. */
function recent<T>(size: number): (id: string) => Promise<T> {
  const kept = new Map<string, Promise<T>>();
  return (id) => {
    const found = kept.get(id) ?? block<T>(id);
    kept.delete(id);
    kept.set(id, found);
    if (kept.size > size) kept.delete(kept.keys().next().value!);
    return found;
  };
}

/**
 * The data an export carries (shared/export-data.ts), given its head block: a run's rows are
 * decoded chunk by chunk, the first before its table draws; a record's block when it is opened.
 */
export async function embeddedSource(head: string): Promise<DataSource> {
  const data = await unpack<ExportHead>(head);
  const byId = new Map(data.runs.map((r) => [r.listing.id, r]));
  const records = recent<RecordBlock>(4);
  const comparisons = recent<CompareView>(2);
  return {
    notice: data.dropped,
    runs: async () => data.runs.map((r) => r.listing),
    async summary(id, onRows) {
      const found = byId.get(id);
      if (!found) throw new Error(`no run "${id}" in this export`);
      const [first, ...later] = data.rows[id] ?? [];
      const rows = first ? await block<ItemRow[]>(first) : [];
      async function* rest(): AsyncGenerator<ItemRow[]> {
        for (const id of later) yield await block<ItemRow[]>(id);
      }
      return loadRows({ ...found, rows }, rest(), onRows);
    },
    async detail(id, n) {
      const where = data.records[id]?.find((b) => n >= b.from && n < b.from + b.count);
      if (!where) return null;
      const got = await records(where.block);
      const at = n - got.from;
      const item = got.items[at];
      return {
        n,
        record: JSON.parse(got.lines[at]!),
        calls: got.calls[at]!,
        ...(typeof item === "string" ? { item: JSON.parse(item) } : {}),
      };
    },
    async compare(q) {
      const a = { run: q.a, method: q.am };
      const b = { run: q.b, method: q.bm };
      const found = data.comparisons[compareKey(a, b)];
      if (!found)
        throw new Error(
          `this export holds no comparison of ${q.a}/${q.am} with ${q.b}/${q.bm} (an export computes them for up to 8 run × method sides)`,
        );
      return comparisons(found);
    },
  };
}
