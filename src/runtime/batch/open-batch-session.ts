import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../../model/errors.ts";
import type { ModelConfig } from "../config.ts";
import { BatchApi } from "./batch-api.ts";
import type { BatchInputLine } from "./batch-format.ts";
import { BatchJournal } from "./batch-journal.ts";
import { type BatchMode, BatchSession, batchDir } from "./batch-session.ts";
import { OnlineBatcher } from "./online-batcher.ts";

export interface OpenBatchSessionOptions {
  /** Requests per Batch file (offline) or per submitted batch (online). */
  maxLines: number;
  runId: string;
  /** Online: submit a partial batch this long after its first request (default 15 s). */
  flushAfterMs?: number;
  /** Online: how often a batch in flight is asked for its status (default 30 s). */
  pollMs?: number;
  log?: (message: string) => void;
}

/**
 * The batch side of a run folder for `mode` (undefined: a resume without `--batch`, which answers
 * from the run's batches and calls the server for the rest). Online, the first model to load
 * starts the batcher for its server, which first reattaches to the batches the journal left open.
 * @throws UsageError (on load) when online models name different servers, or replicas.
 */
export async function openBatchSession(
  runDir: string,
  mode: BatchMode | undefined,
  options: OpenBatchSessionOptions,
): Promise<BatchSession> {
  if (mode !== "online")
    return new BatchSession({ runDir, maxLines: options.maxLines, ...(mode ? { mode } : {}) });
  const dir = batchDir(runDir);
  mkdirSync(dir, { recursive: true });
  const journal = new BatchJournal(join(dir, "journal.jsonl"));
  let server: string | undefined;
  let ready: Promise<OnlineBatcher> | undefined;
  const session: BatchSession = new BatchSession({
    runDir,
    mode,
    maxLines: options.maxLines,
    submitterFor: (entry: ModelConfig) => {
      // a Batch API is one server's: replicas (a baseURL list) share no batches to reattach to
      if (Array.isArray(entry.baseURL))
        throw new UsageError(
          `--batch online: model "${entry.model}" has ${entry.baseURL.length} replicas (${entry.baseURL.join(", ")}); one online batch run talks to one Batch API: give one --base-url`,
        );
      server ??= entry.baseURL!;
      if (entry.baseURL !== server)
        throw new UsageError(
          `--batch online: models on two servers (${server}, ${entry.baseURL}); one online batch run talks to one Batch API`,
        );
      ready ??= (async () => {
        const batcher = new OnlineBatcher({
          api: new BatchApi({
            baseURL: server!,
            ...keyOf(entry),
          }),
          journal,
          answers: session.answers,
          dir,
          runId: options.runId,
          maxLines: options.maxLines,
          flushAfterMs: options.flushAfterMs ?? 15_000,
          pollMs: options.pollMs ?? 30_000,
          ...(options.log ? { log: options.log } : {}),
        });
        await batcher.reattach();
        return batcher;
      })();
      const batcher = ready;
      return async (line: BatchInputLine) => (await batcher).submit(line);
    },
    closeOnline: async () => {
      try {
        if (ready) await (await ready.catch(() => undefined))?.close();
      } finally {
        journal.close();
      }
    },
  });
  return session;
}

function keyOf(entry: ModelConfig): { apiKey?: string } {
  const key = process.env[entry.apiKeyEnv ?? "OPENAI_API_KEY"];
  return key ? { apiKey: key } : {};
}
