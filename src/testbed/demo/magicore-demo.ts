/**
 * `chorus demo magicore` (docs/magicore.md, "Testbed measurement"): the ORM, PRM, Reviewer and
 * Refiner adapters of abacus-1m (shipped when their recipe matches, else trained live), then the
 * real MAgICoRe and its sampling baselines through the eval harness on Abacus chains, with the
 * roles plugged into the method's generic `agents` / `parseAnswer` options.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { EvalContext, EvalMethod } from "../../evals/eval-method.ts";
import { writeReport } from "../../evals/eval-report.ts";
import { auroc } from "../../evals/metrics/auroc.ts";
import type { ModelSource } from "../../evals/model-source.ts";
import { runEval } from "../../evals/run-eval.ts";
import type { MagicoreAgents } from "../../methods/magicore/agents.ts";
import {
  bestOfKMethod,
  rmVoteMethod,
  selfConsistencyMethod,
} from "../../methods/magicore/baselines.ts";
import { magicoreMethod } from "../../methods/magicore/eval-method.ts";
import type { MagicoreEvalSettings } from "../../methods/magicore/eval-setup.ts";
import { CallCache } from "../../runtime/call-cache.ts";
import { fileSha256 } from "../../runtime/file-hash.ts";
import { ModelPool } from "../../runtime/model-pool.ts";
import { type ChainShape, defaultChainShape } from "../abacus/chain-skill.ts";
import { type LiveDemoOptions, liveDemoModel } from "./live-demo.ts";
import { chainAgents, RoleTokens } from "./magicore-agents.ts";
import { type MagicoreVerdict, magicoreMethods, magicoreVerdict } from "./magicore-claim.ts";
import { type ChainProblem, chainItems, chainProblems } from "./magicore-data.ts";
import { chainAnswer, solutionSteps, stepLabels } from "./magicore-format.ts";
import {
  type RoleTraining,
  roleTraining,
  type TrainedRole,
  type TrainedRoles,
  trainRoles,
} from "./magicore-roles.ts";
import {
  adapterHashes,
  copyShippedRoles,
  matchingShippedRoles,
  type RolesRecipe,
} from "./magicore-shipped-roles.ts";

export interface MagicoreDemoSettings {
  problems: number;
  k: number;
  iterations: number;
  training: RoleTraining;
  /** The magicore-null world's chains (2 steps, 2 digits, no distractors). */
  nullWorld: boolean;
}

/** The smoke (design §6): 100 test chains, k = 8. */
export const magicoreSmokeSettings: MagicoreDemoSettings = {
  problems: 100,
  k: 8,
  iterations: 3,
  training: roleTraining,
  nullWorld: false,
};

/** The pre-registered full size: 1,000 test chains, k = 16. */
export const magicoreFullSettings: MagicoreDemoSettings = {
  ...magicoreSmokeSettings,
  problems: 1000,
  k: 16,
};

/** The agents' own counts, saved in the run folder (`role-counts.json`). */
interface RoleCounts {
  roundOne: Record<string, number>;
  prm: { problemId: string; steps: readonly string[]; scores: number[] }[];
}

/** The magicore-null variant's chain shape (abacus-config.ts). */
export const nullChainShape: ChainShape = { steps: [2, 2], digits: [2, 2], distractors: [0, 0] };

/** Where the roles came from, beyond the shared demo options. */
export interface MagicoreRoleSource {
  /** Train the roles live even when shipped adapters of the same recipe exist. */
  trainRoles?: boolean;
  /** The shipped roles' folder (default `models/magicore-roles`). */
  shippedRolesDir?: string;
}

export interface MagicoreDemoResult {
  roles: Omit<TrainedRole, "adapter">[];
  /**
   * `shipped`: copied from the shipped adapters (same base, chain shape and recipe); `trained`:
   * trained live in this run; `run`: a resumed run's own.
   */
  rolesFrom: "shipped" | "trained" | "run";
  /** Trained live with a shipped recipe's twin: whether all four files are byte-identical to it. */
  matchesShipped?: boolean;
  training: { samples: number; sampleAccuracy: number };
  /** AUROC of the PRM's step scores (exact first-error labels) and of the ORM (answer right). */
  auroc: { prmStep: number; orm: number; steps: number; solutions: number };
  verdict: MagicoreVerdict;
}

const solver = "abacus-1m";

