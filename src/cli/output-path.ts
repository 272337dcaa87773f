import { type Stats, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UsageError } from "../model/errors.ts";

/**
 * Checks that a file can be written at `path` before a command does hours of work for it:
 * training writes its result last, so a folder or a missing parent folder found only then
 * throws the trained weights away. Whether the file system allows the write is left to the
 * write itself (permissions can change meanwhile); this catches the mistakes in the flag.
 */
export function checkOutputPath(path: string, flag = "--out"): void {
  const parent = dirname(resolve(path));
  const folder = statOrUndefined(parent);
  if (!folder?.isDirectory()) {
    throw new UsageError(
      `${flag} ${path}: the folder ${parent} ${folder ? "is not a folder" : "does not exist"}; create it first or write elsewhere`,
    );
  }
  const target = statOrUndefined(path);
  if (target?.isDirectory()) {
    throw new UsageError(`${flag} ${path} is a folder; give a file name inside it`);
  }
}

/** stat, or undefined where nothing is (ENOENT, or ENOTDIR: a file where a folder would be). */
function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
}
