/**
 * DataEnvGym's data types and roles (Khan et al. 2024): a task the student is measured on, a
 * student that answers and is trained, a teacher (policy + data engine) that turns feedback about
 * the student's errors into training data, and the environment that runs the two.
 */

/** One problem of a task. `skill` is a known label (a MATH type, an Abacus skill) when the task has one. */
export interface TaskInstance {
  taskName: string;
  id: string;
  instruction: string;
  /** The gold answer in the scorer's form (a final answer, or "" where tests decide, as for code). */
  gold: string;
  skill?: string;
  /** Anything else the task's scorer needs (code: tests and entry point). */
  meta?: Record<string, unknown>;
}

/** An instance after the student answered it. */
export interface CompletedInstance {
  instance: TaskInstance;
  response: string;
  correct: boolean;
}

/** One training example: the student is trained to answer `instruction` with `response`. */
export interface TrainingDatum {
  id: string;
  instruction: string;
  response: string;
  /** Which skill (and subskill) the teacher meant it for, when it said. */
  skill?: string;
  subskill?: string;
}

/** Accuracy of one group of instances (a skill, a MATH type). */
export interface PerformanceSlice {
  name: string;
  accuracy: number;
  count: number;
}

/** A task's accuracy overall and per slice. */
export interface PerformanceReport {
  taskName: string;
  accuracy: number;
  count: number;
  slices: PerformanceSlice[];
}

/** Anything that answers task instances. */
export interface Predictor {
  predict(instances: readonly TaskInstance[]): Promise<string[]>;
}

/** A student: answers, and is trained on a list of data (the environment decides which list). */
export interface TrainablePredictor extends Predictor {
  train(data: readonly TrainingDatum[]): Promise<void>;
  /** Writes the trained state (an adapter, a table) where it can be reloaded or served. */
  save?(path: string): Promise<void>;
}

/** A task: instances, and how answers are scored. */
export interface Task {
  readonly name: string;
  readonly instances: readonly TaskInstance[];
  /** Whether `response` answers `instance` correctly. */
  score(instance: TaskInstance, response: string): Promise<boolean>;
  /**
   * The response a training datum must have to teach `answer` (after `reasoning`): the scorer's
   * exact answer format, so training never teaches a format the scorer cannot read.
   */
  target(answer: string, reasoning?: string): string;
  /** The final answer the scorer reads in `response` (of a problem of `skill`); undefined: none. */
  answerOf(response: string, skill?: string): string | undefined;
  /** A correct response to `instance` in the target format (its gold solution). */
  reference(instance: TaskInstance): string;
}

/** Labels instances with one skill category each; discovered once, then frozen. */
export interface SkillDiscovery {
  /** The categories, in a fixed order. */
  readonly skills: readonly string[];
  skillOf(instance: TaskInstance): Promise<string>;
}

/** Per-datum verdict of a quality checker. */
export interface QualityVerdict {
  id: string;
  passed: boolean;
  /** 1 when the student already answers the datum right, 0 when not; null when not asked. */
  studentAccuracy: number | null;
}

/** The teacher: feedback (validation results) in, new training data out. */
export interface DataGenerationAgent {
  readonly name: string;
  generate(completed: readonly CompletedInstance[], student: Predictor): Promise<TrainingDatum[]>;
  /** Bookkeeping after the environment trained and re-evaluated the student. */
  step?(): void;
  /** What must survive a resumed episode (skill trees, histories); JSON-serialisable. */
  state?(): unknown;
  restore?(state: unknown): void;
}
