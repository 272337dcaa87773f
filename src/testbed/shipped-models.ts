import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, DataError } from "../model/errors.ts";

/** The folder of the models chorus ships (`models/` at the package root). */
export const shippedModelsDir = fileURLToPath(new URL("../../models/", import.meta.url));

/**
 * What a build recorded about a shipped model (`models/<name>.json`, summarised in
 * models/MANIFEST.md): enough to rebuild its world and to tell which weights gave a result.
 */
export interface ShippedModelRecord {
  name: string;
  /** The GGUF file beside the record. */
  file: string;
  world: "atlas" | "abacus";
  /** The world generator's full config (seed, sizes, variant switches). */
  worldConfig: Record<string, unknown>;
  variant?: string;
  shape: Record<string, number | string>;
  params: number;
  sha256: string;
  build: {
    command: string;
    tokens: number;
    steps: number;
    wallSeconds: number;
    gflops: number;
    finalLoss: number;
    date: string;
  };
  /**
   * Checked after the build: Atlas closed-book accuracy by exposure bucket and reading accuracy
   * (`AtlasChecks`), Abacus accuracy per skill (`AbacusChecks`); both with the corpus's size.
   */
  checks?: Record<string, unknown>;
}

/** The record and GGUF path of a shipped model, or one error saying how to get it. */
export function shippedModel(
  name: string,
  dir: string | undefined = shippedModelsDir,
): { path: string; record: ShippedModelRecord } {
  dir ??= shippedModelsDir;
  const recordPath = join(dir, `${name}.json`);
  if (!existsSync(recordPath))
    throw new ConfigError(
      `the testbed model "${name}" is not in ${dir}; build it with \`chorus testbed build ${name}\``,
      "model",
    );
  let record: ShippedModelRecord;
  try {
    record = JSON.parse(readFileSync(recordPath, "utf8")) as ShippedModelRecord;
  } catch (error) {
    throw new DataError(
      `${recordPath} is not valid JSON (${(error as Error).message}); rebuild with \`chorus testbed build ${name}\``,
      { file: recordPath },
    );
  }
  const path = join(dir, record.file);
  if (!existsSync(path))
    throw new ConfigError(
      `${path} (named by ${recordPath}) is missing; rebuild with \`chorus testbed build ${name}\``,
      "model",
    );
  return { path, record };
}

/**
 * The build record beside a GGUF (`x.gguf` → `x.json`, as `chorus testbed build` writes them), or
 * undefined when there is none: a renamed or fine-tuned GGUF has no record, and a JSON file there
 * that is not a record (no `world` and `worldConfig`) is not one.
 */
export function recordBeside(ggufPath: string): ShippedModelRecord | undefined {
  const recordPath = ggufPath.replace(/\.gguf$/i, ".json");
  if (recordPath === ggufPath || !existsSync(recordPath)) return undefined;
  let record: unknown;
  try {
    record = JSON.parse(readFileSync(recordPath, "utf8"));
  } catch (error) {
    throw new DataError(
      `not valid JSON (${(error as Error).message}); as the file beside ${ggufPath} it is read as that model's build record: fix it or move it away`,
      { file: recordPath },
    );
  }
  const r = record as Partial<ShippedModelRecord> | null;
  return r && typeof r === "object" && typeof r.world === "string" && r.worldConfig
    ? (r as ShippedModelRecord)
    : undefined;
}
