import type { ModelSource } from "../../evals/model-source.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { mapLimit } from "../../scoring/map-limit.ts";

/** One slot of the plan: instance `instance`'s `slot`-th recruited expert. */
export interface PlannedSlot {
  instance: number;
  slot: number;
}

/** model → the slots it fills, in instance order. */
export type BatchPlan = Map<string, PlannedSlot[]>;

/** Groups every (instance, slot) by its recruited model; duplicate recruits get two slots. */
export function buildBatchPlan(recruitments: readonly (readonly string[])[]): BatchPlan {
  const plan: BatchPlan = new Map();
  recruitments.forEach((experts, instance) => {
    experts.forEach((model, slot) => {
      if (!plan.has(model)) plan.set(model, []);
      plan.get(model)!.push({ instance, slot });
    });
  });
  return plan;
}

/**
 * Runs the plan: each model is borrowed from the pool ONCE and generates every slot assigned to
 * it (with bounded concurrency), then is released before the next, so a pool larger than memory
 * loads one model at a time and the number of loads is the number of distinct recruited models.
 * Returns `responses[instance][slot]`.
 */
export async function runBatchPlan(
  plan: BatchPlan,
  recruitments: readonly (readonly string[])[],
  models: ModelSource,
  generate: (model: LanguageModel, slot: PlannedSlot) => Promise<string>,
  concurrency = 4,
): Promise<string[][]> {
  const responses = recruitments.map((experts) => experts.map(() => ""));
  for (const [name, slots] of plan) {
    await models.use(name, (model) =>
      mapLimit(slots, concurrency, async (slot) => {
        responses[slot.instance]![slot.slot] = await generate(model, slot);
      }),
    );
  }
  return responses;
}
