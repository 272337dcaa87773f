import { mkdir, open, readFile, rename } from "node:fs/promises";
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
  version: 2;
  state: TrainState;
  params: Array<{ name: string; shape: number[]; offset: number; length: number }>;
  /** Float64 values after the header (weights, then AdamW m and v, per parameter). */
  values: number;
}

/** The one checkpoint file: header length (u32 LE), JSON manifest, padding to 8, float64 data. */
export const checkpointFile = "checkpoint.ckpt";
const magic = "CHORUSCK";

/**
 * Saves trainable parameters, AdamW moments and the loop state to `<dir>/checkpoint.ckpt`.
 * Manifest and values share one file, written to a temporary name, flushed to disk and then
 * renamed: the rename is atomic, so a crash at any point leaves either the previous checkpoint
 * or the new one, never a new manifest with old values (the two-file layout this replaces could).
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
  const manifest: Manifest = {
    version: 2,
    state: { ...state, step: opt.step },
    params: entries,
    values: offset,
  };
  const json = Buffer.from(JSON.stringify(manifest), "utf8");
  const head = magic.length + 4 + json.length;
  const header = Buffer.alloc(head + ((8 - (head % 8)) % 8));
  header.write(magic, 0, "latin1");
  header.writeUInt32LE(json.length, magic.length);
  json.copy(header, magic.length + 4);
  const tmp = join(dir, `${checkpointFile}.tmp`);
  const fh = await open(tmp, "w");
  try {
    await fh.write(header);
    await fh.write(new Uint8Array(bin.buffer));
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, join(dir, checkpointFile));
}

/**
 * Restores a checkpoint into `params` and `opt`; returns undefined when `dir` has none. Throws
 * a DataError when the file is damaged or was made for other parameters (different LoRA
 * targets/rank).
 */
export async function loadCheckpoint(
  dir: string,
  params: readonly Param[],
  opt: AdamW,
): Promise<TrainState | undefined> {
  const file = join(dir, checkpointFile);
  let raw: Buffer;
  try {
    raw = await readFile(file);
  } catch {
    return undefined;
  }
  const damaged = (why: string) =>
    new DataError(`the checkpoint is damaged (${why}); delete it to start the run over`, {
      file,
    });
  if (raw.length < magic.length + 4 || raw.toString("latin1", 0, magic.length) !== magic)
    throw damaged("not a chorus checkpoint");
  const jsonLength = raw.readUInt32LE(magic.length);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(
      raw.toString("utf8", magic.length + 4, magic.length + 4 + jsonLength),
    ) as Manifest;
  } catch {
    throw damaged("unreadable manifest");
  }
  const head = magic.length + 4 + jsonLength;
  const start = head + ((8 - (head % 8)) % 8);
  if (raw.length - start !== manifest.values * 8)
    throw damaged(`${raw.length - start} value bytes, expected ${manifest.values * 8}`);
  const bin = new Float64Array(Uint8Array.from(raw.subarray(start)).buffer);
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
