import { requireMirrorFile } from "../../evals/datasets/mirror-file.ts";
import { readRecords, stringField } from "../../evals/datasets/read-records.ts";
import type { TrainingProblem } from "./training-data.ts";

/**
 * Training problems from sanitized MBPP's train split (task ids 601–974, 120 problems), which
 * no debugging benchmark here uses (HumanEvalFix and MBPP+Fix come from HumanEval and MBPP's
 * test split). Inputs are the arguments of each problem's asserts.
 */
export function mbppTrainingProblems(): TrainingProblem[] {
  const problems: TrainingProblem[] = [];
  for (const record of readRecords(requireMirrorFile("mbpp_sanitized/sanitized-mbpp.json"))) {
    const id = Number(record.value["task_id"]);
    if (!(id >= 601 && id <= 974)) continue;
    const code = stringField(record, "code");
    const asserts = record.value["test_list"];
    if (!Array.isArray(asserts)) continue;
    const calls = asserts
      .map((a) => /^assert\s+([A-Za-z_]\w*)\((.*)\)\s*==\s*.+$/.exec(String(a)))
      .filter((m): m is RegExpExecArray => m !== null);
    const entryPoint = calls[0]?.[1];
    if (!entryPoint) continue;
    const def = new RegExp(`^def\\s+${entryPoint}\\s*\\(([^)]*)\\)`, "m").exec(code);
    if (!def) continue;
    problems.push({
      id: `mbpp-train-${id}`,
      description: stringField(record, "prompt"),
      signature: `${entryPoint}(${def[1]!.trim()})`,
      entryPoint,
      goldCode: code,
      inputs: calls.filter((m) => m[1] === entryPoint).map((m) => m[2]!),
    });
  }
  return problems;
}
