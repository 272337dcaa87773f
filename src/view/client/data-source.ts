import {
  type CompareView,
  compareKey,
  type EmbeddedData,
  type ItemDetail,
  type ItemRow,
  type RunListing,
  type RunSummary,
} from "../shared/view-data.ts";

/** The two sides of a comparison, as the URL names them. */
export interface CompareQuery {
  a: string;
  am: string;
  b: string;
  bm: string;
}

/** Where the page gets runs from: the `chorus view` server, or the data an export carries. */
export interface DataSource {
  runs(): Promise<RunListing[]>;
  summary(run: string): Promise<RunSummary>;
  /** The full record of line `n`; null when the export dropped it (`notice` says why). */
  detail(run: string, n: number): Promise<ItemDetail | null>;
  /** Method `am` of run `a` paired with `bm` of `b` (computed in Node: flips, Δ with its CI). */
  compare(q: CompareQuery): Promise<CompareView>;
  /** A sentence to show on every page (what an export left out), or empty. */
  notice: string;
  /**
   * Calls `onRows` with rows appended to a run past its first `from` (a run still writing), and
   * `onReset` when its results were replaced; returns a function that stops following. Only a
   * served page can follow; an export is a snapshot.
   */
  follow?(
    run: string,
    from: number,
    onRows: (rows: ItemRow[], listing: RunListing) => void,
    onReset: () => void,
  ): () => void;
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export function serverSource(): DataSource {
  const run = (id: string) => `/api/runs/${encodeURIComponent(id)}`;
  return {
    notice: "",
    runs: () => getJson("/api/runs"),
    summary: (id) => getJson(`${run(id)}/summary`),
    detail: (id, n) => getJson(`${run(id)}/items/${n}`),
    compare: (q) => getJson(`/api/compare?${new URLSearchParams({ ...q })}`),
    follow(id, from, onRows, onReset) {
      const events = new EventSource(`${run(id)}/stream?from=${from}`);
      events.addEventListener("rows", (event) => {
        const data = JSON.parse((event as MessageEvent<string>).data) as {
          rows: ItemRow[];
          listing: RunListing;
        };
        onRows(data.rows, data.listing);
      });
      events.addEventListener("reset", onReset);
      return () => events.close();
    },
  };
}

/** Decodes an export's base64 gzip block with the browser's own DecompressionStream. */
export async function embeddedSource(base64: string): Promise<DataSource> {
  const bytes = Uint8Array.from(atob(base64.trim()), (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  const data = JSON.parse(await new Response(stream).text()) as EmbeddedData;
  const byId = new Map(data.runs.map((r) => [r.listing.id, r]));
  const summary = (id: string) => {
    const found = byId.get(id);
    if (!found) throw new Error(`no run "${id}" in this export`);
    return found;
  };
  return {
    notice: data.dropped,
    runs: async () => data.runs.map((r) => r.listing),
    summary: async (id) => summary(id),
    detail: async (id, n) => {
      const line = data.records[id]?.[n];
      if (line === undefined) return null;
      const itemId = byId.get(id)?.rows[n]?.itemId;
      const item = itemId === undefined ? undefined : data.items?.[id]?.[itemId];
      return {
        n,
        record: JSON.parse(line),
        calls: data.calls[id]?.[n] ?? [],
        ...(item !== undefined ? { item: JSON.parse(item) } : {}),
      };
    },
    compare: async (q) => {
      const a = { run: q.a, method: q.am };
      const b = { run: q.b, method: q.bm };
      const found = data.comparisons[compareKey(a, b)];
      if (!found)
        throw new Error(
          `this export holds no comparison of ${q.a}/${q.am} with ${q.b}/${q.bm} (an export computes them for up to 8 run × method sides)`,
        );
      return found;
    },
  };
}
