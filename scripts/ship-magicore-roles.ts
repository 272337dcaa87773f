/**
 * Ships a run's live-trained MAgICoRe role adapters as `models/magicore-roles/` (what
 * `chorus demo magicore` starts from when the base GGUF, chain shape and training recipe match):
 *
 *   node bin/chorus.js demo magicore --train-roles --json    # trains them into <run>/roles
 *   node --import tsx scripts/ship-magicore-roles.ts <run-dir>
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TrainedRoles } from "../src/testbed/demo/magicore-roles.ts";
import { type RolesRecipe, writeShippedRoles } from "../src/testbed/demo/magicore-shipped-roles.ts";

const [runDir] = process.argv.slice(2);
if (!runDir)
  throw new Error("usage: ship-magicore-roles.ts <run-dir of chorus demo magicore --train-roles>");
const trained = JSON.parse(
  readFileSync(join(runDir, "roles", "roles.json"), "utf8"),
) as TrainedRoles & {
  recipe?: RolesRecipe;
};
if (!trained.recipe)
  throw new Error(
    `${runDir}/roles/roles.json has no recipe: the roles were not trained live in that run (rerun with --train-roles)`,
  );
const { recipe, ...roles } = trained;
const record = await writeShippedRoles(
  roles,
  recipe,
  `chorus demo magicore --train-roles (run ${runDir})`,
);
for (const [file, sha] of Object.entries(record.sha256)) console.log(`${file} ${sha}`);
