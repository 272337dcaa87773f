import { createReadStream, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { DataError, UsageError } from "../../model/errors.ts";
import { AnswerStore } from "./answer-store.ts";
import { isAnswered, parseBatchAnswer } from "./batch-format.ts";
import { batchDir } from "./batch-session.ts";
import { exportedFiles } from "./offline-export.ts";

/** What an import took in. */
export interface ImportCounts {
  answered: number;
  failed: number;
  /** Lines taken in before (same line id) or for requests answered already. */
  repeated: number;
  /** Exported requests that still have no answer after this import. */
  unanswered: number;
}

/**
 * Takes a Batch output (or error) file into a run: each line is matched to an exported request
 * by custom_id and recorded in `<run>/batch/answers.jsonl`. Lines in any order (OpenAI) or in
 * input order (vLLM) are alike; error lines count as failed attempts, which the resume retries
 * or reports as the item's failure.
 * @throws UsageError when the run has exported nothing; DataError naming the file and line for
 * a line that is not a Batch output line or answers a request the run never exported.
 */
export async function importAnswers(
  runDir: string,
  files: readonly string[],
): Promise<ImportCounts> {
  const dir = batchDir(runDir);
  const exported = exportedFiles(dir);
  if (exported.length === 0)
    throw new UsageError(
      `${runDir} has no exported batch requests (${join(dir, "round-*.jsonl")}); run chorus eval ... --batch offline --out ${runDir} first`,
    );
  const known = new Set<string>();
  for (const file of exported)
    for (const line of readFileSync(file, "utf8").split("\n"))
      if (line.trim() !== "") known.add((JSON.parse(line) as { custom_id: string }).custom_id);
  const store = new AnswerStore(join(dir, "answers.jsonl"));
  const counts: ImportCounts = { answered: 0, failed: 0, repeated: 0, unanswered: 0 };
  try {
    for (const file of files) {
      if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
      let lineNumber = 0;
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
      for await (const text of lines) {
        lineNumber++;
        if (text.trim() === "") continue;
        const answer = parseBatchAnswer(text, { file, line: lineNumber });
        if (!known.has(answer.customId))
          throw new DataError(
            `custom_id "${answer.customId}" is not a request this run exported; is this the output of another run's file?`,
            { file, line: lineNumber },
          );
        if (!(await store.add(answer))) counts.repeated++;
        else if (isAnswered(answer)) counts.answered++;
        else counts.failed++;
      }
    }
    for (const id of known) if (!store.get(id)?.answer) counts.unanswered++;
  } finally {
    store.close();
  }
  return counts;
}
