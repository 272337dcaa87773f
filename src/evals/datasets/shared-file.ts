import { DataError } from "../../model/errors.ts";
import { sharedDir, sharedFile } from "../shared-dir.ts";

/** Path of a shared dataset file, or a DataError saying where it was looked for. */
export function requireSharedDataset(relative: string): string {
  const path = sharedFile("datasets", relative);
  if (!path)
    throw new DataError(
      `dataset file datasets/${relative} not found under ${sharedDir()}; set CHORUS_SHARED_DIR to the shared folder`,
    );
  return path;
}