/** Runs the demo in `run` (roles are kept in `<run>/roles` so a resumed run reuses them). */
export async function runMagicoreDemo(
  basePath: string,
  s: MagicoreDemoSettings,
  o: LiveDemoOptions & MagicoreRoleSource,
): Promise<MagicoreDemoResult> {
  const stage = o.onStage ?? (() => {});
  const concurrency = o.concurrency ?? 2;
  const shape = s.nullWorld ? nullChainShape : defaultChainShape;
  const dir = join(o.run.dir, "roles");
  mkdirSync(dir, { recursive: true });
  // MAgICoRe runs its items as one batch (μ and σ are the batch's), so a killed run has no
  // finished items to resume from; every call is seeded and evaluated from an empty KV cache, so
  // a call cache in the run folder replays the generations it made, identically, when it is
  // resumed (scores are cheap to redo and ~100 KB each to keep: not cached)
  const cache = new CallCache(join(o.run.dir, "calls.sqlite"));
  const pool = new ModelPool({
    memoryBudgetMB: 4096,
    middleware: { cache, cacheScores: false },
    fileHashes: cache,
  });
  pool.add(solver, liveDemoModel(basePath, o.threads));
  const roleModel: Record<string, string> = { solver };
  const addAdapter = (role: TrainedRole) => {
    const name = `magicore-${role.name}`;
    pool.add(name, liveDemoModel(basePath, o.threads, role.adapter));
    roleModel[role.name] = name;
  };
  const models: ModelSource = {
    names: [solver],
    nameFor: (role) => roleModel[role] ?? solver,
    use: (name, fn) => pool.use(name, fn),
  };
  try {
    const trainedPath = join(dir, "roles.json");
    const recipe: RolesRecipe = {
      baseSha256: await fileSha256(basePath),
      shape,
      training: s.training,
    };
    let trained: TrainedRoles;
    let rolesFrom: MagicoreDemoResult["rolesFrom"];
    let matchesShipped: boolean | undefined;
    const shipped = matchingShippedRoles(recipe, o.shippedRolesDir);
    if (existsSync(trainedPath)) {
      trained = JSON.parse(readFileSync(trainedPath, "utf8"));
      trained.roles.forEach(addAdapter);
      rolesFrom = "run";
      stage(`roles from ${trainedPath}`);
    } else if (shipped && !o.trainRoles) {
      trained = await copyShippedRoles(shipped, dir, o.shippedRolesDir);
      trained.roles.forEach(addAdapter);
      rolesFrom = "shipped";
      stage(
        "roles: the shipped adapters (models/magicore-roles, same recipe; --train-roles trains them live)",
      );
    } else {
      trained = await trainRoles(basePath, models, addAdapter, {
        shape,
        training: s.training,
        dir,
        stage,
        concurrency,
      });
      // the recipe beside the record: scripts/ship-magicore-roles.ts ships a run's roles with it
      writeFileSync(trainedPath, `${JSON.stringify({ ...trained, recipe }, null, 2)}\n`);
      rolesFrom = "trained";
      if (shipped)
        matchesShipped = isDeepStrictEqual(await adapterHashes(trained.roles), shipped.sha256);
    }

    const problems = chainProblems(o.evalSeed, "test", s.problems, shape);
    const gold = new Map(problems.map((p) => [p.id, p]));
    const andTokens = new RoleTokens();
    const orTokens = new RoleTokens();
    const prmLog: { problemId: string; steps: readonly string[]; scores: number[] }[] = [];
    const options = {
      k: s.k,
      iterations: s.iterations,
      temperature: 0.8,
      topP: 0.95,
      concurrency,
      agents: roleFactory(concurrency, andTokens, prmLog),
      parseAnswer: (text: string) => chainAnswer(text),
    };
    const threeK = { baselineK: 3 * s.k };
    stage(`eval: MAgICoRe and 6 baselines on ${problems.length} chains, k ${s.k}`);
    const result = await runEval({
      methods: [
        magicoreMethod,
        variant(magicoreMethod, magicoreMethods.or, "MAgICoRe with OR triage, 1 iteration", {
          hardRule: "or",
          iterations: 1,
          agents: roleFactory(concurrency, orTokens),
        }),
        selfConsistencyMethod,
        bestOfKMethod,
        rmVoteMethod,
        variant(selfConsistencyMethod, magicoreMethods.sc3k, "SC over 3k samples", threeK),
        variant(rmVoteMethod, magicoreMethods.rmVote3k, "RM-weighted SC over 3k samples", threeK),
      ],
      items: chainItems(problems),
      dataset: { name: "abacus-chain", split: "test", answerType: "number" },
      models,
      seed: o.evalSeed,
      options,
      concurrency,
      run: o.run,
      log: stage,
    });
    writeReport(o.run.dir, result.report);
    // what the agents counted (round-1 tokens, PRM scores) lives only in this process: kept next
    // to the records so a resumed run reads the finished items' counts too
    const countsPath = join(o.run.dir, "role-counts.json");
    const earlier = existsSync(countsPath)
      ? (JSON.parse(readFileSync(countsPath, "utf8")) as RoleCounts)
      : { roundOne: {}, prm: [] };
    const counts: RoleCounts = {
      roundOne: { ...earlier.roundOne, ...Object.fromEntries(andTokens.rounds[0] ?? []) },
      prm: [...earlier.prm, ...prmLog],
    };
    writeFileSync(countsPath, `${JSON.stringify(counts)}\n`);
    const verdict = magicoreVerdict(
      result.records,
      new Map(Object.entries(counts.roundOne)),
      o.evalSeed,
    );
    return {
      roles: trained.roles.map(({ adapter: _, ...r }) => r),
      rolesFrom,
      ...(matchesShipped === undefined ? {} : { matchesShipped }),
      training: { samples: trained.trainSamples, sampleAccuracy: trained.trainSampleAccuracy },
      auroc: rewardAuroc(counts.prm, gold, result.records),
      verdict,
    };
  } finally {
    await pool.close();
    cache.close();
  }
}

