import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { RunManifest } from "../runtime/run.ts";
import { expertSkillMatrices } from "./expert-skills.ts";
import { itemRow } from "./item-row.ts";
import { ItemsFile } from "./items-file.ts";
import { type LineSpan, readSpan, scanLines } from "./jsonl-lines.ts";
import type { TrainingView } from "./shared/training-data.ts";
import type {
  CallView,
  ExpertSkillMatrix,
  ItemDetail,
  ItemRow,
  ReportView,
  RunSummary,
} from "./shared/view-data.ts";
import { trainingViews } from "./training/training-views.ts";

interface FileMark {
  size: number;
  mtimeMs: number;
  /** Bytes read so far (complete lines only). */
  covered: number;
}

interface ModelTotals {
  calls: number;
  tokens: number;
  latencyMs: number;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === "string" ? [value] : [];

/**
 * One run folder, indexed: per results.jsonl line its byte span and table columns, per item the
 * spans of its events.jsonl calls. Records stay on disk and are read one at a time. `refresh()`
 * re-reads only what changed: bytes appended since (a live run, a resume) extend the index.
 */
export class RunIndex {
  readonly id: string;
  readonly dir: string;
  #manifest: RunManifest | undefined;
  #rows: ItemRow[] = [];
  #spans: LineSpan[] = [];
  #events = new Map<string, LineSpan[]>();
  #byModel = new Map<string, ModelTotals>();
  #marks = new Map<string, FileMark>();
  #items: ItemsFile;
  #matrices: { rows: number; value: ExpertSkillMatrix[] } | undefined;

  constructor(dir: string, id = basename(dir)) {
    this.dir = dir;
    this.id = id;
    this.#items = new ItemsFile(join(dir, "items.jsonl"));
    this.refresh();
  }

  /** Picks up what the run wrote since the last look. */
  refresh(): void {
    this.#manifest = JSON.parse(readFileSync(join(this.dir, "config.json"), "utf8")) as RunManifest;
    const method = strings(this.#runConfig()["method"])[0] ?? this.#command();
    this.#follow("results.jsonl", (text, span) => {
      const n = this.#rows.length;
      this.#rows.push(itemRow(n, JSON.parse(text) as { id?: unknown; result?: unknown }, method));
      this.#spans.push(span);
    });
    this.#follow("events.jsonl", (text, span) => {
      const event = JSON.parse(text) as Partial<CallView> & { item?: string };
      if (event.item !== undefined) {
        const spans = this.#events.get(event.item) ?? [];
        spans.push(span);
        this.#events.set(event.item, spans);
      }
      const model = String(event.model ?? "?");
      const totals = this.#byModel.get(model) ?? { calls: 0, tokens: 0, latencyMs: 0 };
      totals.calls++;
      totals.tokens += (event.inputTokens ?? 0) + (event.outputTokens ?? 0);
      totals.latencyMs += event.latencyMs ?? 0;
      this.#byModel.set(model, totals);
    });
  }

  /** Reads `name` from where the index stopped; starts over when the file shrank or was replaced. */
  #follow(name: string, onLine: (text: string, span: LineSpan) => void): void {
    const path = join(this.dir, name);
    if (!existsSync(path)) return;
    const { size, mtimeMs } = statSync(path);
    const mark = this.#marks.get(name);
    if (mark && mark.size === size && mark.mtimeMs === mtimeMs) return;
    let from = mark?.covered ?? 0;
    if (mark && size < mark.covered) {
      from = 0;
      if (name === "results.jsonl") {
        this.#rows = [];
        this.#spans = [];
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
    this.#marks.set(name, { size, mtimeMs, covered });
  }

  #runConfig(): Record<string, unknown> {
    const config = this.#manifest?.config;
    return typeof config === "object" && config !== null ? (config as Record<string, unknown>) : {};
  }

  #command(): string {
    return String(this.#runConfig()["command"] ?? this.#manifest?.argv?.[0] ?? "");
  }

  get rows(): readonly ItemRow[] {
    return this.#rows;
  }

  summary(): RunSummary {
    const config = this.#runConfig();
    const found = this.#readJson("report.json") as ReportView | null;
    // `chorus pbt eval` writes a report.json of its own shape (its panel reads it)
    const report = Array.isArray(found?.methods) ? found : null;
    const failures = this.#failures();
    const extraColumns: string[] = [];
    for (const row of this.#rows)
      for (const key of Object.keys(row.extra))
        if (!extraColumns.includes(key)) extraColumns.push(key);
    const byModel = [...this.#byModel].map(([model, t]) => ({ model, ...t }));
    const sum = (f: (r: ItemRow) => number) => this.#rows.reduce((a, r) => a + f(r), 0);
    const eventTotals = byModel.reduce(
      (a, m) => ({ calls: a.calls + m.calls, tokens: a.tokens + m.tokens }),
      { calls: 0, tokens: 0 },
    );
    const manifest = this.#manifest;
    return {
      listing: {
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
        results: this.#rows.length,
        failures: failures.length,
        // events.jsonl misses calls that bypass the metered model (AdaCAD's decoder streams);
        // records book those in their usage, so the larger count is the truer one
        tokens: Math.max(
          eventTotals.tokens,
          sum((r) => r.tokens),
        ),
        calls: Math.max(
          eventTotals.calls,
          sum((r) => r.calls),
        ),
        wallMs: sum((r) => r.wallMs),
        resumes: manifest?.resumedAt?.length ?? 0,
      },
      report,
      extraColumns,
      rows: this.#rows,
      failures,
      callsByModel: byModel,
      config: manifest,
      ...this.#expertSkills(),
    };
  }

  /**
   * Symbolic-MoE's expert × skill matrices, from the records of the lines whose method routed by
   * skill (their `expertMajorityCorrect` column marks them); computed again only when rows came.
   */
  #expertSkills(): { expertSkills?: ExpertSkillMatrix[] } {
    if (this.#matrices?.rows !== this.#rows.length) {
      const routed = this.#rows.filter(
        (r) => typeof r.extra["expertMajorityCorrect"] === "boolean",
      );
      const value =
        routed.length === 0
          ? []
          : expertSkillMatrices(
              routed.map((r) => (JSON.parse(this.recordLine(r.n)!) as { result: unknown }).result),
            );
      this.#matrices = { rows: this.#rows.length, value };
    }
    return this.#matrices.value.length > 0 ? { expertSkills: this.#matrices.value } : {};
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
    const done = new Set(this.#rows.map((r) => r.id));
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
    const span = this.#spans[n];
    return span ? readSpan(join(this.dir, "results.jsonl"), span) : undefined;
  }

  /** The model calls made for the item on line `n`. */
  calls(n: number): CallView[] {
    const row = this.#rows[n];
    const spans = row ? (this.#events.get(row.id) ?? []) : [];
    const path = join(this.dir, "events.jsonl");
    return spans.map((span) => {
      const { item: _item, provider: _provider, ...call } = JSON.parse(readSpan(path, span));
      return call as CallView;
    });
  }

  /** The items.jsonl line of the item on line `n` (what it asked), when the run recorded it. */
  itemLine(n: number): string | undefined {
    const row = this.#rows[n];
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
