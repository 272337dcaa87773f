import { JsonlAppender, readJsonl } from "../jsonl-file.ts";

/** One line of `<run>/batch/journal.jsonl`: a step of one online batch, written as it happens. */
export type JournalEvent =
  | { event: "planned"; batch: string; file: string; requests: number; endpoint: string }
  | { event: "uploaded"; batch: string; fileId: string }
  | { event: "created"; batch: string; batchId: string }
  | { event: "ingested"; batch: string; answered: number; failed: number };

/** What the journal says about one batch. */
export interface JournalBatch {
  batch: string;
  file: string;
  endpoint: string;
  fileId?: string;
  batchId?: string;
  ingested: boolean;
}

/**
 * The durable history of a run's online batches. A killed run replays it to find the batches it
 * created (or may have created: uploaded but not journaled as created) and reattaches to them
 * instead of submitting their requests again. Each line is synced before the step it records
 * is acted on further.
 */
export class BatchJournal {
  readonly batches = new Map<string, JournalBatch>();
  readonly #out: JsonlAppender;

  constructor(readonly path: string) {
    for (const e of readJsonl<JournalEvent>(path, { repair: true })) this.#apply(e);
    this.#out = new JsonlAppender(path, { durable: true });
  }

  record(event: JournalEvent): void {
    this.#out.append(event);
    this.#apply(event);
  }

  /** The name of the next batch: b0001, b0002, ... */
  nextName(): string {
    return `b${String(this.batches.size + 1).padStart(4, "0")}`;
  }

  close(): void {
    this.#out.close();
  }

  #apply(e: JournalEvent): void {
    if (e.event === "planned") {
      this.batches.set(e.batch, {
        batch: e.batch,
        file: e.file,
        endpoint: e.endpoint,
        ingested: false,
      });
      return;
    }
    const b = this.batches.get(e.batch);
    if (!b) return;
    if (e.event === "uploaded") b.fileId = e.fileId;
    else if (e.event === "created") b.batchId = e.batchId;
    else b.ingested = true;
  }
}
