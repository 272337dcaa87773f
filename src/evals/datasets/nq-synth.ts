import { DataError } from "../../model/errors.ts";
import type { EvalItem } from "../eval-item.ts";
import type { DatasetLoader } from "./dataset-loader.ts";
import { readDatasetRecords, recordError, stringField } from "./read-records.ts";

/**
 * NQ-Synth in the AdaCAD reference's own input format: two lines per question (same
 * `input_index`), one prompt with the passage (weight 1) and one without (weight 0). The prompts
 * are kept verbatim in `meta.contextPrompt` / `meta.plainPrompt` so AdaCAD decodes exactly what the
 * reference decoded; `meta.context` is the passage alone for methods that build their own prompts.
 */
export const nqSynth: DatasetLoader = {
  name: "nq-synth",
  description: "NQ-Synth (AdaCAD's file): QA with synthetic conflicting passages, paired prompts",
  splits: ["test"],
  answerType: "text",
  files: ["nq_synth_adacad/nq_synth_2_-1.jsonl.gz"],
  async load({ file }) {
    const path = file("nq_synth_adacad/nq_synth_2_-1.jsonl.gz");
    const pairs = new Map<
      number,
      { context?: string; plain?: string; gold: string; line: number }
    >();
    for (const record of await readDatasetRecords(path)) {
      const index = record.value["input_index"];
      if (typeof index !== "number")
        throw recordError(record, 'field "input_index" must be a number');
      const weight = record.value["assigned_weight"];
      const prompt = stringField(record, "context_string");
      const entry = pairs.get(index) ?? {
        gold: stringField(record, "gold_answers"),
        line: record.line,
      };
      if (weight === 1) entry.context = prompt;
      else if (weight === 0) entry.plain = prompt;
      else
        throw recordError(
          record,
          `field "assigned_weight" must be 1 (context) or 0 (no context), got ${weight}`,
        );
      pairs.set(index, entry);
    }
    return [...pairs.entries()].map(([index, pair]): EvalItem => {
      if (pair.context === undefined || pair.plain === undefined)
        throw new DataError(
          `input_index ${index} lacks its ${pair.context ? "no-context" : "context"} line`,
          {
            file: path,
            line: pair.line,
          },
        );
      const question =
        /Question:\s*([\s\S]*?)\s*\nAnswer:\s*$/.exec(pair.context)?.[1] ?? pair.context;
      const passageEnd = pair.context.indexOf("\nUsing only the references");
      return {
        id: `nq-synth-${index}`,
        question,
        answer: pair.gold,
        answerType: "text",
        meta: {
          context: (passageEnd >= 0 ? pair.context.slice(0, passageEnd) : pair.context).trim(),
          answers: [pair.gold],
          contextPrompt: pair.context,
          plainPrompt: pair.plain,
        },
      };
    });
  },
};
