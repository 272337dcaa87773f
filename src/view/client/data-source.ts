import type {
  CompareView,
  ItemDetail,
  ItemRow,
  RunListing,
  RunSummary,
} from "../shared/view-data.ts";

/** The two sides of a comparison, as the URL names them. */
export interface CompareQuery {
  a: string;
  am: string;
  b: string;
  bm: string;
}

/** A run's summary whose rows may still be arriving: a large run's come in chunks. */
export interface SummaryLoad {
  /** The run with its first rows; the rest are appended to `summary.rows` as they come. */
  summary: RunSummary;
  /** Settles once `summary.rows` holds all `listing.results` rows, or with what stopped them. */
  complete: Promise<void>;
}

/** Where the page gets runs from: the `chorus view` server, or the data an export carries. */
export interface DataSource {
  runs(): Promise<RunListing[]>;
  /**
   * Resolves as soon as the run's first rows are in (a table can draw); `onRows` is told each
   * time more were appended.
   */
  summary(run: string, onRows: (summary: RunSummary) => void): Promise<SummaryLoad>;
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

/** Appends each chunk of `later` to `summary.rows` as it comes, telling `onRows`. */
export function loadRows(
  summary: RunSummary,
  later: AsyncIterable<ItemRow[]>,
  onRows: (summary: RunSummary) => void,
): SummaryLoad {
  const complete = (async () => {
    for await (const rows of later) {
      for (const row of rows) summary.rows.push(row);
      onRows(summary);
    }
    const { results, id } = summary.listing;
    if (summary.rows.length !== results)
      throw new Error(`run ${id}: ${summary.rows.length} of its ${results} rows arrived`);
  })();
  return { summary, complete };
}

/** The values of a response of JSON lines, each as soon as its line is complete. */
async function* jsonLines(response: Response): AsyncGenerator<unknown> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let pieces: string[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    // a 2.5 MB line comes in many pieces: look for its end in each new piece only
    let start = 0;
    for (let end = value.indexOf("\n"); end >= 0; end = value.indexOf("\n", start)) {
      pieces.push(value.slice(start, end));
      yield JSON.parse(pieces.join(""));
      pieces = [];
      start = end + 1;
    }
    pieces.push(value.slice(start));
  }
  if (pieces.join("") !== "") throw new Error(`${response.url}: cut off mid-line`);
}

export function serverSource(): DataSource {
  const run = (id: string) => `/api/runs/${encodeURIComponent(id)}`;
  return {
    notice: "",
    runs: () => getJson("/api/runs"),
    async summary(id, onRows) {
      const path = `${run(id)}/summary.jsonl`;
      const response = await fetch(path);
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      const lines = jsonLines(response);
      const first = await lines.next();
      if (first.done) throw new Error(`${path}: empty`);
      return loadRows(first.value as RunSummary, lines as AsyncIterable<ItemRow[]>, onRows);
    },
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
