import { sftObjective } from "./objectives.ts";
import type { DpoData, DpoSettings, ExampleOptions, SftData, Trainable } from "./trainable.ts";
import {
  type SessionOptions,
  type SessionTrainOptions,
  type SessionTrainResult,
  TrainingSession,
} from "./training-session.ts";

/**
 * A TrainingSession on a Trainable: `sft` and `dpo` take records, JSONL files or tokenized
 * examples. The same records array (or file) in consecutive calls continues through the epoch
 * where the previous call stopped, since its tokenization is kept.
 *
 * @example
 * const s = t.session({ lr: 1e-3, totalSteps: 40, warmupSteps: 4 });
 * await s.sft(records, { steps: 20 });
 * const policy = t.snapshot();
 * await s.dpo(pairs, { steps: 20, reference: policy });
 */
export class TrainableSession extends TrainingSession {
  private readonly tokenized = new Map<unknown, readonly unknown[]>();

  constructor(
    readonly trainable: Trainable,
    options: SessionOptions = {},
  ) {
    super(trainable.model, options);
  }

  /** Tokenizes once per data value, so the session's data position can continue. */
  private async once<E>(data: unknown, make: () => Promise<E[]>): Promise<readonly E[]> {
    const known = this.tokenized.get(data);
    if (known) return known as readonly E[];
    const made = await make();
    this.tokenized.set(data, made);
    return made;
  }

  /** Supervised fine-tuning steps (or epochs) on `data`. */
  async sft(
    data: SftData,
    options: SessionTrainOptions & ExampleOptions = {},
  ): Promise<SessionTrainResult> {
    const examples = await this.once(data, () => this.trainable.sftExamples(data, options));
    return this.train(examples, sftObjective(), options);
  }

  /**
   * DPO steps (or epochs) on `data` against `options.reference` (a snapshot, e.g. the policy
   * of the previous iteration; default the loaded weights).
   */
  async dpo(
    data: DpoData,
    options: SessionTrainOptions & ExampleOptions & DpoSettings = {},
  ): Promise<SessionTrainResult> {
    const pairs = await this.once(data, () => this.trainable.dpoPairs(data, options));
    const objective = await this.trainable.dpoObjectiveFor(pairs, options);
    return this.train(pairs, objective, options);
  }
}
