import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { JsonlAppender, readJsonl } from "../jsonl-file.ts";
import { type BatchAnswer, isAnswered } from "./batch-format.ts";

/** What is known about one request: its answer, or the failed attempts so far. */
export interface RequestState {
  answer?: BatchAnswer;
  errors: BatchAnswer[];
}

/**
 * The answers a run's batches brought back, by custom_id: `<run>/batch/answers.jsonl`, one
 * line per output or error line taken in (offline imports and online downloads alike). Resume
 * reads answers from here, so a sampled call is never sampled twice and a finished request is
 * never sent again; failed attempts are kept to bound retries.
 */
export class AnswerStore {
  readonly path: string;
  readonly #states = new Map<string, RequestState>();
  readonly #lineIds = new Set<string>();
  readonly #out: JsonlAppender;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    for (const answer of readJsonl<BatchAnswer>(path, { repair: true })) this.#remember(answer);
    this.#out = new JsonlAppender(path, { groupSync: {} });
  }

  get(customId: string): RequestState | undefined {
    return this.#states.get(customId);
  }

  /** Requests with an answer. */
  get answered(): number {
    let n = 0;
    for (const state of this.#states.values()) if (state.answer) n++;
    return n;
  }

  /**
   * Records an answer line; resolves once it is on disk. Returns false (and writes nothing) for
   * a line taken in before (same runner line id) or a request already answered.
   */
  async add(answer: BatchAnswer): Promise<boolean> {
    if (answer.lineId !== undefined && this.#lineIds.has(answer.lineId)) return false;
    if (this.#states.get(answer.customId)?.answer) return false;
    this.#remember(answer);
    await this.#out.appendSynced(answer);
    return true;
  }

  close(): void {
    this.#out.close();
  }

  #remember(answer: BatchAnswer): void {
    if (answer.lineId !== undefined) this.#lineIds.add(answer.lineId);
    const state = this.#states.get(answer.customId) ?? { errors: [] };
    if (isAnswered(answer)) state.answer = answer;
    else state.errors.push(answer);
    this.#states.set(answer.customId, state);
  }
}
