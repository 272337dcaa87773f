import { loadDataset } from "../../evals/datasets/index.ts";
import type { EvalContext } from "../../evals/eval-method.ts";
import { UsageError } from "../../model/errors.ts";
import { loadProfileFile, type MoeProfileFile, saveProfileFile } from "./profile-store.ts";
import type { MoeSettings } from "./settings.ts";
import { buildMoeProfile, type MoeRuntime } from "./symbolic-moe.ts";

/** The eval context as the pipeline's runtime (per-item accounting through `forItem`). */
export function moeRuntime(context: EvalContext): MoeRuntime {
  return { models: context.models, seed: context.seed, forItem: context.forItem, log: context.log };
}

/**
 * The profiles for an eval run: loaded from `--set profiles=<file>`, or built once per run from
 * the dataset's validation split (first `validationLimit` items) and shared by Symbolic-MoE and
 * its baselines. Checks that every profiled model is in the pool.
 * @throws UsageError when the dataset has no validation split and no file is given.
 */
export async function obtainProfile(
  context: EvalContext,
  settings: MoeSettings,
): Promise<MoeProfileFile> {
  const profile = settings.profiles
    ? loadProfileFile(settings.profiles)
    : await context.reuse(
        `moe-profile:${context.dataset.name}:${settings.validationSplit}:${settings.validationLimit}:${context.models.names.join(",")}:${context.seed}`,
        async () => {
          let items: Awaited<ReturnType<typeof loadDataset>>;
          try {
            items = await loadDataset(context.dataset.name, {
              split: settings.validationSplit,
              limit: settings.validationLimit,
            });
          } catch (error) {
            throw new UsageError(
              `Symbolic-MoE needs profiles: pass --set profiles=<file> (chorus moe profile) or use a dataset with a "${settings.validationSplit}" split (${(error as Error).message})`,
            );
          }
          // preprocessing is charged to no test item: it is a one-off cost reported in the log
          const built = await buildMoeProfile(
            items,
            { models: context.models, seed: context.seed, log: context.log },
            settings,
            { dataset: context.dataset.name, split: settings.validationSplit },
          );
          if (settings.saveProfiles) saveProfileFile(settings.saveProfiles, built);
          context.log(
            `symbolic-moe: profiles from ${items.length} validation item(s); aggregator ${built.aggregator}`,
          );
          return built;
        },
      );
  const missing = profile.models.filter((m) => !context.models.names.includes(m));
  if (missing.length > 0)
    throw new UsageError(
      `the profiles name model(s) ${missing.join(", ")} that are not in this run's pool (${context.models.names.join(", ")}); pass the same --model values as for chorus moe profile`,
    );
  return profile;
}
