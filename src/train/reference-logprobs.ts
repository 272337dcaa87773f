import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { LoraAdapter } from "./linear.ts";
import { type SequenceScores, scoreSequence, type TokenizedExample } from "./sequence-scores.ts";
import { linearNames, type Transformer } from "./transformer.ts";

/** sha256 of a file's bytes (hex), streamed: the key that ties cached log-probs to a model. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Runs `fn` with every LoRA adapter detached: the base model is DPO's and NPO's reference. */
export async function withoutLora<T>(model: Transformer, fn: () => Promise<T>): Promise<T> {
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
 * in memory and (with `cacheDir`) on disk in `<cacheDir>/<modelHash>.jsonl`, so reruns and
 * resumed runs skip the reference passes. The reference is `model` with its LoRA adapters
 * detached, or a separate frozen `reference` model (full fine-tuning).
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
      cacheDir?: string;
    },
  ) {}

  private get file(): string | undefined {
    const dir = this.options.cacheDir;
    return dir ? join(dir, `${this.options.modelHash}.jsonl`) : undefined;
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
      if (ref) await run(ref);
      else await withoutLora(this.options.model, () => run(this.options.model));
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
