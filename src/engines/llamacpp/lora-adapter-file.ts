import { createHash } from "node:crypto";
import { open, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { type GgufFile, openGguf } from "../../gguf/index.ts";
import { ConfigError, DataError } from "../../model/errors.ts";
import type { ActiveLora, LoraSpec } from "../../model/lora.ts";

/** What an adapter must match: the base model's architecture and tensor shapes (ggml order). */
export interface BaseModelShape {
  path: string;
  architecture: string;
  tensors: ReadonlyMap<string, readonly number[]>;
}

/** The architecture and tensor shapes of an open model GGUF. */
export function baseModelShape(file: GgufFile): BaseModelShape {
  return {
    path: file.path,
    architecture: file.architecture ?? "",
    tensors: new Map(file.tensors.map((t) => [t.name, t.shape])),
  };
}

/**
 * Checks a LoRA adapter file against the base model with our GGUF reader, and hashes it.
 * llama.cpp's own checks only write to its log and return NULL, so every problem it would refuse
 * (missing file, not GGUF, not a LoRA adapter, other architecture, other shapes) is found here
 * first and named with its fix, before any native code sees the file.
 */
export async function checkLoraAdapter(spec: LoraSpec, base: BaseModelShape): Promise<ActiveLora> {
  const path = resolve(spec.path);
  const scale = spec.scale ?? 1;
  if (!Number.isFinite(scale))
    throw new ConfigError(
      `LoRA adapter ${path}: scale must be a finite number, got ${scale}`,
      "lora",
    );
  const fail = (problem: string): ConfigError =>
    new ConfigError(`LoRA adapter ${path}: ${problem}`, "lora");
  let file: GgufFile;
  try {
    file = await openGguf(path);
  } catch (error) {
    if (error instanceof DataError && /no such file/.test(error.message))
      throw fail("file not found; check the path");
    throw fail(
      `not a readable GGUF file (${error instanceof Error ? error.message : String(error)}); give a GGUF LoRA adapter such as the trainer's saveAdapter output`,
    );
  }
  try {
    const type = file.value("general.type");
    const adapterType = file.value("adapter.type");
    if (type !== "adapter" || adapterType !== "lora") {
      throw fail(
        `not a LoRA adapter (general.type is ${JSON.stringify(type ?? null)}, adapter.type ${JSON.stringify(adapterType ?? null)}; an adapter has "adapter" and "lora"); a full model GGUF is loaded as the model, not as an adapter`,
      );
    }
    if (file.architecture !== base.architecture) {
      throw fail(
        `made for a "${file.architecture}" model, but ${base.path} is "${base.architecture}"; use an adapter trained on this base model`,
      );
    }
    checkTensors(file, base, fail);
  } finally {
    await file.close();
  }
  return { path, scale, sha256: await sha256Of(path) };
}

/** Every lora_a/lora_b pair must adapt a tensor of the base model with its exact shape. */
function checkTensors(
  file: GgufFile,
  base: BaseModelShape,
  fail: (problem: string) => ConfigError,
): void {
  const otherBase = `the adapter was made for a different base model; use one trained on ${base.path}`;
  const pairs = new Map<string, { a?: readonly number[]; b?: readonly number[] }>();
  for (const tensor of file.tensors) {
    const match = /^(.*)\.lora_([ab])$/.exec(tensor.name);
    if (!match) {
      if (tensor.name.endsWith("_norm.weight")) continue; // llama.cpp skips these too
      throw fail(`tensor "${tensor.name}" is not a lora_a/lora_b tensor; ${otherBase}`);
    }
    const pair = pairs.get(match[1]!) ?? {};
    pair[match[2] as "a" | "b"] = tensor.shape;
    pairs.set(match[1]!, pair);
  }
  if (pairs.size === 0) throw fail("has no lora_a/lora_b tensors; it adapts nothing");
  for (const [target, { a, b }] of pairs) {
    if (!a || !b) throw fail(`"${target}" has lora_${a ? "a" : "b"} without its partner`);
    const weight = base.tensors.get(target);
    if (!weight) throw fail(`adapts "${target}", which ${base.path} does not have; ${otherBase}`);
    // ggml order: W is [n_in, n_out], A is [n_in, rank], B is [rank, n_out].
    if (a[0] !== weight[0] || b[1] !== weight[1] || a[1] !== b[0]) {
      throw fail(
        `"${target}" has A [${a.join(", ")}] and B [${b.join(", ")}], which do not fit the model's [${weight.join(", ")}]; ${otherBase}`,
      );
    }
  }
}

/** Hashes by path, keyed on size, inode and nanosecond mtime: a rewritten file is hashed again. */
const hashes = new Map<string, { stamp: string; sha256: string }>();

/** sha256 of a file's bytes (read in 8 MiB chunks), remembered while the file is unchanged. */
async function sha256Of(path: string): Promise<string> {
  const info = await stat(path, { bigint: true });
  const stamp = `${info.size}:${info.ino}:${info.mtimeNs}`;
  const known = hashes.get(path);
  if (known?.stamp === stamp) return known.sha256;
  // Large reads into one buffer: a 64 KiB read stream took 2-4x longer on a loaded machine.
  const hash = createHash("sha256");
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(8 << 20);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  const sha256 = hash.digest("hex");
  hashes.set(path, { stamp, sha256 });
  return sha256;
}
