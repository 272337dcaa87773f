import { type DataPlaces, findDatasetFile } from "./dataset-files.ts";
import type { DatasetLoader } from "./dataset-loader.ts";
import { hubSourceLabel } from "./hub-source.ts";

/** Where a named dataset stands on this machine, for `chorus data list`. */
export interface DatasetStatus {
  name: string;
  /** `hf:<owner>/<repo>[@<revision>]`, or undefined when only mirrors hold it. */
  source?: string;
  /** The hub asks for accepted terms and HF_TOKEN. */
  gated: boolean;
  /**
   * "mirror" (every file in a mirror), "cached" (every file here, some from the cache),
   * "partial" (some files missing) or "missing".
   */
  state: "mirror" | "cached" | "partial" | "missing";
  /** Files (mirror paths) in neither a mirror nor the cache. */
  missing: string[];
}

/** The status of one named dataset: which of its files a mirror or the cache holds. */
export function datasetStatus(loader: DatasetLoader, places: DataPlaces): DatasetStatus {
  const found = loader.files.map((file) => ({
    file,
    place: findDatasetFile(places, file, loader.hub)?.place,
  }));
  const missing = found.filter((f) => f.place === undefined).map((f) => f.file);
  const state =
    missing.length === found.length
      ? "missing"
      : missing.length > 0
        ? "partial"
        : found.every((f) => f.place === "mirror")
          ? "mirror"
          : "cached";
  return {
    name: loader.name,
    ...(loader.hub ? { source: hubSourceLabel(loader.hub) } : {}),
    gated: loader.hub?.gated === true,
    state,
    missing,
  };
}
