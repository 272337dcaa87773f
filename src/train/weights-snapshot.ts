import { createHash } from "node:crypto";
import { ConfigError } from "../model/errors.ts";
import type { Arr } from "./array.ts";
import type { Param } from "./param.ts";

/**
 * An in-memory copy of trainable weights (LoRA factors or full weights), by parameter name.
 * `hash` is a sha256 of the names, shapes and values: the same weights always give the same
 * hash, so it can key caches of anything computed from them (reference log-probs).
 */
export interface WeightsSnapshot {
  readonly hash: string;
  readonly tensors: ReadonlyMap<string, { shape: readonly number[]; data: Arr }>;
}

const copyOf = (a: Arr): Arr =>
  a instanceof Float64Array ? Float64Array.from(a) : Float32Array.from(a);

/** Copies `params` and hashes the copy. */
export function snapshotParams(params: readonly Param[]): WeightsSnapshot {
  const hash = createHash("sha256");
  const tensors = new Map<string, { shape: readonly number[]; data: Arr }>();
  for (const p of [...params].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const data = copyOf(p.data);
    tensors.set(p.name, { shape: [...p.shape], data });
    // Values hashed as float64 so a snapshot's hash does not depend on the working precision's
    // byte layout beyond the values themselves.
    const f64 = data instanceof Float64Array ? data : Float64Array.from(data);
    hash.update(`${p.name}:${p.shape.join("x")};`);
    hash.update(new Uint8Array(f64.buffer, f64.byteOffset, f64.byteLength));
  }
  return { hash: hash.digest("hex"), tensors };
}

/**
 * Throws a ConfigError unless `snap` holds exactly `params` (same names and sizes): a snapshot
 * of another LoRA setup or model cannot be restored into this one.
 */
export function checkSnapshotFits(params: readonly Param[], snap: WeightsSnapshot): void {
  const problem = (what: string) =>
    new ConfigError(
      `the weights snapshot does not fit this model's trainable parameters (${what}); restore a snapshot taken from the same Trainable (same LoRA rank, targets and layers)`,
      "snapshot",
    );
  if (snap.tensors.size !== params.length)
    throw problem(`${snap.tensors.size} tensors in the snapshot, ${params.length} trainable`);
  for (const p of params) {
    const t = snap.tensors.get(p.name);
    if (!t) throw problem(`${p.name} is missing`);
    if (t.data.length !== p.data.length) throw problem(`${p.name} has another shape`);
  }
}

/** Writes the snapshot's values into `params` (in place: every holder of the arrays sees them). */
export function restoreParams(params: readonly Param[], snap: WeightsSnapshot): void {
  checkSnapshotFits(params, snap);
  for (const p of params) p.data.set(snap.tensors.get(p.name)!.data);
}
