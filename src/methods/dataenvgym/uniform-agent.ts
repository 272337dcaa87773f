import { allocate } from "./allocate.ts";
import { type DataEngine, nameData } from "./data-engine.ts";
import type { DataGenerationAgent, TrainingDatum } from "./types.ts";

/**
 * The state-agnostic baseline: the same budget spread evenly over the skills, whatever the
 * student gets wrong. Feedback-driven teachers are compared with it at equal data.
 */
export class UniformAgent implements DataGenerationAgent {
  readonly name = "uniform";
  private steps = 0;

  constructor(
    private readonly engine: DataEngine,
    private readonly skills: readonly string[],
    private readonly budget: number,
  ) {}

  async generate(): Promise<TrainingDatum[]> {
    const step = this.steps++;
    const shares = allocate(
      this.budget,
      this.skills.map(() => 1),
    );
    const out: TrainingDatum[] = [];
    for (const [i, skill] of this.skills.entries())
      if (shares[i]! > 0)
        out.push(
          ...nameData(
            `uniform-${step}-${i}`,
            await this.engine.forSkillBlind({ skill, count: shares[i]! }),
          ),
        );
    return out;
  }

  state(): unknown {
    return { steps: this.steps, engine: this.engine.state?.() };
  }

  restore(state: unknown): void {
    const s = state as { steps: number; engine?: unknown };
    this.steps = s.steps;
    if (s.engine !== undefined) this.engine.restore?.(s.engine);
  }
}
