import { UsageError } from "../../model/errors.ts";
import { type AbacusConfig, abacusConfig } from "../../testbed/abacus/abacus-config.ts";
import type { Notation } from "../../testbed/abacus/digits.ts";
import { type ShippedModelRecord, shippedModel } from "../../testbed/shipped-models.ts";

/** The shipped Abacus model an Abacus demo measures, the file it loads and its world's config. */
export interface AbacusSubject {
  record: ShippedModelRecord;
  path: string;
  config: AbacusConfig;
}

/**
 * The Abacus model the flags name (default abacus-1m), refused with the fix when it is of
 * another world or, for a demo whose texts are written in one notation only, of another notation.
 * A model that works its sums before answering (`working: columns`, abacus-scratch-1m) is refused
 * too: the demos write and read answers without working, so they would score its working as its
 * answer.
 */
export function abacusSubject(
  flags: { model?: string; modelPath?: string; modelsDir?: string },
  demo: string,
  only?: Notation,
): AbacusSubject {
  const shipped = shippedModel(flags.model ?? "abacus-1m", flags.modelsDir);
  const { record } = shipped;
  if (record.world !== "abacus")
    throw new UsageError(
      `the ${demo} demo needs an Abacus model; ${record.name} is of ${record.world} (pass --model abacus-1m)`,
    );
  const config = abacusConfig(record.worldConfig as Partial<AbacusConfig>);
  if (only && config.notation !== only)
    throw new UsageError(
      `the ${demo} demo writes its numbers ${only}; ${record.name} writes them ${config.notation} (pass an ${only} model such as abacus-1m)`,
    );
  if (config.working !== "none")
    throw new UsageError(
      `the ${demo} demo reads answers without working; ${record.name} works its sums first (working ${config.working}), which no demo reads yet (pass a model without working such as abacus-1m)`,
    );
  return { record, path: flags.modelPath ?? shipped.path, config };
}
