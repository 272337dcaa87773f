import { UsageError } from "../model/errors.ts";
import type { EvalMethod } from "./eval-method.ts";

/** A registered method: listed without loading its code. */
export interface EvalMethodEntry {
  name: string;
  description: string;
  load(): Promise<EvalMethod>;
}

/**
 * Every method `chorus eval` can run, loaded lazily (so this layer does not pull method code in
 * at import time). Add yours as ONE entry (one line per method keeps concurrent edits apart):
 *   { name, description, load: async () => (await import("../methods/<m>/<file>.ts")).<export> },
 */
export const evalMethods: readonly EvalMethodEntry[] = [];

/**
 * The method named `name`, loaded.
 * @throws UsageError listing the known methods.
 */
export async function loadEvalMethod(name: string): Promise<EvalMethod> {
  const entry = evalMethods.find((m) => m.name === name);
  if (!entry)
    throw new UsageError(
      `unknown eval method "${name}"; methods: ${evalMethods.map((m) => m.name).join(", ")}`,
    );
  return entry.load();
}
