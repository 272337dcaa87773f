import { SeededRandom } from "../../math/seeded-random.ts";
import {
  requested,
  type SkillHistoryEntry,
  type SkillState,
  type SkillTreeAction,
  zeroAll,
} from "./skill-tree.ts";

/** Chooses the next action for one skill from its history and new state. */
export interface SkillTreePolicy {
  readonly name: string;
  /** The action of the first step (applied to an empty tree). */
  initial(skill: string): SkillTreeAction;
  next(skill: string, history: readonly SkillHistoryEntry[], state: SkillState): SkillTreeAction;
  state?(): unknown;
  restore?(state: unknown): void;
}

/** Data a skill has been allocated over its whole history (every step's requests). */
export const allocatedSoFar = (history: readonly SkillHistoryEntry[]): number =>
  history.reduce((sum, h) => sum + requested(h.state.tree), 0);

export interface AlternatingOptions {
  /** Subskills per explore (default 2). */
  explore?: number;
  /** Data per new subskill (default 30). */
  allocation?: number;
  /** A skill stops getting data once this much was allocated to it (default 200). */
  maxDataPerSkill?: number;
}

/**
 * The official examples' hand-written policy: explore (2 new subskills × 30 data), then an
 * exploit that zeroes every allocation (a step without data for the skill), alternating; once the
 * skill's allocated total reaches the maximum, only zero-allocation exploits.
 */
export class AlternatingExploreExploit implements SkillTreePolicy {
  readonly name = "alternating";
  constructor(private readonly options: AlternatingOptions = {}) {}

  private explore(): SkillTreeAction {
    return {
      kind: "explore",
      count: this.options.explore ?? 2,
      allocation: this.options.allocation ?? 30,
    };
  }

  initial(): SkillTreeAction {
    return this.explore();
  }

  next(_skill: string, history: readonly SkillHistoryEntry[], state: SkillState): SkillTreeAction {
    if (allocatedSoFar(history) >= (this.options.maxDataPerSkill ?? 200))
      return zeroAll(state.tree);
    return history.at(-1)?.action.kind === "explore" ? zeroAll(state.tree) : this.explore();
  }
}

/**
 * FillBalancedSkillTree: explore (each new subskill allocated `perSubskill`) until the tree has
 * `maxSubskills`, then top every subskill up to `perSubskill` data made in total (dropped or
 * failed data leave a gap the next step fills).
 */
export class FillBalancedSkillTree implements SkillTreePolicy {
  readonly name = "fill-balanced";
  constructor(
    private readonly options: {
      maxSubskills?: number;
      perSubskill?: number;
      explore?: number;
    } = {},
  ) {}

  initial(): SkillTreeAction {
    return {
      kind: "explore",
      count: this.options.explore ?? 2,
      allocation: this.options.perSubskill ?? 30,
    };
  }

  next(_skill: string, history: readonly SkillHistoryEntry[], state: SkillState): SkillTreeAction {
    const max = this.options.maxSubskills ?? 6;
    const have = state.tree.subskills.length;
    if (have < max)
      return {
        kind: "explore",
        count: Math.min(this.options.explore ?? 2, max - have),
        allocation: this.options.perSubskill ?? 30,
      };
    const made = new Map<string, number>();
    for (const h of history)
      for (const n of h.state.tree.subskills)
        made.set(n.name, (made.get(n.name) ?? 0) + n.dataIds.length);
    const target = this.options.perSubskill ?? 30;
    return {
      kind: "exploit",
      deltas: Object.fromEntries(
        state.tree.subskills.map((n) => [
          n.name,
          Math.max(0, target - (made.get(n.name) ?? 0)) - n.allocation,
        ]),
      ),
    };
  }
}

/** RandomExploreExploit: explore or a random exploit, by a coin (a state-blind control). */
export class RandomExploreExploit implements SkillTreePolicy {
  readonly name = "random";
  private rng: SeededRandom;
  constructor(
    private readonly options: {
      seed?: number;
      explore?: number;
      allocation?: number;
      maxDelta?: number;
    } = {},
  ) {
    this.rng = new SeededRandom(options.seed ?? 0);
  }

  initial(): SkillTreeAction {
    return {
      kind: "explore",
      count: this.options.explore ?? 2,
      allocation: this.options.allocation ?? 30,
    };
  }

  next(_skill: string, _history: readonly SkillHistoryEntry[], state: SkillState): SkillTreeAction {
    if (state.tree.subskills.length === 0 || this.rng.next() < 0.5) return this.initial();
    const d = this.options.maxDelta ?? 10;
    return {
      kind: "exploit",
      deltas: Object.fromEntries(
        state.tree.subskills.map((n) => [n.name, this.rng.int(2 * d + 1) - d]),
      ),
    };
  }

  state(): unknown {
    return { rng: this.rng.state };
  }

  restore(state: unknown): void {
    this.rng.state = (state as { rng: number }).rng;
  }
}

/**
 * A feedback-driven policy that allocates every step (chorus's, for equal-budget comparisons;
 * the paper's examples alternate with empty steps): explore one new subskill when the skill's
 * last reward was ≤ 0 (or the tree is empty), else exploit by setting each subskill's allocation
 * to `allocation` × 2 × (1 − the student's accuracy on its last data) × (1 − the skill's
 * accuracy): mastered subskills and strong skills get little, weak ones most. With the agent's
 * `budget`, allocations are then rescaled to the step's budget.
 */
export class WeaknessPolicy implements SkillTreePolicy {
  readonly name = "weakness";
  constructor(private readonly options: { allocation?: number; explore?: number } = {}) {}

  initial(): SkillTreeAction {
    return {
      kind: "explore",
      count: this.options.explore ?? 2,
      allocation: this.options.allocation ?? 30,
    };
  }

  next(_skill: string, history: readonly SkillHistoryEntry[], state: SkillState): SkillTreeAction {
    const base = this.options.allocation ?? 30;
    const last = history.at(-1);
    const weak = 1 - state.pastPerformance;
    if (state.tree.subskills.length === 0 || (last?.reward ?? 0) <= 0)
      return { kind: "explore", count: 1, allocation: Math.round(base * 2 * weak) };
    const lastPerf = new Map(
      (last?.state.tree.subskills ?? []).map((n) => [n.name, n.performanceOnTrainingData]),
    );
    return {
      kind: "exploit",
      deltas: Object.fromEntries(
        state.tree.subskills.map((n) => {
          const perf = lastPerf.get(n.name) ?? null;
          const want = Math.round(base * 2 * (1 - (perf ?? 0.5)) * weak);
          return [n.name, want - n.allocation];
        }),
      ),
    };
  }
}
