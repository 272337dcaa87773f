import { existsSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { DataError } from "../../model/errors.ts";
import { type HfReference, hfCachePath, parseHfReference } from "../../model-files/hf-reference.ts";
import { defaultCacheDir } from "../../runtime/cache-dir.ts";
import { sharedDir } from "../shared-dir.ts";
import type { HubSource } from "./hub-source.ts";

/** Where named datasets' files are looked for, in order: the mirrors, then the cache. */
export interface DataPlaces {
  /** Folders laid out like `shared/datasets` (`gsm8k/test.jsonl`, ...), searched first. */
  mirrors: readonly string[];
  /** The chorus cache folder; hub downloads live in `<cacheDir>/datasets`. */
  cacheDir: string;
}

/**
 * The places to use: `mirrors` (e.g. `--data-mirror`) if given, else `$CHORUS_DATA_MIRROR`
 * (folders joined by the path delimiter; set but empty = no mirror), else, in a development
 * checkout, `../shared/datasets` (or `$CHORUS_SHARED_DIR/datasets`) when it exists.
 */
export function dataPlaces(
  options: { mirrors?: readonly string[]; cacheDir?: string } = {},
): DataPlaces {
  const fromEnv = process.env["CHORUS_DATA_MIRROR"];
  let mirrors: string[];
  if (options.mirrors && options.mirrors.length > 0) mirrors = [...options.mirrors];
  else if (fromEnv !== undefined) mirrors = fromEnv.split(delimiter).filter((p) => p !== "");
  else {
    const shared = join(sharedDir(), "datasets");
    mirrors = existsSync(shared) ? [shared] : [];
  }
  return {
    mirrors: mirrors.map((m) => resolve(m)),
    cacheDir: options.cacheDir ?? defaultCacheDir(),
  };
}

/** A file of a dataset repository as a hub reference (owner, repo, revision, file). */
export function hubFileReference(source: HubSource, hubFile: string): HfReference {
  return parseHfReference(`hf:${source.repo}@${source.revision}/${hubFile}`);
}

/** The cache path of a hub file: `<cacheDir>/datasets/<owner>/<repo>[@<revision>]/<file>`. */
export function hubCacheFile(places: DataPlaces, source: HubSource, hubFile: string): string {
  const ref = hubFileReference(source, hubFile);
  return join(places.cacheDir, "datasets", ...hfCachePath(ref).split("/"));
}

/** Where one of a dataset's files is found, and which place it came from. */
export interface FoundFile {
  path: string;
  place: "mirror" | "cache";
}

/** A dataset file (by its mirror path) in a mirror, else its hub copy in the cache; else undefined. */
export function findDatasetFile(
  places: DataPlaces,
  relative: string,
  source: HubSource | undefined,
): FoundFile | undefined {
  for (const mirror of places.mirrors) {
    const path = join(mirror, relative);
    if (existsSync(path)) return { path, place: "mirror" };
  }
  const hubFile = source?.files[relative];
  if (source && hubFile !== undefined) {
    const path = hubCacheFile(places, source, hubFile);
    if (existsSync(path)) return { path, place: "cache" };
  }
  return undefined;
}

/**
 * Like `findDatasetFile`, but a missing file is a DataError that says where it was looked for and
 * what to run: `chorus data pull <name>` for a dataset on the hub, a mirror for one that is not.
 */
export function requireDatasetFile(
  places: DataPlaces,
  name: string,
  relative: string,
  source: HubSource | undefined,
): string {
  const found = findDatasetFile(places, relative, source);
  if (found) return found.path;
  const mirrors = places.mirrors.length > 0 ? places.mirrors.join(", ") : "none set";
  const fix =
    source?.files[relative] !== undefined
      ? `run \`chorus data pull ${name}\` (it downloads into ${join(places.cacheDir, "datasets")})`
      : `dataset "${name}" has no source on the hub: put a folder holding ${relative} in ` +
        "--data-mirror or CHORUS_DATA_MIRROR (see docs/data.md)";
  throw new DataError(
    `dataset file ${relative} is not in the mirrors (${mirrors}) or the cache; ${fix}`,
  );
}
