import type { LlamaContext, LlamaModel } from "node-llama-cpp";
import { ConfigError } from "../../model/errors.ts";
import type { ActiveLora } from "../../model/lora.ts";

/** node-llama-cpp's native adapter object (AddonModelLora, 3.21.1). */
interface AddonLora {
  dispose(): Promise<void>;
}

/** The node-llama-cpp 3.21.1 internals used here (pinned exactly; checked on first use). */
interface ModelInternals {
  _llama: {
    _bindings: { AddonModelLora: new (model: unknown, path: string) => AddonLora };
  };
  _model: { loadLora(lora: AddonLora): Promise<void> };
}
interface ContextInternals {
  _ctx: { setLoras(loras: AddonLora[], scales: number[]): void };
}

/**
 * LoRA adapters on node-llama-cpp's side, swappable on live contexts. Its public API sets adapters
 * only when a context is created, and caches them by path forever (a retrained file at the same
 * path would be served stale). So adapters are loaded here, keyed by path and content hash, set
 * with the addon's `setLoras` (llama_set_adapters_lora), and freed once no context serves them.
 */
export class NodeLoraAdapters {
  private readonly loaded = new Map<string, AddonLora>();
  private readonly model: ModelInternals;

  constructor(model: LlamaModel) {
    this.model = model as unknown as ModelInternals;
    if (typeof this.model._llama?._bindings?.AddonModelLora !== "function")
      throw new Error(
        "internal: node-llama-cpp's AddonModelLora is missing; LoRA swapping needs node-llama-cpp 3.21.1",
      );
  }

  /**
   * Loads `adapters` (already checked by checkLoraAdapter) and returns their native objects.
   * @throws ConfigError when llama.cpp refuses one.
   */
  async load(adapters: readonly ActiveLora[]): Promise<AddonLora[]> {
    const out: AddonLora[] = [];
    for (const adapter of adapters) {
      const key = `${adapter.sha256}:${adapter.path}`;
      let lora = this.loaded.get(key);
      if (!lora) {
        const created = new this.model._llama._bindings.AddonModelLora(
          this.model._model,
          adapter.path,
        );
        try {
          await this.model._model.loadLora(created);
        } catch (error) {
          throw new ConfigError(
            `llama.cpp could not load the LoRA adapter ${adapter.path} (${error instanceof Error ? error.message : String(error)}); it must be a GGUF LoRA made for this model`,
            "lora",
          );
        }
        lora = created;
        this.loaded.set(key, lora);
      }
      out.push(lora);
    }
    return out;
  }

  /** Sets `loras` at `scales` on `context`, replacing what it served. No decode may be running. */
  apply(context: LlamaContext, loras: readonly AddonLora[], scales: readonly number[]): void {
    (context as unknown as ContextInternals)._ctx.setLoras([...loras], [...scales]);
  }

  /** Frees every loaded adapter that is not in `keep`. */
  async freeExcept(keep: ReadonlySet<AddonLora>): Promise<void> {
    for (const [key, lora] of this.loaded) {
      if (keep.has(lora)) continue;
      this.loaded.delete(key);
      await lora.dispose();
    }
  }
}

export type { AddonLora };
