import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EvalItem } from "../../evals/eval-item.ts";
import { writeReport } from "../../evals/eval-report.ts";
import { poolModelSource } from "../../evals/pool-model-source.ts";
import { runEval } from "../../evals/run-eval.ts";
import { ModelPool } from "../../runtime/model-pool.ts";
import { type LiveDemoOptions, liveDemoModel } from "./live-demo.ts";
import { type UtdebugVerdict, utdebugVerdict } from "./utdebug-claim.ts";
import { utdebugMethods, utdebugModels } from "./utdebug-methods.ts";
import { type BugRule, drawProgTask } from "./utdebug-tasks.ts";
import {
  type TrainedRole,
  trainRole,
  type UtdebugTraining,
  utdebugFullTraining,
  utdebugRoles,
  utdebugSmokeTraining,
} from "./utdebug-training.ts";

/** What one `chorus demo utdebug` measures. */
export interface UtdebugDemoSettings {
  tasks: number;
  training: UtdebugTraining;
  /** Bugs that fail every hidden test (training data and tasks). */
  nullWorld: boolean;
}

/**
 * The smoke: 12 tasks, adapters on 320 examples × 2 epochs. (Pre-registered at 24 tasks; the first
 * run took 6.1 CPU-minutes, over the 5-minute budget, so halved before its numbers were read:
 * docs/utgen-utdebug.md.)
 */
export const utdebugSmokeSettings: UtdebugDemoSettings = {
  tasks: 12,
  training: utdebugSmokeTraining,
  nullWorld: false,
};

/** The design's sizes: 500 tasks, adapters on 960 examples × 3 epochs. */
export const utdebugFullSettings: UtdebugDemoSettings = {
  tasks: 500,
  training: utdebugFullTraining,
  nullWorld: false,
};

export interface UtdebugDemoResult {
  roles: Omit<TrainedRole, "adapter">[];
  tasks: number;
  verdict: UtdebugVerdict;
}

/** The eval items: prog debugging tasks of the eval seed's "test" stream. */
export function utdebugItems(evalSeed: number, n: number, rule: BugRule): EvalItem[] {
  return Array.from({ length: n }, (_, i) => {
    const task = drawProgTask(evalSeed, "test", i, rule);
    return { id: task.id, question: task.spec, answer: "pass", answerType: "text", meta: { task } };
  });
}

/**
 * `chorus demo utdebug` (docs/utgen-utdebug.md): trains the four role adapters of abacus-1m live
 * (kept in the run folder, so `--resume` reuses them), then runs UTDebug's arms and the UT
 * generators' intrinsic metrics through the eval harness on the same tasks, and applies the
 * pre-registered rule.
 */
export async function runUtdebugDemo(
  basePath: string,
  s: UtdebugDemoSettings,
  o: LiveDemoOptions,
): Promise<UtdebugDemoResult> {
  const stage = o.onStage ?? (() => {});
  const rule: BugRule = s.nullWorld ? "fails-all" : "hard";
  const dir = join(o.run.dir, "adapters");
  mkdirSync(dir, { recursive: true });
  const trainedPath = join(dir, "adapters.json");
  let trained: TrainedRole[] = [];
  if (existsSync(trainedPath)) {
    trained = JSON.parse(readFileSync(trainedPath, "utf8")) as TrainedRole[];
    stage(`adapters from ${trainedPath}`);
  } else {
    for (const role of utdebugRoles) {
      stage(
        `training the ${role} adapter (${s.training.examples} examples × ${s.training.epochs} epochs)`,
      );
      const t = await trainRole(basePath, role, s.training, rule, dir);
      stage(`${role}: ${t.steps} steps, loss ${t.loss.toFixed(3)}, ${t.seconds.toFixed(0)} s`);
      trained.push(t);
    }
    writeFileSync(trainedPath, `${JSON.stringify(trained, null, 2)}\n`);
  }

  const pool = new ModelPool();
  pool.add(utdebugModels.base, liveDemoModel(basePath, o.threads));
  for (const t of trained) pool.add(t.role, liveDemoModel(basePath, o.threads, t.adapter));
  try {
    const items = utdebugItems(o.evalSeed, s.tasks, rule);
    stage(`eval: 5 debugging arms and 5 UT generators on ${items.length} tasks`);
    const result = await runEval({
      methods: utdebugMethods(),
      items,
      dataset: {
        name: "abacus-prog-fix",
        split: s.nullWorld ? "null-world" : "test",
        answerType: "text",
      },
      models: poolModelSource(pool, [utdebugModels.base, ...trained.map((t) => t.role)]),
      seed: o.evalSeed,
      concurrency: o.concurrency ?? 2,
      run: o.run,
      log: stage,
    });
    writeReport(o.run.dir, result.report);
    return {
      roles: trained.map(({ adapter: _, ...t }) => t),
      tasks: items.length,
      verdict: utdebugVerdict(result.records, o.evalSeed),
    };
  } finally {
    await pool.close();
  }
}
