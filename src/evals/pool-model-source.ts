import { UsageError } from "../model/errors.ts";
import type { ModelPool } from "../runtime/model-pool.ts";
import type { ModelSource } from "./model-source.ts";

/**
 * A ModelSource over the runtime's pool: `names` are the models given on the command line (in
 * order), a role resolves to an explicit `roles` entry, else the first config model tagged with
 * that role, else the first model. `use` holds the model in the pool for the call's duration,
 * so the pool's memory budget decides what stays loaded.
 */
export function poolModelSource(
  pool: ModelPool,
  names: readonly string[],
  roles: Record<string, string> = {},
): ModelSource {
  for (const [role, name] of Object.entries(roles))
    if (!pool.has(name))
      throw new UsageError(
        `--role ${role}=${name}: no model named "${name}"; models: ${pool.names().join(", ")}`,
      );
  const all = names.length > 0 ? names : pool.names();
  return {
    names: all,
    nameFor(role) {
      const name = roles[role] ?? pool.namesWithRole(role)[0] ?? all[0];
      if (name === undefined)
        throw new UsageError(
          `no model for role "${role}": pass --model (or --role ${role}=<name>)`,
        );
      return name;
    },
    use: (name, fn) => pool.use(name, fn),
  };
}
