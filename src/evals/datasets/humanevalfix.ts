import type { EvalItem } from "../eval-item.ts";
import type { DatasetLoader } from "./dataset-loader.ts";
import { readDatasetRecords, type SourceRecord, stringField } from "./read-records.ts";

/**
 * The docstring examples of a HumanEvalPack `example_test` as unit tests: each
 * `assert entry(ARGS) == EXPECTED` line gives `{ input: "ARGS", output: "EXPECTED" }`; other
 * assertion shapes are skipped.
 */
export function exampleAsserts(
  text: string,
  entryPoint: string,
): { input: string; output: string }[] {
  const escaped = entryPoint.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const line = new RegExp(`^\\s*assert\\s+${escaped}\\((.*)\\)\\s*==\\s*(.+?)\\s*$`);
  const tests: { input: string; output: string }[] = [];
  for (const raw of text.split("\n")) {
    const m = line.exec(raw);
    if (m?.[1] !== undefined && m[2] !== undefined) tests.push({ input: m[1], output: m[2] });
  }
  return tests;
}

function humanEvalFixItem(record: SourceRecord, language: "python" | "js"): EvalItem {
  const taskId = stringField(record, "task_id");
  const prompt = stringField(record, "prompt");
  // JS/114's entry_point is misspelt ("minSubarraySum" for minSubArraySum): for JS the name
  // in the signature is the one the tests call
  const declared = /^const\s+([A-Za-z_$][\w$]*)/.exec(stringField(record, "signature"))?.[1];
  const entryPoint = language === "js" && declared ? declared : stringField(record, "entry_point");
  const test = stringField(record, "test");
  const buggy = stringField(record, "buggy_solution");
  const canonical = stringField(record, "canonical_solution");
  const example =
    typeof record.value["example_test"] === "string" ? record.value["example_test"] : "";
  return {
    id: taskId,
    question: stringField(record, "instruction"),
    answer: "",
    answerType: "none",
    meta: {
      language,
      description: stringField(record, "docstring"),
      codePrompt: prompt,
      signature: stringField(record, "signature"),
      entryPoint,
      buggyCode: prompt + buggy,
      goldCode: prompt + canonical,
      hiddenTest: test,
      exampleTests: language === "python" ? exampleAsserts(example, entryPoint) : [],
      setCompare: language === "python" && test.includes("set("),
      bugType: record.value["bug_type"],
      failureSymptoms: record.value["failure_symptoms"],
    },
  };
}

/**
 * HumanEvalFix, Python (164 tasks from HumanEvalPack): buggy code to debug, scored by the
 * HumanEval tests in `test` (HumanEval+ tests were not obtained; see docs/utgen-utdebug.md).
 */
export const humanEvalFixPython: DatasetLoader = {
  name: "humanevalfix-python",
  description: "HumanEvalFix (Python): repair a buggy solution; hidden HumanEval tests",
  splits: ["test"],
  answerType: "none",
  files: ["humanevalpack/python.jsonl"],
  hub: {
    repo: "bigcode/humanevalpack",
    revision: "main",
    files: { "humanevalpack/python.jsonl": "data/python/data/humanevalpack.jsonl" },
  },
  async load({ file }) {
    return (await readDatasetRecords(file("humanevalpack/python.jsonl"))).map((r) =>
      humanEvalFixItem(r, "python"),
    );
  },
};

/** HumanEvalFix, JavaScript (164 tasks from HumanEvalPack), scored by its console.assert tests. */
export const humanEvalFixJs: DatasetLoader = {
  name: "humanevalfix-js",
  description: "HumanEvalFix (JavaScript): repair a buggy solution; hidden HumanEval-X tests",
  splits: ["test"],
  answerType: "none",
  files: ["humanevalpack/js.jsonl"],
  hub: {
    repo: "bigcode/humanevalpack",
    revision: "main",
    files: { "humanevalpack/js.jsonl": "data/js/data/humanevalpack.jsonl" },
  },
  async load({ file }) {
    return (await readDatasetRecords(file("humanevalpack/js.jsonl"))).map((r) =>
      humanEvalFixItem(r, "js"),
    );
  },
};
