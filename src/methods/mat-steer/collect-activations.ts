import type { LanguageModel } from "../../model/index.ts";
import { DataError, requireInternals } from "../../model/index.ts";
import { hookPoint, type SteeringModule } from "./steering-site.ts";
import type { AttributeActivations } from "./train.ts";

/** Labelled texts of one attribute: positive = desirable, negative = undesirable (spec §9.4). */
export interface AttributeTexts {
  positive: readonly string[];
  negative: readonly string[];
}

/**
 * Activation at the **last token** of each text (spec §3.1): raw text, BOS added by the engine, no
 * chat template. Read at the residual stream entering block `layer` (default, the official
 * training site) or, with `module: "o-proj-input"`, at that block's o_proj input.
 */
export async function collectActivations(
  model: LanguageModel,
  texts: readonly string[],
  options: { layer: number; module?: SteeringModule },
): Promise<Float32Array[]> {
  const internals = requireInternals(model);
  const { layer, site } = hookPoint(options, internals.nLayers);
  const out: Float32Array[] = [];
  for (const text of texts) {
    const hidden = await internals.captureHidden(text, {
      layers: [layer],
      positions: "last",
      rawPrompt: true,
      site,
    });
    const row = hidden.states.get(layer)?.[0];
    if (!row) throw new DataError(`no activation captured for text ${JSON.stringify(text)}`);
    out.push(row);
  }
  return out;
}

/** Activations of every attribute's positives and negatives, ready for `trainMatSteer`. */
export async function collectAttributeActivations(
  model: LanguageModel,
  attributes: Readonly<Record<string, AttributeTexts>>,
  options: { layer: number; module?: SteeringModule },
): Promise<Record<string, AttributeActivations>> {
  const result: Record<string, AttributeActivations> = {};
  for (const [name, texts] of Object.entries(attributes)) {
    if (texts.positive.length === 0 || texts.negative.length === 0)
      throw new DataError(
        `attribute "${name}" has ${texts.positive.length} positive and ${texts.negative.length} negative texts; it needs at least one of each`,
      );
    result[name] = {
      positive: await collectActivations(model, texts.positive, options),
      negative: await collectActivations(model, texts.negative, options),
    };
  }
  return result;
}
