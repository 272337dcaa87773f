import type { TaskInstance, TrainablePredictor, TrainingDatum } from "./types.ts";

/**
 * A non-trainable-by-gradient student for tests and dry runs: a lookup table from instruction to
 * response that `train` fills with exactly the data it is given (so it knows what it was last
 * trained on, as a student retrained from the base does), answering `fallback` otherwise.
 * `known` is what the base "model" knows before any training.
 */
export class LookupStudent implements TrainablePredictor {
  private table = new Map<string, string>();
  /** The data of every `train` call, in order (what a spy would record). */
  readonly trainCalls: TrainingDatum[][] = [];

  constructor(
    private readonly known: ReadonlyMap<string, string> = new Map(),
    private readonly fallback = "",
  ) {
    this.table = new Map(known);
  }

  async predict(instances: readonly TaskInstance[]): Promise<string[]> {
    return instances.map((x) => this.table.get(x.instruction) ?? this.fallback);
  }

  async train(data: readonly TrainingDatum[]): Promise<void> {
    this.trainCalls.push([...data]);
    this.table = new Map(this.known);
    for (const d of data) this.table.set(d.instruction, d.response);
  }
}

/** The official `minimal_stub` student: one constant answer, training ignored. */
export class ConstantStudent implements TrainablePredictor {
  constructor(private readonly answer: string) {}

  async predict(instances: readonly TaskInstance[]): Promise<string[]> {
    return instances.map(() => this.answer);
  }

  async train(): Promise<void> {}
}
