import { evaluateTask, performanceReport } from "./evaluate.ts";
import type {
  CompletedInstance,
  PerformanceReport,
  Task,
  TrainablePredictor,
  TrainingDatum,
} from "./types.ts";

/** What the environment shows after evaluating the student. */
export interface Observation {
  /** Validation results: the teachers' feedback. */
  completed: CompletedInstance[];
  validation: PerformanceReport;
  /** Held-out test report, when the environment has a test task. */
  test?: PerformanceReport;
  /** The test results behind `test` (per-item outcomes for paired comparisons). */
  testCompleted?: CompletedInstance[];
}

/**
 * What the student is trained on at each step:
 * - "accumulated" (the paper's BaseEnvironment and accumulate loop): every datum so far, from the
 *   base model each time (LLaMA-Factory restarts from `model_name_or_path`);
 * - "new" (the official code closed loop, LiveCodeBench): only the latest step's data.
 */
export type TrainOn = "accumulated" | "new";

export interface EnvironmentOptions {
  validation: Task;
  test?: Task;
  student: TrainablePredictor;
  trainOn?: TrainOn;
}

/** The teacher environment: trains the student on the teacher's data and reports new feedback. */
export class GymEnvironment {
  readonly student: TrainablePredictor;
  readonly trainOn: TrainOn;
  private data: TrainingDatum[] = [];
  private pending: TrainingDatum[] = [];

  constructor(private readonly options: EnvironmentOptions) {
    this.student = options.student;
    this.trainOn = options.trainOn ?? "accumulated";
  }

  /** Every datum added since the last reset. */
  get accumulated(): readonly TrainingDatum[] {
    return this.data;
  }

  /** A resumed episode's data, as if added and trained on before (the caller retrains). */
  restoreData(data: readonly TrainingDatum[]): void {
    this.data = [...data];
    this.pending = this.trainOn === "accumulated" ? [] : [...data];
  }

  /** Clears the data and evaluates the untrained student. */
  async reset(): Promise<Observation> {
    this.data = [];
    this.pending = [];
    return this.observe();
  }

  /** Adds data without training (the accumulate loop adds several batches per training). */
  add(data: readonly TrainingDatum[]): void {
    this.data.push(...data);
    this.pending.push(...data);
  }

  /** Trains the student on the accumulated data (or on the data added since the last train). */
  async train(): Promise<void> {
    const batch = this.trainOn === "accumulated" ? [...this.data] : this.pending;
    this.pending = [];
    if (batch.length > 0) await this.student.train(batch);
  }

  /** Evaluates the student on validation (and test). */
  async observe(options: { test?: boolean } = {}): Promise<Observation> {
    const { validation, test } = this.options;
    const completed = await evaluateTask(validation, this.student);
    const observation: Observation = {
      completed,
      validation: performanceReport(validation.name, completed),
    };
    if (test && options.test !== false) {
      const done = await evaluateTask(test, this.student);
      observation.test = performanceReport(test.name, done);
      observation.testCompleted = done;
    }
    return observation;
  }

  /** The paper's `step`: add the data, train, re-evaluate. */
  async step(data: readonly TrainingDatum[]): Promise<Observation> {
    this.add(data);
    await this.train();
    return this.observe();
  }
}