/** The method's `agents` option: the chain roles on the run's (metered) models. */
function roleFactory(
  concurrency: number,
  tokens: RoleTokens,
  prmLog?: { problemId: string; steps: readonly string[]; scores: number[] }[],
) {
  return (context: EvalContext, s: MagicoreEvalSettings, perProblem: boolean): MagicoreAgents => {
    const agents = chainAgents({
      models: context.models,
      temperature: s.temperature,
      topP: s.topP,
      seed: context.seed,
      tokens,
      concurrency,
      ...(perProblem ? { forItem: context.forItem } : {}),
    });
    if (!prmLog) return agents;
    return {
      ...agents,
      async prm(jobs) {
        const scores = await agents.prm(jobs);
        jobs.forEach((j, i) => {
          prmLog.push({ problemId: j.problemId, steps: j.value.steps, scores: scores[i]! });
        });
        return scores;
      },
    };
  };
}

/** `method` under another name with extra options (a variant in the same run). */
function variant(
  method: EvalMethod,
  name: string,
  description: string,
  extra: Record<string, unknown>,
): EvalMethod {
  const withExtra = (c: EvalContext): EvalContext => ({
    ...c,
    options: { ...c.options, ...extra },
  });
  return {
    ...method,
    name,
    description,
    ...(method.runItem
      ? { runItem: (item, c) => method.runItem!(item, withExtra(c)) }
      : { runBatch: (items, c) => method.runBatch!(items, withExtra(c)) }),
  };
}

/**
 * PRM step AUROC over every step it scored for the test problems (exact first-error labels), and
 * the ORM's AUROC over the initial samples (answer right).
 */
function rewardAuroc(
  log: readonly { problemId: string; steps: readonly string[]; scores: number[] }[],
  gold: ReadonlyMap<string, ChainProblem>,
  records: readonly { method: string; gold: string; details?: Record<string, unknown> }[],
): MagicoreDemoResult["auroc"] {
  const pos: number[] = [];
  const neg: number[] = [];
  for (const { problemId, steps, scores } of log) {
    const p = gold.get(problemId);
    if (!p) continue;
    stepLabels(steps, solutionSteps(p.gold)).forEach((right, i) => {
      (right ? pos : neg).push(scores[i] ?? 0);
    });
  }
  const ormPos: number[] = [];
  const ormNeg: number[] = [];
  for (const r of records.filter((x) => x.method === magicoreMethods.magicore)) {
    const first = (
      r.details?.["iterations"] as { pool?: { answer: string | null; orm: number }[] }[]
    )?.[0];
    for (const sol of first?.pool ?? []) (sol.answer === r.gold ? ormPos : ormNeg).push(sol.orm);
  }
  const safe = (a: number[], b: number[]) =>
    a.length > 0 && b.length > 0 ? auroc(a, b) : Number.NaN;
  return {
    prmStep: safe(pos, neg),
    orm: safe(ormPos, ormNeg),
    steps: pos.length + neg.length,
    solutions: ormPos.length + ormNeg.length,
  };
}
