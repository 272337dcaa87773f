/**
 * What the run overview shows for training runs (LASeR, DataEnvGym, PBT), computed in Node from
 * their run folders' own files. Imports nothing, like the rest of `shared/`.
 */

/** A mean with its 95% bootstrap interval and the number of values behind it. */
export interface CountedInterval {
  mean: number;
  low: number;
  high: number;
  n: number;
}

/** `chorus laser train` (or one condition of `chorus demo laser`): one entry per batch. */
export interface LaserTrainView {
  kind: "laser-train";
  /** The condition's folder name for a demo's conditions, else empty. */
  label: string;
  strategy: string;
  arms: string[];
  families: string[];
  batches: Array<{
    iteration: number;
    family: string;
    /** The arm that judged the batch; null for the ensemble (every arm). */
    chosen: string | null;
    pairs: number;
    loss: number | null;
    scaledReward: number | null;
  }>;
  /** RM calls per arm (batches it judged, responses it scored), from laser-report/state. */
  rmCalls: Record<string, { batches: number; responses: number }>;
  lossByIteration: number[];
  /** Batches from this index on are the late ones the acceptance reads. */
  lateFrom: number;
  lateChoice: Record<string, { arm: string; share: number; batches: number }>;
}

/** `chorus laser eval`: greedy (or best-of-n) accuracy with CIs, overall and per family. */
export interface LaserEvalView {
  kind: "laser-eval";
  accuracy: CountedInterval;
  byFamily: Array<{ family: string } & CountedInterval>;
  /** Best-of-n: scored responses per arm over the run. */
  rmCalls: Record<string, number>;
}

/** One DataEnvGym episode: per cycle accuracy per skill and data made per skill. */
export interface GymEpisodeView {
  label: string;
  skills: string[];
  cycles: Array<{
    cycle: number;
    accumulated: number;
    validation: number;
    test: number | null;
    /** Accuracy per skill (test when tested, else validation), by skill name. */
    bySkill: Record<string, number>;
    /** Data the teacher made in this cycle per skill ("(none)" when it named no skill). */
    dataBySkill: Record<string, number>;
  }>;
  /** Test problems with the student's answer after each tested cycle (newest episodes only). */
  problems: Array<{
    id: string;
    skill: string;
    question: string;
    gold: string;
    answers: Array<{ cycle: number; response: string; correct: boolean }>;
  }>;
}

/** `chorus gym run` (one episode) or `gym compare` / `demo dataenvgym` (teachers vs baseline). */
export interface GymView {
  kind: "gym";
  /** One per `gym run`; for a comparison, each arm's seed-1 (first seed) episode. */
  episodes: GymEpisodeView[];
  comparison: {
    baseline: string;
    seeds: number[];
    targetedSkills: string[];
    /** Final test accuracy per arm, mean over seeds. */
    accuracy: Record<string, number>;
    /** Mean test accuracy per cycle per arm (over seeds). */
    curves: Record<string, number[]>;
    verdicts: Array<{
      arm: string;
      delta: { mean: number; low: number; high: number };
      targetedDelta: number;
      otherDelta: number;
      checks: Record<string, boolean>;
      reproduced: boolean;
    }>;
  } | null;
}

/** `chorus pbt trees` (or the trees of a PBT demo): tree shapes, flips, and the pairs they give. */
export interface PbtTreesView {
  label: string;
  trees: number;
  turns: number;
  /** Nodes per level over all trees (level 0 first). */
  levels: number[];
  /** Trees whose first two answers already agreed (no persuasion). */
  agreedAtStart: number;
  moves: { accepted: number; "gave-in": number; "held-right": number; "held-wrong": number };
  /** Sibling pairs at the default threshold (the set `chorus pbt pairs` starts from). */
  pairs: { accept: number; resist: number; threshold: number };
}

/** One evaluated model (or variant and training seed): the three PBT evaluations. */
export interface PbtCondition {
  name: string;
  persuasion?: { overall: CountedInterval; cti: CountedInterval; itc: CountedInterval };
  areYouSure?: { before: CountedInterval; after: CountedInterval; flipRate: CountedInterval };
  debate?: {
    orders: Array<{ models: string[]; initial: CountedInterval; final: CountedInterval }>;
    orderGap: CountedInterval;
  };
  /** Training of a variant: pairs it trained on, DPO's final loss. */
  training?: { pairs: number; dpoFinalLoss: number | null; seconds: number };
}

/** `chorus pbt trees`, `pbt eval`, `demo pbt [--measure]`. */
export interface PbtView {
  kind: "pbt";
  trees: PbtTreesView[];
  conditions: PbtCondition[];
}

export type TrainingView = LaserTrainView | LaserEvalView | GymView | PbtView;
