import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Interval } from "../../evals/bootstrap.ts";
import { hierarchicalBootstrapMean } from "../../evals/hierarchical-bootstrap.ts";
import { GymEnvironment } from "./environment.ts";
import { runEpisode } from "./episode.ts";
import type { CycleRecord } from "./run-folder.ts";
import type { DataGenerationAgent, Task, TrainablePredictor } from "./types.ts";

/** One teacher under comparison, made afresh per seed. */
export interface TeacherArm {
  name: string;
  agent: (seed: number) => DataGenerationAgent;
}

export interface ComparisonSettings {
  arms: readonly TeacherArm[];
  /** The state-agnostic arm the others are compared with (e.g. "uniform"). */
  baseline: string;
  seeds: readonly number[];
  cycles: number;
  validation: Task;
  test: Task;
  /** A fresh student per run (the same base each time); closed after the run when it can be. */
  student: (seed: number) => Promise<TrainablePredictor & { close?: () => Promise<void> }>;
  /** The skills the claim says gains concentrate on; default: the `weakest` at cycle 0. */
  targetedSkills?: readonly string[];
  /** How many of the weakest skills are targeted when not given (default 3). */
  weakest?: number;
  /** The claim's minimal effect, as a fraction (default 0.05 = 5 points). */
  minEffect?: number;
  /** Episode folders `<dir>/<arm>/seed-<n>`: finished runs are read back, not rerun. */
  dir?: string;
  onCycle?: (arm: string, seed: number, record: CycleRecord) => void | Promise<void>;
}

/** One episode of one arm on one seed. */
export interface ArmRun {
  arm: string;
  seed: number;
  records: CycleRecord[];
  /** Final test outcome per test instance id. */
  testItems: Record<string, boolean>;
}

/** One feedback-driven teacher against the baseline, with the pre-registered checks. */
export interface ArmVerdict {
  arm: string;
  /** Final test accuracy minus the baseline's, paired by seed and item (hierarchical bootstrap). */
  delta: Interval;
  /** Mean over seeds of the test accuracy gain over the baseline on targeted / other skills. */
  targetedDelta: number;
  otherDelta: number;
  /** Mean test accuracy per cycle (over seeds). */
  curve: number[];
  checks: { beatsBaseline: boolean; concentrated: boolean; rising: boolean };
  reproduced: boolean;
}

