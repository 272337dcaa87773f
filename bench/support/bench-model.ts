import { existsSync } from "node:fs";
import { mkdir, rename } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ModelPreset, writeRandomModel } from "../../src/gguf/index.ts";

/**
 * A random Q8_0 GGUF of a real model's shape, written once into the temp folder and reused by
 * every benchmark (speed depends only on the shapes).
 */
export async function benchModelFile(preset: ModelPreset = "smollm2-135m"): Promise<string> {
  const dir = join(tmpdir(), "chorus-bench-models");
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${preset}-q8_0.gguf`);
  if (!existsSync(file)) {
    process.stderr.write(`writing ${file} ...\n`);
    // A larger std spreads the logits, so random weights rarely pick EOS and runs keep their length.
    await writeRandomModel(`${file}.tmp`, { preset, type: "Q8_0", seed: 1, std: 0.05 });
    await rename(`${file}.tmp`, file);
  }
  return file;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
