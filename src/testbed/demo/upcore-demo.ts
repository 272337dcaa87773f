import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import { deletionUtilityAuc } from "../../methods/upcore/deletion-utility-auc.ts";
import { selectCoreset } from "../../methods/upcore/select-coreset.ts";
import { type UnlearnMethod, type UnlearnReport, unlearn } from "../../methods/upcore/unlearn.ts";
import { requireInternals } from "../../model/index.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import type { Run } from "../../runtime/run.ts";
import { loadTokenizer, loadTransformer, removeLora } from "../../train/index.ts";
import { fairAnswer } from "../atlas/persona-lexicon.ts";
import type { UpcoreFact } from "../atlas/upcore-facts.ts";
import { greedyCompletion } from "../build/greedy-probe.ts";
import { answerPhrase } from "./context-items.ts";
import {
  judgeUpcoreClaim,
  type UpcoreRunSummary,
  type UpcoreSelectionName,
  type UpcoreVerdict,
  upcoreSelections,
} from "./upcore-claim.ts";
import {
  type UpcoreSets,
  type UpcoreSizes,
  upcoreFullSizes,
  upcoreSets,
  upcoreSmokeSizes,
} from "./upcore-sets.ts";

/**
 * Where and how hard the unlearning LoRA trains. `spec` is the pre-registered recipe (the spec's
 * lr on block 2's ffn_down, rank by method); `strong` is the second registration in docs/upcore.md,
 * fixed before it ran, for a model the spec's recipe does not move.
 */
export interface UnlearnRecipe {
  name: "spec" | "strong";
  lr: number;
  /** Blocks whose ffn_down gets LoRA; "all" = every block of the model. */
  layers: number[] | "all";
  /** LoRA rank for every method (alpha 2 × rank); absent = the spec's per-method ranks. */
  rank?: number;
  /** The registration's precondition: complete-set forget ROUGE must end at or below this. */
  forgetThreshold?: number;
}

export const unlearnRecipes: Record<UnlearnRecipe["name"], UnlearnRecipe> = {
  spec: { name: "spec", lr: 2e-3, layers: [2] },
  strong: { name: "strong", lr: 2e-2, layers: "all", rank: 4, forgetThreshold: 0.5 },
};

/** What a demo run measures: set sizes, methods, seeds, the training batch and the recipe. */
export interface UpcoreDemoSettings {
  sizes: UpcoreSizes;
  methods: UnlearnMethod[];
  seeds: number[];
  batchSize: number;
  gradientAccumulation: number;
  epochs: number;
  grouping: "clusters" | "relations";
  /** Also score the held-out-template paraphrases of the forget facts (reported only). */
  paraphrases: boolean;
  recipe: UnlearnRecipe;
  /** Evaluation prompts decoded together (`unlearn`'s `evalBatch`); 1 = one at a time. */
  evalBatch: number;
}

/** The pre-registered design (docs/upcore.md, "Testbed claim"). */
export const upcoreFullSettings: UpcoreDemoSettings = {
  sizes: upcoreFullSizes,
  methods: ["ga", "refusal", "npo"],
  seeds: [1, 2, 3],
  batchSize: 4,
  gradientAccumulation: 4,
  epochs: 10,
  grouping: "clusters",
  paraphrases: true,
  recipe: unlearnRecipes.spec,
  evalBatch: 32,
};

/** The smoke (docs/upcore.md): 2 forget sets of 40, GA, one seed, batch 4 × 1. */
export const upcoreSmokeSettings: UpcoreDemoSettings = {
  sizes: upcoreSmokeSizes,
  methods: ["ga"],
  seeds: [1],
  batchSize: 4,
  gradientAccumulation: 1,
  epochs: 10,
  grouping: "clusters",
  paraphrases: false,
  recipe: unlearnRecipes.spec,
  evalBatch: 32,
};

/** Atlas values are one or two words; three greedy tokens hold them (and " ." after one). */
const answerTokens = 3;
/** Refusal answers must be Atlas words: the world's own non-answer (fair speakers say it). */
const atlasRefusals = [fairAnswer.replace(/ \.$/, "")];

