import type { z } from "zod";

/** Dotted path of an issue, e.g. `models.judge.engine` (array indices as `lora[0]`). */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/**
 * One zod issue as `field: expected X, got Y`, the form every config and data error uses.
 * Parse with `{ reportInput: true }` so the offending value can be shown.
 */
export function formatZodIssue(issue: z.core.$ZodIssue): { field: string; message: string } {
  const field = issuePath(issue.path);
  const got = "input" in issue ? describeValue(issue.input) : undefined;
  let reason: string;
  switch (issue.code) {
    case "invalid_type":
      reason =
        issue.input === undefined
          ? `required (expected ${issue.expected})`
          : `expected ${issue.expected}, got ${got}`;
      break;
    case "invalid_value":
      reason = `expected ${issue.values.map((v) => JSON.stringify(v)).join(" | ")}, got ${got}`;
      break;
    case "unrecognized_keys": {
      const keys = issue.keys.map((k) => JSON.stringify(k)).join(", ");
      reason = `unknown key${issue.keys.length > 1 ? "s" : ""} ${keys}`;
      break;
    }
    case "too_small":
    case "too_big":
    case "invalid_format":
    case "not_multiple_of":
      reason = `${issue.message.replace(/^Invalid input: /, "")}, got ${got}`;
      break;
    default:
      reason = issue.message;
  }
  return { field, message: field === "" ? reason : `${field}: ${reason}` };
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string")
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}
