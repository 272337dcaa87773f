import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { RunManifest } from "../runtime/run.ts";
import { expertSkillMatrices, type MoeRecord, routedRecord } from "./expert-skills.ts";
import { type FileMark, markFile, stillCovers } from "./file-mark.ts";
import {
  type CachedIndex,
  type IndexHead,
  type ModelTotals,
  type RowTotals,
  readIndexCache,
  writeIndexCache,
} from "./index-cache.ts";
import { itemRow } from "./item-row.ts";
import { ItemsFile } from "./items-file.ts";
import { type LineSpan, readSpan, readSpans, scanLines } from "./jsonl-lines.ts";
import type { TrainingView } from "./shared/training-data.ts";
import type {
  CallView,
  ExpertSkillMatrix,
  ItemDetail,
  ItemRow,
  ReportView,
  RunListing,
  RunSummary,
} from "./shared/view-data.ts";
import { trainingViews } from "./training/training-views.ts";

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === "string" ? [value] : [];

/**
 * Line spans as flat `[offset, length, offset, length...]` lists, here and in the cache file: a
 * 30k-line run's index is then two number arrays rather than 60k small objects to allocate
 * (and collect) when a new process reads it back.
 */
type FlatSpans = number[];

function spansAt(flat: FlatSpans, from: number, to: number): LineSpan[] {
  const spans: LineSpan[] = [];
  for (let i = from; i < to && 2 * i < flat.length; i++)
    spans.push({ offset: flat[2 * i]!, length: flat[2 * i + 1]! });
  return spans;
}

/**
 * One run folder, indexed: per results.jsonl line its byte span and table columns, per item the
 * spans of its events.jsonl calls. Records stay on disk and are read one at a time. `refresh()`
 * re-reads only what changed: bytes appended since (a live run, a resume) extend the index.
 * With a `cacheDir`, the index is kept on disk too (see index-cache.ts), so another process
 * opening the same run reads only what was appended since, or nothing; the cached rows are
 * parsed when first asked for.
 */
export class RunIndex {
  readonly id: string;
  readonly dir: string;
  #manifest: RunManifest | undefined;
  #rows: ItemRow[] = [];
  /** The cached rows, not parsed yet: `#allRows()` parses them on first use. */
  #cachedRows: (() => ItemRow[]) | undefined;
  /** Per row its id, and sums and extra columns over the rows: what a listing needs. */
  #ids: string[] = [];
  #totals: RowTotals = { tokens: 0, calls: 0, wallMs: 0 };
  #extraColumns: string[] = [];
  #spans: FlatSpans = [];
  #events = new Map<string, FlatSpans>();
  #byModel = new Map<string, ModelTotals>();
  #marks = new Map<string, FileMark>();
  #items: ItemsFile;
  /**
   * What the expert × skill matrix reads of each routed line, kept as the lines are indexed;
   * undefined after a cached reopen (the cache holds the matrix, not these) until a matrix over
   * more rows reads them again.
   */
  #routed: MoeRecord[] | undefined = [];
  #matrices: { rows: number; value: ExpertSkillMatrix[] } | undefined;