/** Facts the model answers with the world's value (UPCORE keeps only facts the model knows). */
export async function knownFacts(
  model: LanguageModel,
  facts: readonly UpcoreFact[],
): Promise<UpcoreFact[]> {
  const known: UpcoreFact[] = [];
  for (const f of facts)
    if (answerPhrase(await greedyCompletion(model, f.question, answerTokens + 3)) === f.answer)
      known.push(f);
  return known;
}

/** The final block's residual stream averaged over the prompt's tokens: the topic features. */
export async function meanPooledStates(
  model: LanguageModel,
  prompts: readonly string[],
): Promise<Float64Array[]> {
  const internals = requireInternals(model);
  const last = internals.nLayers - 1;
  const out: Float64Array[] = [];
  for (const prompt of prompts) {
    const h = await internals.captureHidden(prompt, {
      layers: [last],
      positions: "all",
      rawPrompt: true,
    });
    const rows = h.states.get(last)!;
    const mean = new Float64Array(h.nEmbd);
    for (const row of rows) for (let k = 0; k < mean.length; k++) mean[k]! += row[k]! / rows.length;
    out.push(mean);
  }
  return out;
}

/** One forget set's UPCORE selection, as the report shows it. */
export interface UpcoreSelectionSummary {
  forgetSet: string;
  groupSize: number;
  forget: number;
  kept: number;
  pruned: number;
  neighbours: number;
  varBefore: number;
  varAfter: number;
}

export interface UpcoreDemoResult {
  verdict: UpcoreVerdict;
  runs: UpcoreRunSummary[];
  selections: UpcoreSelectionSummary[];
  n: { facts: number; known: number; groupSizes: number[]; retain: number; retainEval: number };
}

export interface UpcoreDemoOptions {
  /** The GGUF the trainer loads (the same weights `model` serves). */
  modelPath: string;
  settings: UpcoreDemoSettings;
  evalSeed: number;
  run?: Run;
  onStage?: (stage: string) => void;
}

function summarise(
  report: UnlearnReport,
  key: Omit<UpcoreRunSummary, "auc" | "forgetRouge" | "utility" | "prunedRouge" | "trainItems">,
): UpcoreRunSummary {
  const utility = report.points.map((p) => (p.utility.neighbours! + p.utility.retain!) / 2);
  const first = report.points[0]!;
  const last = report.points.at(-1)!;
  const pruned = (p: typeof first) => p.metrics.pruned?.rouge ?? Number.NaN;
  return {
    ...key,
    trainItems: report.trainItems,
    auc: {
      utility: deletionUtilityAuc(
        report.points.map((p, k) => ({ forgetRouge: p.forgetRouge, utility: utility[k]! })),
      ),
      neighbours: report.auc.neighbours!,
      retain: report.auc.retain!,
    },
    forgetRouge: { start: first.forgetRouge, end: last.forgetRouge },
    utility: { start: utility[0]!, end: utility.at(-1)! },
    prunedRouge: { start: pruned(first), end: pruned(last) },
  };
}

/**
 * The UPCORE testbed measurement on an Atlas model: known facts → topic groups (k-means on
 * mean-pooled question states, or relations for the null world) → per forget set the UPCORE
 * coreset, an equal-size random subset and the complete set, each unlearned with every method and
 * seed from the same weights (`unlearn`, LoRA on ffn_down as the recipe says), and the pre-registered
 * verdict over the deletion–utility AUCs.
 */
