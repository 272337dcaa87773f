import type { EvalItem } from "../eval-item.ts";
import type { DatasetLoader } from "./dataset-loader.ts";
import { exampleAsserts } from "./humanevalfix.ts";
import { readDatasetRecords, recordError, type SourceRecord, stringField } from "./read-records.ts";

/** `test_list` holds the original MBPP asserts, as a list or as the text of a Python list. */
function testList(record: SourceRecord): string[] {
  const value = record.value["test_list"];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value;
  if (typeof value === "string") {
    const asserts = [...value.matchAll(/(['"])(assert .*?)\1\s*(?:,|\])/g)].map((m) => m[2]!);
    if (asserts.length > 0) return asserts;
  }
  throw recordError(record, 'field "test_list" must be a list of assert strings');
}

function mbppPlusFixItem(record: SourceRecord): EvalItem {
  const entryPoint = stringField(record, "entry_point");
  const description = stringField(record, "prompt");
  const test = stringField(record, "test");
  const asserts = testList(record);
  const first = asserts[0] ?? "";
  return {
    id: `mbpp-${stringField(record, "task_id")}`,
    question: description,
    answer: "",
    answerType: "none",
    meta: {
      language: "python",
      description,
      // the MBPP code-generation prompt: the description plus its first example assert
      codePrompt: `"""\n${description}\n${first}\n"""\n`,
      signature: stringField(record, "signature"),
      entryPoint,
      buggyCode: stringField(record, "code"),
      goldCode: stringField(record, "canonical_solution"),
      hiddenTest: test,
      exampleTests: exampleAsserts(first, entryPoint),
      setCompare: test.includes("set("),
    },
  };
}

/**
 * MBPP+Fix (Hard) from the UTGen repo: 170 MBPP+ tasks with subtly buggy code that passes most
 * of its hidden EvalPlus tests.
 */
export const mbppPlusFixHard: DatasetLoader = {
  name: "mbpp-plus-fix-hard",
  description: "MBPP+Fix (Hard): repair subtly buggy code; hidden MBPP+ tests",
  splits: ["test"],
  answerType: "none",
  files: ["mbpp_plus_fix_hard/MBPP+Fix_hard_test.jsonl.gz"],
  async load({ file }) {
    return (await readDatasetRecords(file("mbpp_plus_fix_hard/MBPP+Fix_hard_test.jsonl.gz"))).map(
      mbppPlusFixItem,
    );
  },
};
