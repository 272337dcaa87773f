import { SeededRandom } from "../../math/seeded-random.ts";
import { type DataEngine, nameData } from "./data-engine.ts";
import { errorsOf } from "./evaluate.ts";
import type {
  CompletedInstance,
  DataGenerationAgent,
  TaskInstance,
  TrainingDatum,
} from "./types.ts";

export interface OpenEndedOptions {
  /** Data per teacher step (default 120, the MATH example). */
  budget?: number;
  /** Data per engine call (default 10: 12 calls per step). */
  perCall?: number;
  /** Task problems shown per call (default 3). */
  examplesShown?: number;
  /** Validation errors shown per call (default 3). */
  errorsShown?: number;
  seed?: number;
}

const sample = <T>(rng: SeededRandom, items: readonly T[], k: number): T[] =>
  rng.sampleIndices(items.length, Math.min(k, items.length)).map((i) => items[i]!);

/**
 * OPEN-ENDED environment's baseline teacher: the state is the raw list of validation errors.
 * Each engine call sees a fresh random draw of task problems (the training split) and of
 * errors, shown with their problems (the official template read a field completed instances
 * lack and showed blank lines; here the problem, answer and gold are shown).
 */
export class OpenEndedAgent implements DataGenerationAgent {
  readonly name = "open-ended";
  private rng: SeededRandom;
  private steps = 0;

  constructor(
    private readonly engine: DataEngine,
    private readonly examples: readonly TaskInstance[],
    private readonly options: OpenEndedOptions = {},
  ) {
    this.rng = new SeededRandom(options.seed ?? 0);
  }

  async generate(completed: readonly CompletedInstance[]): Promise<TrainingDatum[]> {
    const budget = this.options.budget ?? 120;
    const perCall = this.options.perCall ?? 10;
    const errors = errorsOf(completed);
    const step = this.steps++;
    const out: TrainingDatum[] = [];
    for (let call = 0; call * perCall < budget; call++) {
      const drafts = await this.engine.likeErrors({
        examples: sample(this.rng, this.examples, this.options.examplesShown ?? 3),
        errors: sample(this.rng, errors, this.options.errorsShown ?? 3),
        count: Math.min(perCall, budget - call * perCall),
      });
      out.push(...nameData(`open-${step}-${call}`, drafts));
    }
    return out;
  }

  state(): unknown {
    return { rng: this.rng.state, steps: this.steps, engine: this.engine.state?.() };
  }

  restore(state: unknown): void {
    const s = state as { rng: number; steps: number; engine?: unknown };
    this.rng.state = s.rng;
    this.steps = s.steps;
    if (s.engine !== undefined) this.engine.restore?.(s.engine);
  }
}