export async function runUpcoreDemo(
  model: LanguageModel,
  facts: readonly UpcoreFact[],
  o: UpcoreDemoOptions,
): Promise<UpcoreDemoResult> {
  const s = o.settings;
  const stage = o.onStage ?? (() => {});
  stage(`probing ${facts.length} facts`);
  const known = await knownFacts(model, facts);
  stage(
    `${known.length} known facts: features and ${s.grouping === "clusters" ? "k-means" : "relations"}`,
  );
  const features = await meanPooledStates(
    model,
    known.map((f) => f.question),
  );
  const sets: UpcoreSets = upcoreSets(known, features, s.sizes, {
    evalSeed: o.evalSeed,
    grouping: s.grouping,
  });
  const selections = [];
  for (const set of sets.forgetSets) {
    const sel = await selectCoreset(model, set.forget, { seed: 42 });
    const pruned = new Set(sel.items.filter((i) => i.pruned).map((i) => i.id));
    selections.push({ set, sel, pruned });
  }
  const { model: transformer } = await loadTransformer(o.modelPath);
  const { recipe } = s;
  const layers =
    recipe.layers === "all"
      ? Array.from({ length: transformer.config.nLayer }, (_, i) => i)
      : recipe.layers;
  const tok = await loadTokenizer(o.modelPath);
  const runs: UpcoreRunSummary[] = [];
  const finished = new Map(
    (o.run?.results<{ summary: UpcoreRunSummary }>() ?? []).map((r) => [r.id, r.result.summary]),
  );
  let index = 0;
  for (const { set, pruned } of selections) {
    const core = set.forget.filter((f) => !pruned.has(f.id));
    const prunedFacts = set.forget.filter((f) => pruned.has(f.id));
    for (const seed of s.seeds) {
      const random = new SeededRandom(deriveSeed(seed, `upcore-random:${set.name}`))
        .sampleIndices(set.forget.length, core.length)
        .sort((a, b) => a - b)
        .map((i) => set.forget[i]!);
      const train: Record<UpcoreSelectionName, UpcoreFact[]> = {
        upcore: core,
        random,
        complete: set.forget,
      };
      for (const method of s.methods)
        for (const selection of upcoreSelections) {
          const id = `${set.name}/seed-${seed}/${method}/${selection}`;
          const earlier = finished.get(id);
          if (earlier) {
            // a resumed run: this unlearning finished before the process was stopped
            runs.push(earlier);
            index++;
            continue;
          }
          stage(`unlearn ${id}: ${train[selection].length} facts`);
          const report = await unlearn(
            transformer,
            tok,
            train[selection],
            sets.retain,
            {
              forget: set.forget,
              utility: { neighbours: set.neighbours, retain: sets.retainEval },
              forgetVariants: {
                pruned: prunedFacts,
                ...(s.paraphrases
                  ? {
                      paraphrase: set.forget.map((f) => ({ ...f, question: f.paraphrase })),
                    }
                  : {}),
              },
            },
            {
              method,
              epochs: s.epochs,
              lr: recipe.lr,
              layers,
              ...(recipe.rank ? { rank: recipe.rank, alpha: 2 * recipe.rank } : {}),
              batchSize: s.batchSize,
              gradientAccumulation: s.gradientAccumulation,
              seed,
              maxNewTokens: answerTokens,
              evalBatch: s.evalBatch,
              likelihood: false,
              refusals: atlasRefusals,
            },
          );
          removeLora(transformer);
          const summary = summarise(report, { forgetSet: set.name, seed, method, selection });
          runs.push(summary);
          o.run?.appendResult({
            id,
            index: index++,
            result: { summary, points: report.points, evalBatch: s.evalBatch },
          });
        }
    }
  }
  const variance = Object.fromEntries(selections.map(({ set, sel }) => [set.name, sel.varBefore]));
  return {
    verdict: judgeUpcoreClaim(runs, variance, 0, recipe.forgetThreshold),
    runs,
    selections: selections.map(({ set, sel, pruned }) => ({
      forgetSet: set.name,
      groupSize: set.groupSize,
      forget: set.forget.length,
      kept: set.forget.length - pruned.size,
      pruned: pruned.size,
      neighbours: set.neighbours.length,
      varBefore: sel.varBefore,
      varAfter: sel.varAfter,
    })),
    n: {
      facts: facts.length,
      known: known.length,
      groupSizes: sets.groupSizes,
      retain: sets.retain.length,
      retainEval: sets.retainEval.length,
    },
  };
}
