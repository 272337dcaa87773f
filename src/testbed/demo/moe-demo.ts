import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkAnswer } from "../../evals/answers/check-answer.ts";
import type { EvalItem } from "../../evals/eval-item.ts";
import type { EvalMethod } from "../../evals/eval-method.ts";
import { writeReport } from "../../evals/eval-report.ts";
import type { ModelSource } from "../../evals/model-source.ts";
import { poolModelSource } from "../../evals/pool-model-source.ts";
import { runEval } from "../../evals/run-eval.ts";
import {
  bestSingleKMethod,
  moaAllMethod,
  randomKMethod,
  recruitedMethod,
} from "../../methods/symbolic-moe/baselines.ts";
import { symbolicMoeMethod } from "../../methods/symbolic-moe/eval-method.ts";
import { type MoeProfileFile, saveProfileFile } from "../../methods/symbolic-moe/profile-store.ts";
import { readMoeSettings } from "../../methods/symbolic-moe/settings.ts";
import { buildMoeProfile, runSymbolicMoe } from "../../methods/symbolic-moe/symbolic-moe.ts";
import { ModelPool } from "../../runtime/model-pool.ts";
import type { Run } from "../../runtime/run.ts";
import type { Notation } from "../abacus/digits.ts";
import { KeywordAnnotatorStandIn, skillKeywords } from "./moe-annotator.ts";
import { type MoeVerdict, moeMethods, moeVerdict, recoveredFraction } from "./moe-claim.ts";
import {
  type ExpertTraining,
  expertTraining,
  specialistRecipes,
  type TrainedExpert,
  trainExpert,
  unspecialisedRecipes,
} from "./moe-experts.ts";
import { type MoeSkill, moeItems, moeSkills } from "./moe-items.ts";

export interface MoeDemoSettings {
  /** Validation items per skill for the profiles (the pre-registered size). */
  validationPerSkill: number;
  /** Further validation sizes for the recovered-fraction curve. */
  curveSizes: number[];
  testPerSkill: number;
  training: ExpertTraining;
  /** Unspecialised experts (the null world). */
  nullWorld: boolean;
}

/** The smoke: 10 validation and 25 test items per skill, the curve at 5. */
export const moeSmokeSettings: MoeDemoSettings = {
  validationPerSkill: 10,
  curveSizes: [5],
  testPerSkill: 25,
  training: expertTraining,
  nullWorld: false,
};

/** The pre-registered sizes: 30 validation and 225 test items per skill, the curve at 10 and 100. */
export const moeFullSettings: MoeDemoSettings = {
  ...moeSmokeSettings,
  validationPerSkill: 30,
  curveSizes: [10, 100],
  testPerSkill: 225,
};

/** The method settings every run uses: base-model prompts, majority vote, k = 3, T 0.7. */
export const moeOptions = {
  format: "completion",
  aggregator: "majority",
  k: 3,
  temperature: 0.7,
  maxTokens: 20,
  concurrency: 1,
} as const;

export interface ExpertReport extends Omit<TrainedExpert, "adapter"> {
  /** Greedy accuracy per skill on the validation items. */
  accuracy: Record<MoeSkill, number>;
}

export interface MoeDemoResult {
  experts: ExpertReport[];
  generalistAccuracy: Record<MoeSkill, number>;
  oracleExperts: Record<MoeSkill, string>;
  n: { validationPerSkill: number; testPerSkill: number; test: number };
  keywordPrecision: { raw: number; filtered: number };
  loads: { expertPhase: number; distinctRecruited: number; perInstanceWould: number };
  /** Recovered fraction of the oracle's gain by validation items per skill. */
  curve: { validationPerSkill: number; accuracy: number; recovered: number | null }[];
  verdict: MoeVerdict;
}

const generalist = "abacus-1m";

/**
 * `chorus demo symbolic-moe` (docs/testbed.md, Symbolic-MoE): trains the experts (LoRA on
 * abacus-1m), builds the method's profiles from validation items, then runs Symbolic-MoE and its
 * baselines through the eval harness (records in `run`, report with paired CIs), with a pool that
 * holds one model at a time so model loads can be counted.
 */
