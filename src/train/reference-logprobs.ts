import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { LoraAdapter } from "./linear.ts";
import { withModelLock } from "./model-lock.ts";
import { type SequenceScores, scoreSequence, type TokenizedExample } from "./sequence-scores.ts";
import { linearNames, type Transformer } from "./transformer.ts";
import { checkSnapshotFits, snapshotParams, type WeightsSnapshot } from "./weights-snapshot.ts";

/** sha256 of a file's bytes (hex), streamed: the key that ties cached log-probs to a model. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Runs `fn` with every LoRA adapter detached: the base model is DPO's and NPO's reference.
 * Holds the model's lock, so concurrent users take turns instead of restoring each other's
 * adapters mid-pass.
 */
export function withoutLora<T>(model: Transformer, fn: () => Promise<T>): Promise<T> {
  return withModelLock(model, () => detached(model, fn));
}

/**
 * Runs `fn` with the snapshot's values in the model's trainable parameters (LoRA factors or
 * full weights), then puts the current values back; under the model's lock.
 */
export function withWeights<T>(
  model: Transformer,
  snapshot: WeightsSnapshot,
  fn: () => Promise<T>,
): Promise<T> {
  return withModelLock(model, async () => {
    const params = model.trainableParams();
    checkSnapshotFits(params, snapshot);
    const current = snapshotParams(params);
    for (const p of params) p.data.set(snapshot.tensors.get(p.name)!.data);
    try {
      return await fn();
    } finally {
      for (const p of params) p.data.set(current.tensors.get(p.name)!.data);
    }
  });
}

async function detached<T>(model: Transformer, fn: () => Promise<T>): Promise<T> {
  const saved: Array<[number, (typeof linearNames)[number], LoraAdapter]> = [];
  model.blocks.forEach((b, l) => {
    for (const n of linearNames) {
      const lora = b.linears[n].lora;
      if (lora) {
        saved.push([l, n, lora]);
        delete b.linears[n].lora;
      }
    }
  });
  try {
    return await fn();
  } finally {
    for (const [l, n, lora] of saved) model.blocks[l]!.linears[n].lora = lora;
  }
}

function exampleKey(e: TokenizedExample): string {
  return createHash("sha256")
    .update(`${e.start}:${e.tokens.join(",")}`)
    .digest("hex")
    .slice(0, 32);
}

/**
 * Summed completion log-probs under a frozen reference, computed once per example and cached
 * in memory and (with `cacheDir`) on disk in `<cacheDir>/<modelHash>-<weights>.jsonl`, so
 * reruns and resumed runs skip the reference passes. The reference is `model` with its LoRA
 * adapters detached (`weights` = "base"), `model` with a snapshot's weights swapped in
 * (`weights` = the snapshot's hash: last iteration's policy, as LASeR needs), or a separate
 * frozen `reference` model. The file name carries both hashes, so a different reference never
 * reads another's log-probs.
 */
export class ReferenceLogProbs {
  private readonly memory = new Map<string, number>();
  private loaded = false;

  constructor(
    private readonly options: {
      model: Transformer;
      /** Identifies the reference weights (e.g. `fileSha256(modelPath)`). */
      modelHash: string;
      reference?: Transformer;
      /** Trainable weights of the reference, swapped into `model` for its passes. */
      snapshot?: WeightsSnapshot;
      cacheDir?: string;
    },
  ) {}

  /** What the cached log-probs were computed with: the base file and the swapped-in weights. */
  get weightsKey(): string {
    return `${this.options.modelHash}-${this.options.snapshot?.hash ?? "base"}`;
  }

  private get file(): string | undefined {
    const dir = this.options.cacheDir;
    return dir ? join(dir, `${this.weightsKey}.jsonl`) : undefined;
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    this.loaded = true;
    const file = this.file;
    if (!file) return;
    let text = "";
    try {
      text = await readFile(file, "utf8");
    } catch {
      return;
    }
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        const { key, sum } = JSON.parse(line) as { key: string; sum: number };
        if (typeof key === "string" && typeof sum === "number") this.memory.set(key, sum);
      } catch {
        // A torn last line (interrupted write) is recomputed.
      }
    }
  }

  /** Reference log-probs of every example (computed for the ones not cached yet). */
  async sums(examples: readonly TokenizedExample[]): Promise<number[]> {
    await this.load();
    const keys = examples.map(exampleKey);
    const missing = examples.filter((_, i) => !this.memory.has(keys[i]!));
    if (missing.length > 0) {
      const ref = this.options.reference;
      const scores: SequenceScores[] = [];
      // Sequentially: the passes share the model's (detached) state.
      const run = async (m: Transformer) => {
        for (const e of missing) scores.push(await scoreSequence(m, e));
      };
      const { model, snapshot } = this.options;
      if (ref) await run(ref);
      else if (snapshot) await withWeights(model, snapshot, () => run(model));
      else await withoutLora(model, () => run(model));
      const lines: string[] = [];
      missing.forEach((e, i) => {
        const key = exampleKey(e);
        this.memory.set(key, scores[i]!.sum);
        lines.push(JSON.stringify({ key, sum: scores[i]!.sum }));
      });
      const file = this.file;
      if (file && this.options.cacheDir) {
        await mkdir(this.options.cacheDir, { recursive: true });
        await appendFile(file, `${lines.join("\n")}\n`);
      }
    }
    return keys.map((k) => this.memory.get(k)!);
  }
}
