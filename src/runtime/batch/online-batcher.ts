import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AnswerStore } from "./answer-store.ts";
import { type BatchApi, type BatchObject, finishedStatuses } from "./batch-api.ts";
import { type BatchInputLine, parseBatchAnswer } from "./batch-format.ts";
import type { BatchJournal, JournalBatch } from "./batch-journal.ts";

export interface OnlineBatcherOptions {
  api: BatchApi;
  journal: BatchJournal;
  answers: AnswerStore;
  /** `<run>/batch`: input files and downloaded copies of outputs go here. */
  dir: string;
  runId: string;
  /** Requests per batch (OpenAI allows 50,000). */
  maxLines: number;
  /** Submit a partial batch this long after its first request. */
  flushAfterMs: number;
  pollMs: number;
  log?: (message: string) => void;
}

/**
 * Submits model calls as OpenAI Batch jobs: requests queue until `maxLines` or `flushAfterMs`,
 * then go out as one batch (input file journaled, uploaded as `chorus-<run>-<batch>.jsonl`,
 * created with metadata {chorus_run, chorus_batch}); finished batches are downloaded and every
 * line goes into the answer store by custom_id, lines the batch did not answer as failures. A
 * restarted run `reattach`es to the journal's unfinished batches first: a batch that may have
 * been created without the journal knowing is found by its metadata, so none is created twice.
 */
export class OnlineBatcher {
  readonly #o: OnlineBatcherOptions;
  #queue: Array<{ line: BatchInputLine; done: () => void; fail: (e: Error) => void }> = [];
  #timer: NodeJS.Timeout | undefined;
  /** custom_id -> the batch (in flight) that carries it. */
  readonly #carrying = new Map<string, Promise<void>>();
  readonly #inFlight = new Set<Promise<void>>();
  #closed = false;

  constructor(options: OnlineBatcherOptions) {
    this.#o = options;
  }

  /** Finishes the batches the journal left unfinished (submitting those never created). */
  async reattach(): Promise<void> {
    const open = [...this.#o.journal.batches.values()].filter((b) => !b.ingested);
    if (open.length === 0) return;
    this.#o.log?.(`reattaching to ${open.length} unfinished batch(es)`);
    let listed: BatchObject[] | undefined;
    for (const b of open) {
      if (b.batchId === undefined) {
        listed ??= await this.#o.api.listBatches();
        const found = listed.find(
          (x) => x.metadata?.chorus_run === this.#o.runId && x.metadata?.chorus_batch === b.batch,
        );
        if (found) this.#o.journal.record({ event: "created", batch: b.batch, batchId: found.id });
      }
      const lines = readFileSync(join(this.#o.dir, b.file), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as BatchInputLine);
      this.#track(b, lines);
    }
  }

  /** Resolves once the request's answer or failure is in the answer store. */
  submit(line: BatchInputLine): Promise<void> {
    const carried = this.#carrying.get(line.custom_id);
    if (carried) return carried;
    return new Promise((done, fail) => {
      this.#queue.push({ line, done, fail });
      if (this.#queue.length >= this.#o.maxLines) this.#flush();
      else this.#timer ??= setTimeout(() => this.#flush(), this.#o.flushAfterMs);
    });
  }

  /** Waits for the batches in flight; nothing new is submitted after. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await Promise.allSettled([...this.#inFlight]);
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const queued = this.#queue;
    this.#queue = [];
    if (queued.length === 0 || this.#closed) return;
    // one endpoint per batch (an OpenAI rule): group by url
    for (const url of new Set(queued.map((q) => q.line.url))) {
      const group = queued.filter((q) => q.line.url === url);
      const batch = this.#o.journal.nextName();
      const file = `${batch}.input.jsonl`;
      writeFileSync(
        join(this.#o.dir, file),
        group.map((q) => `${JSON.stringify(q.line)}\n`).join(""),
      );
      this.#o.journal.record({
        event: "planned",
        batch,
        file,
        requests: group.length,
        endpoint: url,
      });
      const done = this.#track(
        this.#o.journal.batches.get(batch)!,
        group.map((q) => q.line),
      );
      done.then(
        () => {
          for (const q of group) q.done();
        },
        (error: Error) => {
          for (const q of group) q.fail(error);
        },
      );
    }
  }

  /** Carries `lines` through `b`'s remaining steps; resolves once its answers are stored. */
  #track(b: JournalBatch, lines: readonly BatchInputLine[]): Promise<void> {
    const run = this.#advance(b, lines);
    for (const l of lines) this.#carrying.set(l.custom_id, run);
    this.#inFlight.add(run);
    const forget = () => {
      this.#inFlight.delete(run);
      for (const l of lines)
        if (this.#carrying.get(l.custom_id) === run) this.#carrying.delete(l.custom_id);
    };
    run.then(forget, forget);
    return run;
  }

  async #advance(b: JournalBatch, lines: readonly BatchInputLine[]): Promise<void> {
    const { api, journal, runId } = this.#o;
    if (b.batchId === undefined) {
      if (b.fileId === undefined) {
        const content = readFileSync(join(this.#o.dir, b.file), "utf8");
        const fileId = await api.uploadFile(`chorus-${runId}-${b.batch}.jsonl`, content);
        journal.record({ event: "uploaded", batch: b.batch, fileId });
      }
      const created = await api.createBatch(b.fileId!, b.endpoint, {
        chorus_run: runId,
        chorus_batch: b.batch,
      });
      journal.record({ event: "created", batch: b.batch, batchId: created.id });
    }
    let status = await api.getBatch(b.batchId!);
    while (!finishedStatuses.has(status.status)) {
      await new Promise((resolve) => setTimeout(resolve, this.#o.pollMs));
      status = await api.getBatch(b.batchId!);
    }
    let answered = 0;
    let failed = 0;
    const seen = new Set<string>();
    for (const [kind, fileId] of [
      ["output", status.output_file_id],
      ["errors", status.error_file_id],
    ] as const) {
      if (!fileId) continue;
      const text = await api.fileContent(fileId);
      const copy = join(this.#o.dir, `${b.batch}.${kind}.jsonl`);
      writeFileSync(copy, text);
      for (const [i, raw] of text.split("\n").entries()) {
        if (raw.trim() === "") continue;
        const answer = parseBatchAnswer(raw, { file: copy, line: i + 1 });
        seen.add(answer.customId);
        if (await this.#o.answers.add(answer)) {
          if (answer.error) failed++;
          else answered++;
        }
      }
    }
    // requests the batch never answered (a failed, expired or cancelled batch) are failed attempts
    const why = status.errors?.data?.[0]?.message ?? `batch ${b.batchId} ended ${status.status}`;
    for (const l of lines)
      if (!seen.has(l.custom_id) && !this.#o.answers.get(l.custom_id)?.answer) {
        await this.#o.answers.add({
          customId: l.custom_id,
          lineId: `${b.batchId}:missing:${l.custom_id}`,
          error: { code: "missing", message: `no answer line: ${why}` },
        });
        failed++;
      }
    journal.record({ event: "ingested", batch: b.batch, answered, failed });
  }
}
