import type { CompletedInstance, TaskInstance, TrainingDatum } from "./types.ts";

/** A datum before the agent names it. */
export type DraftDatum = Omit<TrainingDatum, "id">;

/**
 * The data generation ENGINE: turns a policy's plan into concrete (instruction, response) data.
 * The policies (open-ended, skill-list, skill-tree, uniform) decide what to ask for; an LLM
 * teacher (`LlmDataEngine`) or the testbed's world generator (`AbacusDataEngine`) makes it.
 * Engines may return fewer data than asked (dropped teacher calls); never more.
 */
export interface DataEngine {
  /** Open-ended: `count` new data like the task's `examples` that address the student's `errors`. */
  likeErrors(request: {
    errors: readonly CompletedInstance[];
    examples: readonly TaskInstance[];
    count: number;
  }): Promise<DraftDatum[]>;
  /**
   * Skill-list: `hypotheses` weak subskills of `skill` inferred from its `errors` (harder
   * problems of the skill when there are none), `count` data over them.
   */
  forSkill(request: {
    skill: string;
    errors: readonly CompletedInstance[];
    hypotheses: number;
    count: number;
  }): Promise<DraftDatum[]>;
  /** Skill-tree Explore: up to `count` new subskill names of `skill`, none in `existing`. */
  proposeSubskills(request: {
    skill: string;
    existing: readonly string[];
    count: number;
  }): Promise<string[]>;
  /** State-agnostic: `count` problems of `skill`, no feedback (the uniform baseline). */
  forSkillBlind(request: { skill: string; count: number }): Promise<DraftDatum[]>;
  /** Randomness to carry across a resumed episode (JSON). */
  state?(): unknown;
  restore?(state: unknown): void;
  /** Skill-tree: `count` data that need `subskill` of `skill`, different from `avoid`. */
  forSubskill(request: {
    skill: string;
    subskill: string;
    count: number;
    avoid: readonly string[];
  }): Promise<DraftDatum[]>;
}

/** Names drafts `<prefix>-<i>` (ids must be unique within an episode). */
export function nameData(prefix: string, drafts: readonly DraftDatum[]): TrainingDatum[] {
  return drafts.map((d, i) => ({ id: `${prefix}-${i}`, ...d }));
}
