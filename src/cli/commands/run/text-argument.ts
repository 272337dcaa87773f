import { readFileSync } from "node:fs";
import { UsageError } from "../../../model/errors.ts";

/**
 * A text given on the command line: literal text, `@path` for a file's content, or `-` for stdin.
 * @throws UsageError naming the flag when the file cannot be read.
 */
export function textArgument(value: string, flag: string): string {
  if (value === "-") return readFileSync(0, "utf8");
  if (!value.startsWith("@")) return value;
  const path = value.slice(1);
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`${flag} @${path}: cannot read the file (${(error as Error).message})`);
  }
}