export async function runMoeDemo(
  basePath: string,
  s: MoeDemoSettings,
  o: {
    evalSeed: number;
    run: Run;
    threads: number;
    /** The base model's notation (its record's; default msb-first). */
    notation?: Notation;
    onStage?: (line: string) => void;
  },
): Promise<MoeDemoResult> {
  const notation = o.notation ?? "msb-first";
  const stage = o.onStage ?? (() => {});
  const dir = join(o.run.dir, "experts");
  mkdirSync(dir, { recursive: true });
  const recipes = s.nullWorld ? unspecialisedRecipes : specialistRecipes;
  // a resumed run keeps the experts (and below, the profiles) its items were measured with
  const trainedPath = join(dir, "experts.json");
  let trained: TrainedExpert[] = [];
  if (existsSync(trainedPath)) {
    trained = JSON.parse(readFileSync(trainedPath, "utf8")) as TrainedExpert[];
    stage(`experts from ${trainedPath}`);
  } else {
    for (const [i, recipe] of recipes.entries()) {
      stage(`training expert ${recipe.name} (${recipe.skills.join(", ")})`);
      trained.push(await trainExpert(basePath, recipe, i, s.training, dir, notation));
    }
    writeFileSync(trainedPath, `${JSON.stringify(trained, null, 2)}\n`);
  }

  const pool = new ModelPool({ memoryBudgetMB: onlyOneFits(basePath, trained) });
  pool.add(generalist, { engine: "llamacpp", file: basePath, threads: o.threads });
  for (const e of trained)
    pool.add(e.name, {
      engine: "llamacpp",
      file: basePath,
      threads: o.threads,
      lora: [{ path: e.adapter }],
    });
  const names = [generalist, ...trained.map((e) => e.name)];
  const annotator = new KeywordAnnotatorStandIn();
  const models = withAnnotator(poolModelSource(pool, names), annotator);
  try {
    const largest = Math.max(s.validationPerSkill, ...s.curveSizes);
    const validationAll = moeItems(o.evalSeed, "validation", largest, notation);
    const validation = (perSkill: number) =>
      validationAll.filter((item) => Number(item.id.slice(-4)) < perSkill);
    const test = moeItems(o.evalSeed, "test", s.testPerSkill, notation);

    stage("greedy accuracy per skill of every model (validation items)");
    const perSkill = await skillAccuracy(models, names, validation(s.validationPerSkill));
    const oracleExperts = Object.fromEntries(
      moeSkills.map((skill) => [
        skill,
        names.reduce((a, b) => (perSkill[b]![skill] > perSkill[a]![skill] ? b : a)),
      ]),
    ) as Record<MoeSkill, string>;

    const settings = readMoeSettings(moeOptions);
    const rt = { models, seed: o.evalSeed, log: stage };
    const profileFor = (n: number) =>
      buildMoeProfile(validation(n), rt, settings, { dataset: "abacus-moe", split: "validation" });
    const profilePath = join(o.run.dir, "profiles.json");
    if (!existsSync(profilePath)) {
      stage(`profiles from ${s.validationPerSkill} validation items per skill`);
      saveProfileFile(profilePath, await profileFor(s.validationPerSkill));
    }
    const pending = new Set(
      test.filter((t) => !o.run.finished.has(`${moeMethods.moe}/${t.id}`)).map((t) => t.id),
    );

    const loads = { expertPhase: 0 };
    const oracle = recruitedMethod(
      moeMethods.oracle,
      "oracle routing: k samples of the best validation model for the item's gold skill",
      (item, _profile, k) =>
        Array.from({ length: k }, () => oracleExperts[item.meta["skill"] as MoeSkill]),
    );
    stage(`eval: Symbolic-MoE and 4 baselines on ${test.length} test items`);
    const result = await runEval({
      methods: [
        countingLoads(symbolicMoeMethod, pool, loads),
        bestSingleKMethod,
        randomKMethod,
        moaAllMethod,
        oracle,
      ],
      items: test,
      dataset: { name: "abacus-moe", split: "test", answerType: "text" },
      models,
      seed: o.evalSeed,
      options: { ...moeOptions, profiles: profilePath },
      run: o.run,
      log: stage,
    });
    writeReport(o.run.dir, result.report);

    // loads and keyword samples are seen by this process only: on a resumed run, its items
    const moeRecords = result.records.filter(
      (r) => r.method === moeMethods.moe && pending.has(r.itemId),
    );
    const recruited = new Set(
      moeRecords.flatMap((r) => (r.details?.["experts"] as string[] | undefined) ?? []),
    );
    const keywordPrecision = precision(
      test.filter((t) => pending.has(t.id)),
      annotator,
      moeRecords,
    );
    const verdict = moeVerdict(result.report, keywordPrecision, {
      expertPhase: loads.expertPhase,
      distinctRecruited: recruited.size,
    });

    const best = verdict.accuracy[moeMethods.best]!.mean;
    const oracleAcc = verdict.accuracy[moeMethods.oracle]!.mean;
    const curve = [
      {
        validationPerSkill: s.validationPerSkill,
        accuracy: verdict.accuracy[moeMethods.moe]!.mean,
        recovered: verdict.recovered,
      },
    ];
    for (const n of s.curveSizes.filter((x) => x !== s.validationPerSkill)) {
      stage(`recovered-fraction curve: profiles from ${n} validation items per skill`);
      const p: MoeProfileFile = await profileFor(n);
      const out = await runSymbolicMoe(test, p, rt, settings);
      const accuracy =
        out.filter((r, i) => checkAnswer(r.prediction ?? undefined, test[i]!.answer, "text"))
          .length / test.length;
      curve.push({
        validationPerSkill: n,
        accuracy,
        recovered: recoveredFraction(accuracy, best, oracleAcc),
      });
    }
    curve.sort((a, b) => a.validationPerSkill - b.validationPerSkill);

    return {
      experts: trained.map(({ adapter: _, ...e }) => ({ ...e, accuracy: perSkill[e.name]! })),
      generalistAccuracy: perSkill[generalist]!,
      oracleExperts,
      n: {
        validationPerSkill: s.validationPerSkill,
        testPerSkill: s.testPerSkill,
        test: test.length,
      },
      keywordPrecision,
      loads: {
        expertPhase: loads.expertPhase,
        distinctRecruited: recruited.size,
        perInstanceWould: test.length * moeOptions.k,
      },
      curve,
      verdict,
    };
  } finally {
    await pool.close();
  }
}

