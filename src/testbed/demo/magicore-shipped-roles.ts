/**
 * MAgICoRe's four role adapters as shipped in `models/magicore-roles/`: the smoke's live role
 * training is a third of its wall time, and the adapters are a deterministic function of the base
 * GGUF, the chain shape and the training recipe, so the demo starts from the shipped ones when all
 * three match and trains live otherwise (`--train-roles` forces it and says whether the result is
 * byte-identical to what is shipped).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { DataError } from "../../model/errors.ts";
import { fileSha256 } from "../../runtime/file-hash.ts";
import type { ChainShape } from "../abacus/chain-skill.ts";
import { shippedModelsDir } from "../shipped-models.ts";
import type { RoleTraining, TrainedRole, TrainedRoles } from "./magicore-roles.ts";

/** Where the shipped adapters and their record live. */
export const shippedRolesDir = join(shippedModelsDir, "magicore-roles");

/** What the four roles were trained from; a run uses the shipped adapters only when it is equal. */
export interface RolesRecipe {
  /** sha256 of the base GGUF the adapters were trained on. */
  baseSha256: string;
  shape: ChainShape;
  training: RoleTraining;
}

/** `models/magicore-roles/roles.json`: the recipe, the training record and each file's sha256. */
export interface ShippedRoles extends TrainedRoles {
  recipe: RolesRecipe;
  /** Adapter file name (in the record's folder) → sha256. */
  sha256: Record<string, string>;
  /** How the adapters were made, for MANIFEST readers. */
  command: string;
  date: string;
}

/** The shipped record in `dir`, or undefined when there is none or its recipe differs. */
export function matchingShippedRoles(
  recipe: RolesRecipe,
  dir: string = shippedRolesDir,
): ShippedRoles | undefined {
  const path = join(dir, "roles.json");
  if (!existsSync(path)) return undefined;
  let record: ShippedRoles;
  try {
    record = JSON.parse(readFileSync(path, "utf8")) as ShippedRoles;
  } catch (error) {
    throw new DataError(
      `${path} is not valid JSON (${(error as Error).message}); restore it from the package (git checkout models/magicore-roles) or pass --train-roles`,
      { file: path },
    );
  }
  return isDeepStrictEqual(record.recipe, recipe) ? record : undefined;
}

/**
 * Copies the shipped adapters into a run's `roles/` folder (checking each file's sha256, so a
 * damaged file is named rather than silently used) and writes the run's `roles.json`.
 */
export async function copyShippedRoles(
  record: ShippedRoles,
  runRolesDir: string,
  dir: string = shippedRolesDir,
): Promise<TrainedRoles> {
  mkdirSync(runRolesDir, { recursive: true });
  const roles: TrainedRole[] = [];
  for (const role of record.roles) {
    const from = join(dir, role.adapter);
    const want = record.sha256[role.adapter];
    const got = existsSync(from) ? await fileSha256(from) : "missing";
    if (got !== want)
      throw new DataError(
        `${from} is ${got === "missing" ? "missing" : `damaged (sha256 ${got.slice(0, 12)}…, the record says ${want?.slice(0, 12)}…)`}; restore it from the package (git checkout models/magicore-roles) or pass --train-roles to train the roles live`,
        { file: from },
      );
    const to = join(runRolesDir, role.adapter);
    copyFileSync(from, to);
    roles.push({ ...role, adapter: to });
  }
  const trained = { ...record, roles };
  const { recipe: _r, sha256: _s, command: _c, date: _d, ...run } = trained;
  writeFileSync(join(runRolesDir, "roles.json"), `${JSON.stringify(run, null, 2)}\n`);
  return run;
}

/** sha256 of each trained adapter, by file name. */
export async function adapterHashes(
  roles: readonly TrainedRole[],
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const role of roles) out[basename(role.adapter)] = await fileSha256(role.adapter);
  return out;
}

/** Writes trained roles as a shipped record into `dir` (the adapters copied beside it). */
export async function writeShippedRoles(
  trained: TrainedRoles,
  recipe: RolesRecipe,
  command: string,
  dir: string = shippedRolesDir,
): Promise<ShippedRoles> {
  mkdirSync(dir, { recursive: true });
  const roles = trained.roles.map((role) => {
    const file = basename(role.adapter);
    copyFileSync(role.adapter, join(dir, file));
    return { ...role, adapter: file };
  });
  const record: ShippedRoles = {
    ...trained,
    roles,
    recipe,
    sha256: await adapterHashes(trained.roles),
    command,
    date: new Date().toISOString().slice(0, 10),
  };
  writeFileSync(join(dir, "roles.json"), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}
