import { steeredModel, steererFingerprint } from "../methods/mat-steer/steered-model.ts";
import { loadSteerer } from "../methods/mat-steer/steerer-file.ts";
import { UsageError } from "../model/errors.ts";
import type { LanguageModel } from "../model/language-model.ts";

/** What `--steer <steer.json>` adds to a session: the model wrapper and the run-config record. */
export interface SteerOption {
  /** For `openSession`'s `wrapLoaded`: every loaded model is steered. */
  wrapLoaded: (model: LanguageModel) => LanguageModel;
  /** For the run's config.json. */
  record: {
    file: string;
    fingerprint: string;
    nEmbd: number;
    site: unknown;
    attributes: string[];
  };
}

/**
 * Reads `--steer`: undefined without it; refused with `--base-url` (a server has no hidden-state
 * hooks). The steerer is checked against each model (hidden size, layer) when the model loads.
 * @throws UsageError with --base-url; DataError for a bad steer.json.
 */
export async function readSteerOption(
  path: string | undefined,
  baseUrl: string | readonly string[] | undefined,
): Promise<SteerOption | undefined> {
  if (path === undefined) return undefined;
  if (baseUrl !== undefined)
    throw new UsageError(
      "--steer needs a local GGUF model (hidden-state hooks); drop --base-url or --steer",
    );
  const steering = await loadSteerer(path);
  return {
    wrapLoaded: (model) => steeredModel(model, steering, { source: path }),
    record: {
      file: path,
      fingerprint: steererFingerprint(steering),
      nEmbd: steering.nEmbd,
      site: steering.site,
      attributes: steering.steerer.attributes,
    },
  };
}
