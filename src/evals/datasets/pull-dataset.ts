import { DataError, ModelCallError, UsageError } from "../../model/errors.ts";
import { type DownloadProgress, downloadFile } from "../../model-files/download-file.ts";
import { stderrProgress } from "../../model-files/download-progress.ts";
import { hfDownloadUrl } from "../../model-files/hf-reference.ts";
import { hfEndpoint } from "../../model-files/resolve-model-file.ts";
import {
  type DataPlaces,
  findDatasetFile,
  hubCacheFile,
  hubFileReference,
} from "./dataset-files.ts";
import type { DatasetLoader } from "./dataset-loader.ts";

/** Options of `pullDataset`. */
export interface PullDatasetOptions {
  /** Progress of each download (default: a progress line on stderr when it is a terminal). */
  onProgress?: (file: string, progress: DownloadProgress) => void;
  /** One line per file fetched, before it starts (e.g. to stderr). */
  log?: (line: string) => void;
  /** Fail instead of downloading a missing file (also when HF_HUB_OFFLINE=1). */
  offline?: boolean;
  signal?: AbortSignal;
}

/** What a pull did with one file. */
export interface PulledFile {
  /** The file's path in a mirror. */
  file: string;
  path: string;
  from: "mirror" | "cache" | "hub";
}

/**
 * Makes every file of `loader` that the hub has available locally: a copy in a mirror or in the
 * cache is used as it is; a missing one is downloaded from the hub into the cache (resumable,
 * checksummed against the hub's sha256, moved into place only when complete). HF_TOKEN goes to
 * the hub only, for gated datasets. Files only a mirror holds are left to `requireDatasetFile`.
 * @throws UsageError offline (naming `chorus data pull <name>`); ModelCallError when the hub
 *   cannot be reached or refuses (401/403: gated, set HF_TOKEN); DataError on a bad checksum.
 */
export async function pullDataset(
  loader: DatasetLoader,
  places: DataPlaces,
  options: PullDatasetOptions = {},
): Promise<PulledFile[]> {
  const source = loader.hub;
  if (!source) return [];
  const offline = options.offline === true || isTruthy(process.env["HF_HUB_OFFLINE"]);
  const pulled: PulledFile[] = [];
  for (const [file, hubFile] of Object.entries(source.files)) {
    const found = findDatasetFile(places, file, source);
    if (found) {
      pulled.push({ file, path: found.path, from: found.place });
      continue;
    }
    if (offline)
      throw new UsageError(
        `dataset "${loader.name}" is not on this machine (${file} is in no mirror and not in ` +
          `the cache) and downloads are off; run \`chorus data pull ${loader.name}\` where the ` +
          "hub can be reached (then copy the cache folder), or point --data-mirror at a copy",
      );
    // dataset repositories resolve under <endpoint>/datasets/<owner>/<repo>/resolve/<rev>/<file>
    const url = hfDownloadUrl(hubFileReference(source, hubFile), `${hfEndpoint()}/datasets`);
    const dest = hubCacheFile(places, source, hubFile);
    options.log?.(
      `${loader.name}: downloading ${hubFile} from hf:${source.repo}@${source.revision}`,
    );
    const progress = options.onProgress ? undefined : stderrProgress(`${loader.name} ${hubFile}`);
    const token = process.env["HF_TOKEN"];
    try {
      await downloadFile(url, dest, {
        ...(token ? { token } : {}),
        onProgress: options.onProgress ? (p) => options.onProgress!(file, p) : progress!.onProgress,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      throw explain(error, loader);
    } finally {
      progress?.done();
    }
    pulled.push({ file, path: dest, from: "hub" });
  }
  return pulled;
}

/** Download errors, with what to do about them for a dataset. */
function explain(error: unknown, loader: DatasetLoader): unknown {
  if (error instanceof DataError) return error;
  if (!(error instanceof ModelCallError)) return error;
  const status = error.details["status"];
  const gated =
    (status === 401 || status === 403) && loader.hub?.gated
      ? ` (hf:${loader.hub.repo} is gated: accept its terms on the hub, then set HF_TOKEN)`
      : "";
  const unreachable =
    status === undefined
      ? `; on a machine without network, run \`chorus data pull ${loader.name}\` where the hub ` +
        "can be reached (then copy the cache folder), or point --data-mirror at a copy"
      : "";
  return new ModelCallError(
    `dataset "${loader.name}": ${error.message}${gated}${unreachable}`,
    error.details,
  );
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}
