import { UsageError } from "../model/errors.ts";
import type { LanguageModel } from "../model/language-model.ts";

/**
 * The models an eval method may use, by name, with roles ("solver", "judge", "prm",
 * "aggregator", ...) mapped to names. `use` borrows a model: a pool may load it first and unload
 * others to stay within its memory budget, so methods that switch models group their work by
 * model (Symbolic-MoE's batching) and hold one model at a time.
 */
export interface ModelSource {
  /** Every model's name, in the order given. */
  readonly names: readonly string[];
  /** The model name for a role; falls back to the first model when the role is not set. */
  nameFor(role: string): string;
  use<T>(name: string, fn: (model: LanguageModel) => Promise<T>): Promise<T>;
}

/** A ModelSource over models that are already loaded (tests, remote endpoints). */
export function staticModelSource(
  models: readonly LanguageModel[],
  roles: Record<string, string> = {},
): ModelSource {
  const byName = new Map(models.map((m) => [m.id, m]));
  const first = models[0];
  return {
    names: models.map((m) => m.id),
    nameFor(role) {
      const name = roles[role] ?? first?.id;
      if (name === undefined) throw new UsageError(`no model given (needed for role "${role}")`);
      return name;
    },
    async use(name, fn) {
      const model = byName.get(name);
      if (!model)
        throw new UsageError(`no model named "${name}"; models: ${[...byName.keys()].join(", ")}`);
      return fn(model);
    },
  };
}
