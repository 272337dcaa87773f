import { ConfigError } from "../../model/errors.ts";
import type { GymEnvironment, Observation } from "./environment.ts";
import { type CycleRecord, EpisodeFolder } from "./run-folder.ts";
import type { DataGenerationAgent, TrainingDatum } from "./types.ts";

/**
 * When to stop early:
 * - "total" (the accumulate loop, and the reading): once the accumulated data reaches
 *   `stopAt`, checked before each teacher call;
 * - "batch" (the official `run_episode`): after a cycle whose latest batch alone reached `stopAt`.
 */
export type StopCheck = "total" | "batch";

export interface EpisodeOptions {
  env: GymEnvironment;
  agent: DataGenerationAgent;
  /** Retrainings of the student (the paper's cycles / iterations; default 10). */
  cycles?: number;
  /**
   * Teacher calls per cycle, all on the feedback of the cycle's start (default 1 = `run_episode`;
   * the MATH skill-tree example uses 2, whose second call sees unchanged results).
   */
  iterationsPerCycle?: number;
  stopAt?: number;
  stopCheck?: StopCheck;
  /** Evaluate the test task after every cycle (default true) or only at the end. */
  testEachCycle?: boolean;
  /** A folder to log to and resume from. */
  dir?: string;
  onCycle?: (record: CycleRecord) => void | Promise<void>;
}

export interface EpisodeResult {
  records: CycleRecord[];
  data: readonly TrainingDatum[];
  /** Cycles taken from the folder instead of being run. */
  resumedCycles: number;
  /** The last observation made (undefined when a finished episode was only read back). */
  last?: Observation;
}

const recordOf = (
  cycle: number,
  generated: number[],
  accumulated: number,
  obs: Observation,
  stopped: boolean,
  started: number,
): CycleRecord => ({
  cycle,
  generated,
  accumulated,
  validation: obs.validation,
  ...(obs.test ? { test: obs.test } : {}),
  stopped,
  seconds: (performance.now() - started) / 1000,
});

/**
 * The accumulate-train loop: per cycle, the teacher is called `iterationsPerCycle` times on the
 * feedback of the cycle's start, the data is added, the student is retrained (from the base, on
 * all data, unless the environment trains on new data only) and re-evaluated. Cycle 0 records the
 * untrained student. With `dir`, a killed episode resumes after its last finished cycle: the
 * student is retrained from the base on the saved data and the teacher gets its saved state.
 */
export async function runEpisode(options: EpisodeOptions): Promise<EpisodeResult> {
  const { env, agent } = options;
  const cycles = options.cycles ?? 10;
  const perCycle = options.iterationsPerCycle ?? 1;
  for (const [name, v] of [
    ["cycles", cycles],
    ["iterationsPerCycle", perCycle],
  ] as const)
    if (!Number.isInteger(v) || v < 1)
      throw new ConfigError(`${name} must be a positive integer, got ${v}`, name);
  const stopCheck = options.stopCheck ?? "total";
  const folder = options.dir ? new EpisodeFolder(options.dir) : undefined;
  const saved = folder?.load();
  const testEach = options.testEachCycle !== false;
  const records: CycleRecord[] = [];
  let obs: Observation;
  let started = performance.now();
  if (saved) {
    records.push(...saved.records);
    if (saved.agentState !== undefined) agent.restore?.(saved.agentState);
    env.restoreData(saved.data);
    if (records.at(-1)!.stopped || records.at(-1)!.cycle >= cycles)
      return { records, data: env.accumulated, resumedCycles: records.length };
    await env.train();
    obs = await env.observe({ test: false });
  } else {
    obs = await env.reset();
    const first = recordOf(0, [], 0, obs, false, started);
    records.push(first);
    if (obs.testCompleted) folder?.saveTest(0, obs.testCompleted);
    folder?.save(first, [], agent.state?.());
    await options.onCycle?.(first);
  }
  const resumedCycles = saved ? records.length : 0;
  for (let cycle = records.at(-1)!.cycle + 1; cycle <= cycles; cycle++) {
    started = performance.now();
    const generated: number[] = [];
    const made: TrainingDatum[] = [];
    let stopped = false;
    for (let j = 0; j < perCycle; j++) {
      const stopAt = options.stopAt;
      if (stopCheck === "total" && stopAt !== undefined && env.accumulated.length >= stopAt) {
        stopped = true;
        break;
      }
      const data = await agent.generate(obs.completed, env.student);
      env.add(data);
      made.push(...data);
      generated.push(data.length);
      if (stopCheck === "batch" && stopAt !== undefined && data.length >= stopAt) {
        stopped = true;
        break;
      }
    }
    if (stopped && made.length === 0) {
      // the stop rule fired before any new data: the last record is the episode's end
      const last = records.at(-1)!;
      records[records.length - 1] = { ...last, stopped: true };
      break;
    }
    // A cycle without new data (e.g. a skill-tree step whose exploits zero every allocation)
    // would retrain on the same data: the student and its feedback stay as they are.
    const last = cycle === cycles || stopped;
    let observed = true;
    if (made.length > 0) {
      await env.train();
      obs = await env.observe({ test: testEach || last });
    } else if (last && !obs.test) obs = await env.observe();
    else observed = false;
    agent.step?.();
    const record = recordOf(cycle, generated, env.accumulated.length, obs, stopped, started);
    records.push(record);
    // only answers given in this cycle (a cycle without data keeps the last ones)
    if (observed && obs.testCompleted) folder?.saveTest(cycle, obs.testCompleted);
    folder?.save(record, made, agent.state?.());
    await options.onCycle?.(record);
    if (stopped) break;
  }
  return { records, data: env.accumulated, resumedCycles, last: obs };
}