  constructor(dir: string, id = basename(dir), options: { cacheDir?: string } = {}) {
    this.dir = dir;
    this.id = id;
    this.#items = new ItemsFile(join(dir, "items.jsonl"));
    const cached = options.cacheDir ? readIndexCache(options.cacheDir, dir) : undefined;
    if (cached) this.#restore(cached);
    const read = this.refresh();
    if (options.cacheDir && (read || !cached))
      writeIndexCache(options.cacheDir, dir, this.#head(), this.#allRows());
  }

  #head(): IndexHead {
    return {
      spans: this.#spans,
      events: Object.fromEntries(this.#events),
      byModel: [...this.#byModel],
      marks: Object.fromEntries(this.#marks),
      ids: this.#ids,
      totals: this.#totals,
      extraColumns: this.#extraColumns,
      expertSkills: this.#expertSkillMatrices(),
      items: this.#items.spans(),
    };
  }

  #restore({ head, rows }: CachedIndex): void {
    this.#cachedRows = rows;
    this.#ids = head.ids;
    this.#totals = head.totals;
    this.#extraColumns = head.extraColumns;
    this.#spans = head.spans;
    this.#events = new Map(Object.entries(head.events));
    this.#byModel = new Map(head.byModel);
    this.#marks = new Map(Object.entries(head.marks));
    this.#routed = undefined;
    this.#matrices = { rows: head.ids.length, value: head.expertSkills };
    this.#items.restore(head.items);
  }

  #allRows(): ItemRow[] {
    if (this.#cachedRows) {
      this.#rows = this.#cachedRows();
      this.#cachedRows = undefined;
    }
    return this.#rows;
  }

  #addRow(row: ItemRow): void {
    this.#allRows().push(row);
    this.#ids.push(row.id);
    this.#totals.tokens += row.tokens;
    this.#totals.calls += row.calls;
    this.#totals.wallMs += row.wallMs;
    for (const key of Object.keys(row.extra))
      if (!this.#extraColumns.includes(key)) this.#extraColumns.push(key);
  }

  /** Picks up what the run wrote since the last look; says whether there was anything. */
  refresh(): boolean {
    this.#manifest = JSON.parse(readFileSync(join(this.dir, "config.json"), "utf8")) as RunManifest;
    const method = strings(this.#runConfig()["method"])[0] ?? this.#command();
    const results = this.#follow("results.jsonl", (text, span) => {
      const n = this.#ids.length;
      const line = JSON.parse(text) as { id?: unknown; result?: unknown };
      this.#addRow(itemRow(n, line, method));
      this.#spans.push(span.offset, span.length);
      const routed = routedRecord(line.result);
      if (routed) this.#routed?.push(routed);
    });
    const events = this.#follow("events.jsonl", (text, span) => {
      const event = JSON.parse(text) as Partial<CallView> & { item?: string };
      if (event.item !== undefined) {
        const spans = this.#events.get(event.item) ?? [];
        spans.push(span.offset, span.length);
        this.#events.set(event.item, spans);
      }
      const model = String(event.model ?? "?");
      const totals = this.#byModel.get(model) ?? { calls: 0, tokens: 0, latencyMs: 0 };
      totals.calls++;
      totals.tokens += (event.inputTokens ?? 0) + (event.outputTokens ?? 0);
      totals.latencyMs += event.latencyMs ?? 0;
      this.#byModel.set(model, totals);
    });
    return results || events;
  }

  /**
   * Reads `name` from where the index stopped; starts over when the file shrank or was replaced.
   * Returns whether the file changed since the last look.
   */
  #follow(name: string, onLine: (text: string, span: LineSpan) => void): boolean {
    const path = join(this.dir, name);
    if (!existsSync(path)) return false;
    const stat = statSync(path);
    const mark = this.#marks.get(name);
    if (mark && mark.size === stat.size && mark.mtimeMs === stat.mtimeMs) return false;
    let from = mark?.covered ?? 0;
    if (mark && !stillCovers(path, mark, stat.size)) {
      from = 0;
      if (name === "results.jsonl") {
        this.#rows = [];
        this.#cachedRows = undefined;
        this.#ids = [];
        this.#totals = { tokens: 0, calls: 0, wallMs: 0 };
        this.#extraColumns = [];
        this.#spans = [];
        this.#routed = [];
        this.#matrices = undefined;
      } else {
        this.#events.clear();
        this.#byModel.clear();
      }
    }
    const covered = scanLines(
      path,
      (text, span) => {
        if (text.trim() !== "") onLine(text, span);
      },
      from,
    );
    this.#marks.set(name, markFile(path, stat, covered));
    return true;
  }

  #runConfig(): Record<string, unknown> {
    const config = this.#manifest?.config;
    return typeof config === "object" && config !== null ? (config as Record<string, unknown>) : {};
  }

  #command(): string {
    return String(this.#runConfig()["command"] ?? this.#manifest?.argv?.[0] ?? "");
  }

  get rows(): readonly ItemRow[] {
    return this.#allRows();
  }

  #callsByModel() {
    return [...this.#byModel].map(([model, t]) => ({ model, ...t }));
  }

  /** The run's line in the runs list; needs no rows (a cached index has not parsed them). */
  listing(): RunListing {
    return this.#listing(this.#report(), this.#failures());
  }

  #report(): ReportView | null {
    const found = this.#readJson("report.json") as ReportView | null;
    // `chorus pbt eval` writes a report.json of its own shape (its panel reads it)
    return Array.isArray(found?.methods) ? found : null;
  }

  #listing(report: ReportView | null, failures: ReadonlyArray<unknown>): RunListing {
    const config = this.#runConfig();
    const eventTotals = this.#callsByModel().reduce(
      (a, m) => ({ calls: a.calls + m.calls, tokens: a.tokens + m.tokens }),
      { calls: 0, tokens: 0 },
    );
    const manifest = this.#manifest;
    return {
      id: this.id,
      command: this.#command(),
      methods: strings(config["methods"] ?? config["method"]),
      dataset: String(config["dataset"] ?? report?.dataset ?? ""),
      split: String(config["split"] ?? report?.split ?? ""),
      models: Object.entries(manifest?.models ?? {}).map(([name, m]) =>
        m.sha256
          ? `${name} (${m.sha256.slice(0, 12)})`
          : m.baseURL
            ? `${name} (${m.baseURL})`
            : name,
      ),
      createdAt: manifest?.createdAt ?? "",
      results: this.#ids.length,
      failures: failures.length,
      // events.jsonl misses calls that bypass the metered model (AdaCAD's decoder streams);
      // records book those in their usage, so the larger count is the truer one
      tokens: Math.max(eventTotals.tokens, this.#totals.tokens),
      calls: Math.max(eventTotals.calls, this.#totals.calls),
      wallMs: this.#totals.wallMs,
      resumes: manifest?.resumedAt?.length ?? 0,
    };
  }

  summary(): RunSummary {
    const report = this.#report();
    const failures = this.#failures();
    return {
      listing: this.#listing(report, failures),
      report,
      extraColumns: [...this.#extraColumns],
      rows: this.#allRows(),
      failures,
      callsByModel: this.#callsByModel(),
      config: this.#manifest,
      ...this.#expertSkills(),
    };
  }

  #expertSkills(): { expertSkills?: ExpertSkillMatrix[] } {
    const value = this.#expertSkillMatrices();
    return value.length > 0 ? { expertSkills: value } : {};
  }

  /**
   * Symbolic-MoE's expert × skill matrices over the lines whose method routed by skill; computed
   * again only when rows came. The index cache holds them, so a reopened run reads no record for
   * them unless lines were appended since.
   */
  #expertSkillMatrices(): ExpertSkillMatrix[] {
    if (this.#matrices?.rows !== this.#ids.length)
      this.#matrices = {
        rows: this.#ids.length,
        value: expertSkillMatrices(this.#routedRecords()),
      };
    return this.#matrices.value;
  }

  /**
   * The routed lines' parts the matrix reads: kept while indexing, or, after a cached reopen,
   * read again from the records of the lines whose `expertMajorityCorrect` column marks them.
   */
  #routedRecords(): MoeRecord[] {
    if (!this.#routed) {
      const rows = this.#extraColumns.includes("expertMajorityCorrect")
        ? this.#allRows().filter((r) => typeof r.extra["expertMajorityCorrect"] === "boolean")
        : [];
      const spans = rows.map((r) => ({
        offset: this.#spans[2 * r.n]!,
        length: this.#spans[2 * r.n + 1]!,
      }));
      this.#routed = readSpans(join(this.dir, "results.jsonl"), spans).flatMap(
        (text) => routedRecord((JSON.parse(text) as { result?: unknown }).result) ?? [],
      );
    }
    return this.#routed;
  }

  /**
   * LASeR, DataEnvGym and PBT runs' own overview data (empty for other runs); apart from
   * `summary()` so the runs list never computes it. Cached until the files it reads change.
   */
  training(): TrainingView[] {
    return this.#manifest ? trainingViews(this.dir, this.#manifest) : [];
  }

  /** Failed items that no later attempt finished. */
  #failures(): Array<{ id: string; error: string }> {
    const path = join(this.dir, "failures.jsonl");
    if (!existsSync(path)) return [];
    const done = new Set(this.#ids);
    const last = new Map<string, string>();
    scanLines(path, (text) => {
      if (text.trim() === "") return;
      const f = JSON.parse(text) as { id: string; error: string };
      if (!done.has(f.id)) last.set(f.id, f.error);
    });
    return [...last].map(([id, error]) => ({ id, error }));
  }

  #readJson(name: string): unknown {
    const path = join(this.dir, name);
    return existsSync(path) ? JSON.parse(readFileSync(path, "utf8")) : null;
  }

  /** The raw results.jsonl line `n`, or undefined past the end. */
  recordLine(n: number): string | undefined {
    const [span] = spansAt(this.#spans, n, n + 1);
    return span ? readSpan(join(this.dir, "results.jsonl"), span) : undefined;
  }

  /** The length in bytes of results.jsonl line `n`. */
  spanLength(n: number): number {
    return this.#spans[2 * n + 1] ?? 0;
  }

  /** The raw results.jsonl lines `from` up to `to` (an export reads thousands in a row). */
  recordLines(from: number, to: number): string[] {
    return readSpans(join(this.dir, "results.jsonl"), spansAt(this.#spans, from, to));
  }

  /** The model calls made for the item on line `n`. */
  calls(n: number): CallView[] {
    const id = this.#ids[n];
    const flat = id === undefined ? [] : (this.#events.get(id) ?? []);
    const spans = spansAt(flat, 0, flat.length / 2);
    return readSpans(join(this.dir, "events.jsonl"), spans).map((text) => {
      const { item: _item, provider: _provider, ...call } = JSON.parse(text);
      return call as CallView;
    });
  }

  /** The items.jsonl line of the item on line `n` (what it asked), when the run recorded it. */
  itemLine(n: number): string | undefined {
    // the row's item id, not its run item id (`#ids`): items.jsonl is keyed by the input item
    const row = this.#allRows()[n];
    return row ? this.#items.line(row.itemId) : undefined;
  }

  detail(n: number): ItemDetail | undefined {
    const line = this.recordLine(n);
    if (line === undefined) return undefined;
    const item = this.itemLine(n);
    return {
      n,
      record: JSON.parse(line),
      calls: this.calls(n),
      ...(item !== undefined ? { item: JSON.parse(item) } : {}),
    };
  }
}
