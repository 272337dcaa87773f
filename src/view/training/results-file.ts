import { join } from "node:path";
import { readJsonl } from "../../runtime/jsonl-file.ts";
import type { ResultRecord } from "../../runtime/run.ts";

/** The `result` of every complete line of a run folder's results.jsonl, in file order. */
export const resultsOf = <R>(dir: string): R[] =>
  readJsonl<ResultRecord<R>>(join(dir, "results.jsonl")).map((r) => r.result);

/** Every complete line of a run folder's results.jsonl (id and result), in file order. */
export const resultLines = <R>(dir: string): Array<ResultRecord<R>> =>
  readJsonl<ResultRecord<R>>(join(dir, "results.jsonl"));
