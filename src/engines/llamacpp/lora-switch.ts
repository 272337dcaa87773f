import { ConfigError } from "../../model/errors.ts";
import type { ActiveLora, LoraSpec } from "../../model/lora.ts";
import type { NativeEngine } from "./ffi/native-engine.ts";
import { type BaseModelShape, checkLoraAdapter } from "./lora-adapter-file.ts";
import type { NodeGenerator } from "./node-generator.ts";
import type { NodeLoraAdapters } from "./node-lora.ts";
import { SwapGate } from "./swap-gate.ts";

/** What a LoraSwitch swaps adapters on. */
export interface LoraSwitchParts {
  base: BaseModelShape;
  node: NodeLoraAdapters;
  generator: NodeGenerator;
  /** The FFI side if it has been loaded (it loads later with `applied`). */
  native: () => NativeEngine | undefined;
}

/**
 * The LoRA adapters of one loaded model, swappable without reloading weights. A swap checks and
 * loads the new files first (a bad file changes nothing), then switches: calls already started
 * finish on the old adapters, calls started after `set` wait and run on the new ones (SwapGate),
 * on node-llama-cpp's contexts and the FFI contexts alike.
 */
export class LoraSwitch {
  readonly gate = new SwapGate();
  private committed: readonly ActiveLora[] = [];
  private appliedNow: readonly ActiveLora[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly parts: LoraSwitchParts) {}

  /** The adapters of calls starting now (what a cache must key on). */
  get active(): readonly ActiveLora[] {
    return this.committed;
  }

  /** The adapters the contexts serve now (what the FFI side loads with). */
  get applied(): readonly ActiveLora[] {
    return this.appliedNow;
  }

  /**
   * Swaps to `specs` (`[]`: the base model). Swaps run in the order they were asked for.
   * @throws ConfigError naming the file for a missing, foreign or mismatched adapter.
   */
  set(specs: readonly LoraSpec[]): Promise<void> {
    const run = this.queue.then(() => this.swap(specs));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Settles when every swap asked for so far has finished (or failed). */
  settled(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  private async swap(specs: readonly LoraSpec[]): Promise<void> {
    const { base, node, generator, native } = this.parts;
    const adapters: ActiveLora[] = [];
    for (const spec of specs) {
      const adapter = await checkLoraAdapter(spec, base);
      if (adapters.some((a) => a.path === adapter.path))
        throw new ConfigError(
          `LoRA adapter ${adapter.path} is listed twice; list each adapter once (scales do not add up in llama.cpp)`,
          "lora",
        );
      adapters.push(adapter);
    }
    // Everything that can fail happens before the switch.
    const loras = await node.load(adapters);
    native()?.model.preloadLora(adapters);
    this.committed = adapters;
    await this.gate.swap(async () => {
      await generator.setLora({ loras, scales: adapters.map((a) => a.scale) });
      native()?.setLora(adapters);
      this.appliedNow = adapters;
      await node.freeExcept(generator.lorasInUse());
    });
  }
}
