import type { EvalItem } from "../../evals/eval-item.ts";
import { DataError } from "../../model/errors.ts";
import type { DebugTask } from "./debug-task.ts";
import type { UnitTest } from "./ut-harness.ts";

const required = [
  "description",
  "codePrompt",
  "signature",
  "entryPoint",
  "buggyCode",
  "hiddenTest",
] as const;

/**
 * The debugging task in an eval item's `meta` (as the humanevalfix-* and mbpp-plus-fix-hard
 * loaders write it).
 * @throws DataError naming the item and the missing field.
 */
export function debugTaskFromItem(item: EvalItem): DebugTask {
  const meta = item.meta;
  for (const field of required)
    if (typeof meta[field] !== "string" || meta[field] === "")
      throw new DataError(
        `item ${item.id}: meta.${field} must be a non-empty string; use a code-debugging dataset (humanevalfix-python, humanevalfix-js, mbpp-plus-fix-hard)`,
      );
  const language = meta["language"] === "js" ? "js" : "python";
  const examples = Array.isArray(meta["exampleTests"]) ? (meta["exampleTests"] as UnitTest[]) : [];
  return {
    id: item.id,
    language,
    description: meta["description"] as string,
    codePrompt: meta["codePrompt"] as string,
    signature: meta["signature"] as string,
    entryPoint: meta["entryPoint"] as string,
    buggyCode: meta["buggyCode"] as string,
    ...(typeof meta["goldCode"] === "string" ? { goldCode: meta["goldCode"] } : {}),
    hiddenTest: meta["hiddenTest"] as string,
    exampleTests: examples,
    setCompare: meta["setCompare"] === true,
  };
}