export interface ComparisonReport {
  targetedSkills: string[];
  runs: ArmRun[];
  /** Final test accuracy per arm: mean over seeds. */
  accuracy: Record<string, number>;
  verdicts: ArmVerdict[];
  /** Every feedback-driven teacher passed all three checks. */
  reproduced: boolean;
  /** The null-world reading: no teacher beat the baseline by the minimal effect. */
  noGain: boolean;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Least-squares slope of y over 0..n-1. */
function slope(y: readonly number[]): number {
  const n = y.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = mean(y);
  let num = 0;
  let den = 0;
  y.forEach((v, x) => {
    num += (x - mx) * (v - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

const sliceAcc = (r: CycleRecord | undefined, skills: ReadonlySet<string>, inSet: boolean) => {
  const s = (r?.test?.slices ?? []).filter((x) => skills.has(x.name) === inSet);
  const n = s.reduce((a, x) => a + x.count, 0);
  return n === 0 ? 0 : s.reduce((a, x) => a + x.accuracy * x.count, 0) / n;
};

async function runArm(s: ComparisonSettings, arm: TeacherArm, seed: number): Promise<ArmRun> {
  const dir = s.dir ? join(s.dir, arm.name, `seed-${seed}`) : undefined;
  const itemsPath = dir ? join(dir, "test-items.json") : undefined;
  const student = await s.student(seed);
  try {
    const result = await runEpisode({
      env: new GymEnvironment({ validation: s.validation, test: s.test, student }),
      agent: arm.agent(seed),
      cycles: s.cycles,
      ...(dir ? { dir } : {}),
      onCycle: (r) => s.onCycle?.(arm.name, seed, r),
    });
    let testItems: Record<string, boolean>;
    if (result.last?.testCompleted) {
      testItems = Object.fromEntries(
        result.last.testCompleted.map((c) => [c.instance.id, c.correct]),
      );
      if (itemsPath) writeFileSync(itemsPath, JSON.stringify(testItems));
    } else if (itemsPath && existsSync(itemsPath))
      testItems = JSON.parse(readFileSync(itemsPath, "utf8")) as Record<string, boolean>;
    else throw new Error(`${arm.name} seed ${seed}: the episode ended without a test evaluation`);
    return { arm: arm.name, seed, records: result.records, testItems };
  } finally {
    await student.close?.();
  }
}

/**
 * The testbed's DataEnvGym measurement: every arm (teacher) runs one episode per seed from the
 * same base student at the same data budget; each feedback-driven teacher is compared with the
 * baseline on the final test accuracy, paired by seed and item (hierarchical bootstrap: seeds,
 * then items). Pre-registered checks per teacher: it beats the baseline by ≥ minEffect with the
 * interval above 0; its gain over the baseline is larger on the targeted (weak) skills than on
 * the others; its test accuracy rises across cycles (last − first ≥ minEffect and a positive
 * slope). `noGain` is what the null world (a student already even across skills) must show.
 */
export async function compareTeachers(s: ComparisonSettings): Promise<ComparisonReport> {
  const runs: ArmRun[] = [];
  for (const seed of s.seeds) for (const arm of s.arms) runs.push(await runArm(s, arm, seed));
  return {
    runs,
    ...judgeTeachers(runs, {
      arms: s.arms.map((a) => a.name),
      baseline: s.baseline,
      ...(s.targetedSkills ? { targetedSkills: s.targetedSkills } : {}),
      ...(s.weakest !== undefined ? { weakest: s.weakest } : {}),
      ...(s.minEffect !== undefined ? { minEffect: s.minEffect } : {}),
    }),
  };
}

/**
 * The pre-registered checks over finished episodes (see `compareTeachers`); also what a viewer
 * recomputes from a comparison's run folder, which keeps every episode but not the verdicts.
 */
export function judgeTeachers(
  runs: readonly ArmRun[],
  s: Pick<ComparisonSettings, "baseline" | "targetedSkills" | "weakest" | "minEffect"> & {
    arms: readonly string[];
  },
): Omit<ComparisonReport, "runs"> {
  const minEffect = s.minEffect ?? 0.05;
  const of = (arm: string) => runs.filter((r) => r.arm === arm);
  const baseline = of(s.baseline);
  if (baseline.length === 0) throw new Error(`no arm named "${s.baseline}" (the baseline)`);
  // the weakest skills of the untrained student (cycle 0 is the same base for every run)
  const base = new Map<string, number[]>();
  for (const r of runs)
    for (const sl of r.records[0]?.validation.slices ?? [])
      base.set(sl.name, [...(base.get(sl.name) ?? []), sl.accuracy]);
  const targeted =
    s.targetedSkills ??
    [...base]
      .map(([name, xs]) => [name, mean(xs)] as const)
      .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, s.weakest ?? 3)
      .map(([name]) => name);
  const targetSet = new Set(targeted);
  const accuracyOf = (r: ArmRun) => r.records.at(-1)?.test?.accuracy ?? Number.NaN;
  const accuracy = Object.fromEntries(s.arms.map((a) => [a, mean(of(a).map(accuracyOf))]));
  const verdicts = s.arms
    .filter((a) => a !== s.baseline)
    .map((a): ArmVerdict => {
      const mine = of(a);
      const paired = mine.map((r) => {
        const b = baseline.find((x) => x.seed === r.seed)!;
        return Object.keys(r.testItems).map(
          (id) => Number(r.testItems[id]) - Number(b.testItems[id] ?? false),
        );
      });
      const delta = hierarchicalBootstrapMean(paired, { seed: 1 });
      const gain = (inSet: boolean) =>
        mean(
          mine.map((r) => {
            const b = baseline.find((x) => x.seed === r.seed)!;
            return (
              sliceAcc(r.records.at(-1), targetSet, inSet) -
              sliceAcc(b.records.at(-1), targetSet, inSet)
            );
          }),
        );
      const cycles = Math.min(...mine.map((r) => r.records.length));
      const curve = Array.from({ length: cycles }, (_, c) =>
        mean(mine.map((r) => r.records[c]?.test?.accuracy ?? Number.NaN)),
      ).filter((x) => !Number.isNaN(x));
      const targetedDelta = gain(true);
      const otherDelta = gain(false);
      const checks = {
        beatsBaseline: delta.mean >= minEffect && delta.low > 0,
        concentrated: targetedDelta > otherDelta,
        rising: curve.length >= 2 && curve.at(-1)! - curve[0]! >= minEffect && slope(curve) > 0,
      };
      return {
        arm: a,
        delta,
        targetedDelta,
        otherDelta,
        curve,
        checks,
        reproduced: checks.beatsBaseline && checks.concentrated && checks.rising,
      };
    });
  return {
    targetedSkills: [...targeted],
    accuracy,
    verdicts,
    reproduced: verdicts.length > 0 && verdicts.every((v) => v.reproduced),
    noGain: verdicts.every((v) => v.delta.mean < minEffect),
  };
}
