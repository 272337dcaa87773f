import type { LanguageModel } from "../model/language-model.ts";

/**
 * The models a server offers, by name. `ModelPool` (src/runtime) is one: it loads on first use and
 * unloads under memory pressure. `staticModels` wraps models that are already loaded.
 */
export interface ServedModels {
  names(): string[];
  /** Runs `fn` with the model named `name` held for its duration. */
  use<T>(name: string, fn: (model: LanguageModel) => Promise<T>): Promise<T>;
}

/** A source over loaded models: a Map or a record of name → model. */
export function staticModels(
  models: ReadonlyMap<string, LanguageModel> | Readonly<Record<string, LanguageModel>>,
): ServedModels {
  const map: ReadonlyMap<string, LanguageModel> =
    models instanceof Map ? models : new Map(Object.entries(models));
  return {
    names: () => [...map.keys()],
    async use(name, fn) {
      const model = map.get(name);
      if (!model) throw new Error(`unknown model "${name}"`);
      return fn(model);
    },
  };
}
