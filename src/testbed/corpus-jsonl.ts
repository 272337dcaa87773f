import type { Writable } from "node:stream";

/**
 * Writes documents as `{"text": ...}` JSON lines (the pretraining corpus format of
 * `chorus train pretrain`), waiting for `drain` whenever the stream's buffer is full, so an 8M-
 * token corpus streams through constant memory. Returns the number of lines written.
 */
export async function writeCorpusJsonl(
  documents: Iterable<{ text: string }>,
  out: Writable,
): Promise<number> {
  let lines = 0;
  for (const doc of documents) {
    lines++;
    if (!out.write(`${JSON.stringify({ text: doc.text })}\n`))
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        out.once("error", onError);
        out.once("drain", () => {
          out.off("error", onError);
          resolve();
        });
      });
  }
  return lines;
}

/** Writes records as JSON lines, with the same backpressure. */
export async function writeJsonl(records: Iterable<object>, out: Writable): Promise<number> {
  let lines = 0;
  for (const r of records) {
    lines++;
    if (!out.write(`${JSON.stringify(r)}\n`))
      await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  }
  return lines;
}
