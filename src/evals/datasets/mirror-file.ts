import { DataError } from "../../model/errors.ts";
import { dataPlaces, findDatasetFile } from "./dataset-files.ts";

/**
 * Path of a data file that only mirrors hold (no hub source), e.g. a method's training data or a
 * dataset read outside `loadDataset`; `undefined` when no mirror has it.
 */
export function mirrorFile(relative: string): string | undefined {
  return findDatasetFile(dataPlaces(), relative, undefined)?.path;
}

/** `mirrorFile`, or a DataError saying where it was looked for. */
export function requireMirrorFile(relative: string): string {
  const path = mirrorFile(relative);
  if (path) return path;
  const mirrors = dataPlaces().mirrors;
  throw new DataError(
    `data file ${relative} not found in the data mirrors (${mirrors.join(", ") || "none set"}); ` +
      "set CHORUS_DATA_MIRROR to a folder laid out like shared/datasets (see docs/data.md)",
  );
}
