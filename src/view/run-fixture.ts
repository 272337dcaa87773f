import { appendFileSync } from "node:fs";
import { join } from "node:path";
import type { EvalRecord } from "../evals/eval-record.ts";
import { summarize, writeReport } from "../evals/eval-report.ts";
import { Run } from "../runtime/run.ts";

/**
 * Writes an eval-shaped run folder through the real `Run` API, for tests of the viewer's Node
 * side (the browser tests use a run made by a real `chorus eval`). Item i of method m is correct
 * when (i + m) % 3 === 0; each has one model call in events.jsonl; item 1 of the first method
 * failed once before finishing, item `items` failed for good.
 */
export function writeEvalRun(
  dir: string,
  options: {
    methods: string[];
    items: number;
    prediction?: (i: number) => string;
    details?: (i: number) => Record<string, unknown>;
  },
): { records: EvalRecord[] } {
  const run = Run.create({
    dir,
    config: { command: "eval", methods: options.methods, dataset: "fixture", split: "test" },
    seed: 3,
  });
  run.recordModel("tiny", { engine: "llamacpp", file: "/m/tiny.gguf", sha256: "ab".repeat(32) });
  const records: EvalRecord[] = [];
  options.methods.forEach((method, m) => {
    for (let i = 0; i < options.items; i++) {
      const id = `${method}/q${i}`;
      if (m === 0 && i === 1)
        run.appendFailure({ id, index: i, error: "flaky", time: new Date().toISOString() });
      const correct = (i + m) % 3 === 0;
      const record: EvalRecord = {
        method,
        itemId: `q${i}`,
        prediction: options.prediction?.(i) ?? `answer ${i}`,
        gold: correct ? `answer ${i}` : `gold ${i}`,
        correct,
        score: correct ? 1 : 0,
        usage: { inputTokens: 10 + i, outputTokens: 5, calls: 1, reusedCalls: 0 },
        wallMs: 100 + i,
        details: options.details?.(i) ?? {
          alphas: [0.1, 0.9, 0.42],
          intervened: i % 2,
          decoding: "adacad",
        },
      };
      records.push(record);
      run.appendEvent({
        time: new Date().toISOString(),
        model: "tiny",
        provider: "llamacpp",
        kind: "generate",
        item: id,
        inputTokens: 10 + i,
        outputTokens: 5,
        latencyMs: 7,
        cached: false,
        retries: 0,
      });
      run.appendResult({ id, index: m * options.items + i, result: record });
    }
  });
  run.appendFailure({
    id: `${options.methods[0]}/q${options.items}`,
    index: options.items,
    error: "boom",
    time: new Date().toISOString(),
  });
  run.close();
  writeReport(
    dir,
    summarize(records, { dataset: "fixture", split: "test", seed: 3, methods: options.methods }),
  );
  return { records };
}

/** Appends a torn (newline-less) line, as a run killed mid-write leaves. */
export function appendTornLine(dir: string, text = '{"id":"torn","ind'): void {
  appendFileSync(join(dir, "results.jsonl"), text);
}
