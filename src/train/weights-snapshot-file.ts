import { readFile, rename, writeFile } from "node:fs/promises";
import { DataError } from "../model/errors.ts";
import type { Arr } from "./array.ts";
import type { WeightsSnapshot } from "./weights-snapshot.ts";

interface SnapshotFile {
  format: "chorus-weights-snapshot/1";
  hash: string;
  tensors: Array<{ name: string; shape: number[]; dtype: "f32" | "f64"; data: string }>;
}

/**
 * Writes a weights snapshot to one JSON file (values base64, exact), atomically: loops that
 * resume from a run folder (LASeR's previous-iteration reference) keep snapshots across restarts.
 */
export async function saveSnapshot(path: string, snap: WeightsSnapshot): Promise<void> {
  const file: SnapshotFile = {
    format: "chorus-weights-snapshot/1",
    hash: snap.hash,
    tensors: [...snap.tensors].map(([name, t]) => ({
      name,
      shape: [...t.shape],
      dtype: t.data instanceof Float64Array ? "f64" : "f32",
      data: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString("base64"),
    })),
  };
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(file));
  await rename(tmp, path);
}

/** Reads a snapshot written by `saveSnapshot` (same hash, same values). */
export async function loadSnapshot(path: string): Promise<WeightsSnapshot> {
  let file: SnapshotFile;
  try {
    file = JSON.parse(await readFile(path, "utf8")) as SnapshotFile;
  } catch (error) {
    throw new DataError(`not a weights snapshot (${(error as Error).message})`, { file: path });
  }
  if (file.format !== "chorus-weights-snapshot/1")
    throw new DataError(`not a weights snapshot (format ${String(file.format)})`, { file: path });
  const tensors = new Map<string, { shape: readonly number[]; data: Arr }>();
  for (const t of file.tensors) {
    const bytes = Buffer.from(t.data, "base64");
    const copy = new Uint8Array(bytes).buffer;
    tensors.set(t.name, {
      shape: t.shape,
      data: t.dtype === "f64" ? new Float64Array(copy) : new Float32Array(copy),
    });
  }
  return { hash: file.hash, tensors };
}