/** A memory budget that holds the largest pool model but never two (loads are then countable). */
function onlyOneFits(basePath: string, experts: readonly TrainedExpert[]): number {
  const base = statSync(basePath).size;
  const largest = Math.max(base, ...experts.map((e) => base + statSync(e.adapter).size));
  // the pool counts 1.2× file bytes per model; the smallest pair is two bases
  return Math.min(1.2 * largest * 1.02, 1.2 * 2 * base * 0.99) / 2 ** 20;
}

/** The pool's models plus the annotator stand-in (role "annotator"; not a pool model). */
function withAnnotator(source: ModelSource, annotator: KeywordAnnotatorStandIn): ModelSource {
  return {
    names: source.names,
    nameFor: (role) => (role === "annotator" ? annotator.id : source.nameFor(role)),
    use: (name, fn) => (name === annotator.id ? fn(annotator) : source.use(name, fn)),
  };
}

/**
 * Counts the pool's loads while `method` runs, from an empty pool: with a majority aggregator and
 * the annotator outside the pool, those are the expert phase's loads.
 */
function countingLoads(
  method: EvalMethod,
  pool: ModelPool,
  into: { expertPhase: number },
): EvalMethod {
  return {
    ...method,
    async runBatch(items, context) {
      await pool.close();
      const before = pool.counts.loads;
      try {
        return await method.runBatch!(items, context);
      } finally {
        into.expertPhase = pool.counts.loads - before;
      }
    },
  };
}

/** Greedy accuracy per skill of each model on `items` (what each expert reaches). */
async function skillAccuracy(
  models: ModelSource,
  names: readonly string[],
  items: readonly EvalItem[],
): Promise<Record<string, Record<MoeSkill, number>>> {
  const out: Record<string, Record<MoeSkill, number>> = {};
  for (const name of names) {
    const hits = await models.use(name, async (model) => {
      const right: boolean[] = [];
      for (const item of items) {
        const r = await model.generate({
          prompt: `Q: ${item.question} A:`,
          stop: ["\n", "Q:"],
          temperature: 0,
          maxTokens: moeOptions.maxTokens,
        });
        right.push(checkAnswer(r.generations[0]?.text.trim(), item.answer, "text"));
      }
      return right;
    });
    out[name] = Object.fromEntries(
      moeSkills.map((skill) => {
        const mine = hits.filter((_, i) => items[i]!.meta["skill"] === skill);
        return [skill, mine.filter(Boolean).length / Math.max(1, mine.length)];
      }),
    ) as Record<MoeSkill, number>;
  }
  return out;
}

/**
 * Keyword precision on the test items: the share of keywords that belong to the item's skill,
 * over every annotator sample (unfiltered) and over the keywords the method kept.
 */
function precision(
  test: readonly EvalItem[],
  annotator: KeywordAnnotatorStandIn,
  records: readonly { itemId: string; details?: Record<string, unknown> }[],
): { raw: number; filtered: number } {
  const skillOf = new Map(test.map((t) => [t.id, t.meta["skill"] as MoeSkill]));
  const share = (pairs: [MoeSkill, string][]) =>
    pairs.filter(([skill, w]) => skillKeywords[skill].includes(w)).length /
    Math.max(1, pairs.length);
  const raw = test.flatMap((t) =>
    (annotator.samples.get(t.question) ?? [])
      .flat()
      .map((w): [MoeSkill, string] => [t.meta["skill"] as MoeSkill, w]),
  );
  const kept = records.flatMap((r) =>
    ((r.details?.["keywords"] as string[] | undefined) ?? []).map((w): [MoeSkill, string] => [
      skillOf.get(r.itemId)!,
      w,
    ]),
  );
  return { raw: share(raw), filtered: share(kept) };
}
