import { errorsOf } from "./evaluate.ts";
import type { CompletedInstance, DataGenerationAgent, Task, TrainingDatum } from "./types.ts";

/**
 * The simplest feedback-driven teacher (the spec's acceptance agent, and an oracle upper bound):
 * each validation error becomes a datum with its gold solution, at most `perCall` per call.
 * It teaches the validation set itself, so it measures the loop, never generalisation.
 */
export class CopyErrorsAgent implements DataGenerationAgent {
  readonly name = "copy-errors";
  private calls = 0;

  constructor(
    private readonly task: Task,
    private readonly perCall = Number.POSITIVE_INFINITY,
  ) {}

  async generate(completed: readonly CompletedInstance[]): Promise<TrainingDatum[]> {
    const call = this.calls++;
    return errorsOf(completed)
      .slice(0, this.perCall)
      .map((c) => ({
        id: `copy-${call}-${c.instance.id}`,
        instruction: c.instance.instruction,
        response: this.task.reference(c.instance),
        ...(c.instance.skill !== undefined ? { skill: c.instance.skill } : {}),
      }));
  }

  state(): unknown {
    return { calls: this.calls };
  }

  restore(state: unknown): void {
    this.calls = (state as { calls: number }).calls;
  }
}
