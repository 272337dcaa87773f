import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DataError } from "../model/errors.ts";
import type { AdamW } from "./adamw.ts";
import type { Param } from "./param.ts";

/** Everything a resumed run needs besides the weights: where the loop was. */
export interface TrainState {
  step: number;
  epoch: number;
  /** Index in the epoch's shuffled order of the next example. */
  cursor: number;
  rngState: number;
  losses: number[];
}

interface Manifest {
  version: 1;
  state: TrainState;
  params: Array<{ name: string; shape: number[]; offset: number; length: number }>;
}

/**
 * Saves trainable parameters, AdamW moments and the loop state to `<dir>/checkpoint.{json,bin}`
 * (float64 binary; written to temporary names then renamed, so a crash never leaves half a
 * checkpoint).
 */
export async function saveCheckpoint(
  dir: string,
  params: readonly Param[],
  opt: AdamW,
  state: TrainState,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const entries: Manifest["params"] = [];
  let offset = 0;
  for (const p of params) {
    entries.push({ name: p.name, shape: p.shape, offset, length: p.data.length });
    offset += 3 * p.data.length;
  }
  const bin = new Float64Array(offset);
  for (const [i, p] of params.entries()) {
    const o = entries[i]!.offset;
    const n = p.data.length;
    bin.set(p.data, o);
    bin.set(opt.m.get(p.name)!, o + n);
    bin.set(opt.v.get(p.name)!, o + 2 * n);
  }
  const manifest: Manifest = { version: 1, state: { ...state, step: opt.step }, params: entries };
  await writeFile(join(dir, "checkpoint.bin.tmp"), new Uint8Array(bin.buffer));
  await writeFile(join(dir, "checkpoint.json.tmp"), JSON.stringify(manifest));
  await rename(join(dir, "checkpoint.bin.tmp"), join(dir, "checkpoint.bin"));
  await rename(join(dir, "checkpoint.json.tmp"), join(dir, "checkpoint.json"));
}

/**
 * Restores a checkpoint into `params` and `opt`; returns undefined when `dir` has none. Throws
 * a DataError when the checkpoint was made for other parameters (different LoRA targets/rank).
 */
export async function loadCheckpoint(
  dir: string,
  params: readonly Param[],
  opt: AdamW,
): Promise<TrainState | undefined> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, "checkpoint.json"), "utf8")) as Manifest;
  } catch {
    return undefined;
  }
  const raw = await readFile(join(dir, "checkpoint.bin"));
  const bin = new Float64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8);
  const byName = new Map(manifest.params.map((e) => [e.name, e]));
  for (const p of params) {
    const e = byName.get(p.name);
    if (!e || e.length !== p.data.length) {
      throw new DataError(
        `checkpoint in ${dir} does not match this run's trainable parameters (${p.name}); start a fresh run folder or use the same LoRA settings`,
      );
    }
    const n = e.length;
    p.data.set(bin.subarray(e.offset, e.offset + n));
    opt.m.get(p.name)!.set(bin.subarray(e.offset + n, e.offset + 2 * n));
    opt.v.get(p.name)!.set(bin.subarray(e.offset + 2 * n, e.offset + 3 * n));
  }
  opt.step = manifest.state.step;
  return manifest.state;
}
