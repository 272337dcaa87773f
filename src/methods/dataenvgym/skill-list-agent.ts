import { allocate } from "./allocate.ts";
import { type DataEngine, nameData } from "./data-engine.ts";
import type {
  CompletedInstance,
  DataGenerationAgent,
  SkillDiscovery,
  TrainingDatum,
} from "./types.ts";

export interface SkillListOptions {
  /** Weak-subskill hypotheses per skill (default 5). */
  hypotheses?: number;
  /** Data per hypothesis (default 5). */
  perHypothesis?: number;
  /**
   * Only skills with validation errors get data (default true, the official default); false:
   * every skill of the validation set, harder problems for skills without errors (the MATH
   * example's setting).
   */
  onlyErrors?: boolean;
  /**
   * A total per step split over the skills in proportion to their errors (the testbed's
   * "budget per skill ∝ errors"); without it each skill gets hypotheses × perHypothesis.
   */
  budget?: number;
  /** Errors shown per skill (default all). */
  errorsShown?: number;
}

/**
 * SKILL-LIST environment's baseline teacher: the state is the validation errors grouped by the
 * frozen discovered skills; per skill, one engine call sees only that skill's errors and
 * hypothesises weak subskills with data for each.
 */
export class SkillListAgent implements DataGenerationAgent {
  readonly name = "skill-list";
  private steps = 0;

  constructor(
    private readonly engine: DataEngine,
    private readonly discovery: SkillDiscovery,
    private readonly options: SkillListOptions = {},
  ) {}

  /** Validation results per skill, in the discovery's skill order. */
  async groups(completed: readonly CompletedInstance[]): Promise<Map<string, CompletedInstance[]>> {
    const bySkill = new Map<string, CompletedInstance[]>(this.discovery.skills.map((s) => [s, []]));
    for (const c of completed) {
      const skill = await this.discovery.skillOf(c.instance);
      if (!bySkill.has(skill)) bySkill.set(skill, []);
      bySkill.get(skill)!.push(c);
    }
    return bySkill;
  }

  async generate(completed: readonly CompletedInstance[]): Promise<TrainingDatum[]> {
    const hypotheses = this.options.hypotheses ?? 5;
    const perHypothesis = this.options.perHypothesis ?? 5;
    const onlyErrors = this.options.onlyErrors !== false;
    const step = this.steps++;
    const targets = [...(await this.groups(completed))]
      .map(([skill, done]) => ({ skill, done, errors: done.filter((c) => !c.correct) }))
      .filter((t) => t.done.length > 0 && (!onlyErrors || t.errors.length > 0));
    const budget = this.options.budget;
    const counts =
      budget === undefined
        ? targets.map(() => hypotheses * perHypothesis)
        : allocate(
            budget,
            targets.map((t) => t.errors.length),
          );
    const out: TrainingDatum[] = [];
    for (const [i, t] of targets.entries()) {
      if (counts[i] === 0) continue;
      const drafts = await this.engine.forSkill({
        skill: t.skill,
        errors: t.errors.slice(0, this.options.errorsShown ?? t.errors.length),
        hypotheses,
        count: counts[i]!,
      });
      out.push(...nameData(`list-${step}-${i}`, drafts));
    }
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
