import {
  type AttributeActivations,
  collectAttributeActivations,
  defaultSteeringLayer,
  type MatSteerLosses,
  meanDifferenceIntervention,
  meanDifferenceVectors,
  medianPairwiseDistance,
  type SteeringSite,
  trainMatSteer,
} from "../../methods/mat-steer/index.ts";
import type { Decoder, LanguageModel } from "../../model/index.ts";
import { requireDecoder, requireInternals } from "../../model/index.ts";
import type { ProgressLine } from "../../runtime/progress-line.ts";
import type { Run } from "../../runtime/run.ts";
import { runItems } from "../../runtime/run-items.ts";
import type { RunStats } from "../../runtime/run-stats.ts";
import type { KnowledgeItem } from "../atlas/knowledge-items.ts";
import {
  type SteerAttribute,
  type SteerChoiceItem,
  steerAttributes,
} from "../atlas/steer-items.ts";
import type { SteerDemoData } from "./steer-demo-data.ts";
import {
  choiceCorrect,
  gatedCondition,
  logitKl,
  qaCorrect,
  type SteerCondition,
} from "./steer-measure.ts";
import {
  matCondition,
  type SteerConditionName,
  type SteeredName,
  type SteerItemOutcome,
  type SteerReport,
  steerConditionNames,
  steeredNames,
  steerReport,
} from "./steer-report.ts";
import {
  chooseGateSetting,
  type GateBehaviour,
  type GateSetting,
  gateBehaviour,
  gateSettingNames,
  gateSettings,
  ownGates,
} from "./steer-settings.ts";
import { type AlphaScore, alphaGrid, chooseAlpha } from "./steer-tune.ts";

/** What the demo learned before the evaluation: the site, both settings' training, the rule, α. */
export interface SteerDemoTraining {
  layer: number;
  /** Median pairwise distance of the training activations (σ = 2 may kill the MMD gradient). */
  medianDistance: number;
  settings: Record<
    GateSetting,
    { sigma: number; first: MatSteerLosses; last: MatSteerLosses; heldOut: GateBehaviour }
  >;
  chosen: GateSetting;
  asDescribed: Record<GateSetting, boolean>;
  alpha: { chosen: number; scores: AlphaScore[]; unsteeredQa: number };
}

export interface SteerDemoResult {
  training: SteerDemoTraining;
  report: SteerReport;
  outcomes: SteerItemOutcome[];
  /** Which gate serves which attribute, per setting (`ownGates`). */
  ownGates: Record<GateSetting, Record<string, number>>;
  /** An undesirable item MAT fixed and a desirable item, with their outcomes. */
  examples: Array<{ item: SteerChoiceItem; outcome: SteerItemOutcome }>;
}

type EvalItem = { kind: "mc"; item: SteerChoiceItem } | { kind: "neutral"; item: KnowledgeItem };

/**
 * MAT-Steer vs mean-difference steering on an Atlas model: last-token activations of the
 * statements at the middle layer's residual stream, both gate settings and single-attribute MAT
 * trained live, the mean difference's α tuned on the validation draw, then every eval item
 * measured under every condition (written to `run`), and the pre-registered claim reported.
 */
export async function runSteerDemo(
  model: LanguageModel,
  data: SteerDemoData,
  options: {
    trainSeed?: number;
    run?: Run;
    stats?: RunStats;
    progress?: ProgressLine;
    signal?: AbortSignal;
    bootstrapSeed?: number;
    /** Called when a stage starts (the CLI prints it to stderr). */
    onStage?: (stage: string) => void;
  } = {},
): Promise<SteerDemoResult> {
  const internals = requireInternals(model);
  const seed = options.trainSeed ?? 42;
  const layer = defaultSteeringLayer(internals.nLayers);
  const site: SteeringSite = { layer, positions: "all" };
  const stage = options.onStage ?? (() => {});

  stage(`activations at the residual stream entering block ${layer} of ${internals.nLayers}`);
  const acts = await collectAttributeActivations(model, data.train, { layer });
  const heldOut = await collectAttributeActivations(model, data.heldOut, { layer });
  const medianDistance = medianPairwiseDistance(
    Object.values(acts).flatMap((a) => [...a.positive, ...a.negative]),
  );

  stage("training MAT-Steer (spec weights, median σ, and single-attribute)");
  const trained = Object.fromEntries(
    gateSettingNames.map((s) => {
      const r = trainMatSteer(acts, { ...gateSettings[s].options, seed });
      const own = ownGates(r.steerer, acts);
      return [s, { ...r, own, heldOut: gateBehaviour(r.steerer, own, heldOut) }];
    }),
  ) as Record<
    GateSetting,
    ReturnType<typeof trainMatSteer> & { own: Record<string, number>; heldOut: GateBehaviour }
  >;
  const { setting: chosen, asDescribed } = chooseGateSetting({
    spec: trained.spec.heldOut,
    median: trained.median.heldOut,
  });
  const single = Object.fromEntries(
    steerAttributes.map((a) => {
      const one: Record<string, AttributeActivations> = { [a]: acts[a]! };
      const { steerer } = trainMatSteer(one, { ...gateSettings[chosen].options, seed });
      return [a, gatedCondition(steerer, site, internals.nLayers)];
    }),
  ) as Record<SteerAttribute, SteerCondition>;

  const decoder = requireDecoder(model);
  try {
    stage("tuning the mean difference's α on the validation draw");
    const vectors = Object.values(meanDifferenceVectors(acts));
    const mdCondition = (alpha: number): SteerCondition => ({
      interventions: [meanDifferenceIntervention(vectors, alpha, site, internals.nLayers)],
    });
    const alpha = await tuneAlpha(model, decoder, data.validation, mdCondition);

    const conditions: Record<SteerConditionName, SteerCondition> = {
      unsteered: { interventions: [] },
      "mat-spec": gatedCondition(trained.spec.steerer, site, internals.nLayers),
      "mat-median": gatedCondition(trained.median.steerer, site, internals.nLayers),
      "mean-diff": mdCondition(alpha.chosen),
    };
    stage("evaluating");
    const items: EvalItem[] = [
      ...data.eval.mc.map((item) => ({ kind: "mc" as const, item })),
      ...data.eval.neutral.map((item) => ({ kind: "neutral" as const, item })),
    ];
    const done = await runItems(items, (e) => measureItem(model, decoder, e, conditions, single), {
      id: (e) => e.item.id,
      ...(options.run ? { run: options.run } : {}),
      ...(options.stats ? { stats: options.stats } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      stopOnError: true,
    });
    if (done.stopped) throw new Error(`the demo stopped early: ${done.stopped.message}`);
    const outcomes = done.results.map((r) => r.result);
    const report = steerReport(
      outcomes,
      chosen,
      { spec: trained.spec.own, median: trained.median.own },
      options.bootstrapSeed ?? 0,
    );
    const training: SteerDemoTraining = {
      layer,
      medianDistance,
      settings: Object.fromEntries(
        gateSettingNames.map((s) => [
          s,
          {
            sigma: trained[s].sigma,
            first: trained[s].history[0]!,
            last: trained[s].history.at(-1)!,
            heldOut: trained[s].heldOut,
          },
        ]),
      ) as SteerDemoTraining["settings"],
      chosen,
      asDescribed,
      alpha,
    };
    const ownGates = { spec: trained.spec.own, median: trained.median.own };
    return {
      training,
      report,
      outcomes,
      ownGates,
      examples: pickExamples(data.eval.mc, outcomes, chosen),
    };
  } finally {
    await decoder.close();
  }
}

async function tuneAlpha(
  model: LanguageModel,
  decoder: Decoder,
  validation: SteerDemoData["validation"],
  condition: (alpha: number) => SteerCondition,
): Promise<SteerDemoTraining["alpha"]> {
  const qa = async (c: SteerCondition) => {
    let hits = 0;
    for (const item of validation.neutral)
      if (await qaCorrect(model, item, c.interventions)) hits++;
    return hits / Math.max(1, validation.neutral.length);
  };
  const unsteeredQa = await qa({ interventions: [] });
  const scores: AlphaScore[] = [];
  for (const alpha of alphaGrid) {
    const c = condition(alpha);
    let hits = 0;
    for (const item of validation.mc)
      if (await choiceCorrect(model, decoder, item, c.interventions)) hits++;
    scores.push({ alpha, accuracy: hits / Math.max(1, validation.mc.length), qa: await qa(c) });
  }
  return { chosen: chooseAlpha(scores, unsteeredQa), scores, unsteeredQa };
}

/** Every condition on one eval item: MC choice or closed-book answer, KL, gates. */
async function measureItem(
  model: LanguageModel,
  decoder: Decoder,
  e: EvalItem,
  conditions: Record<SteerConditionName, SteerCondition>,
  single: Record<SteerAttribute, SteerCondition>,
): Promise<SteerItemOutcome> {
  const internals = requireInternals(model);
  const correct = {} as Record<SteerConditionName, boolean>;
  const gates = {} as Record<GateSetting, number[]>;
  for (const c of steerConditionNames) {
    const cond = conditions[c];
    correct[c] =
      e.kind === "mc"
        ? await choiceCorrect(model, decoder, e.item, cond.interventions)
        : await qaCorrect(model, e.item, cond.interventions);
    for (const s of gateSettingNames)
      if (matCondition(s) === c) gates[s] = cond.lastGates?.() ?? [];
  }
  const kind = e.kind === "mc" ? e.item.persona : "neutral";
  const out: SteerItemOutcome = { id: e.item.id, kind, correct, gates };
  if (e.kind === "mc") out.attribute = e.item.attribute;
  if (e.kind === "mc" && kind === "undesirable")
    out.single = await choiceCorrect(
      model,
      decoder,
      e.item,
      single[e.item.attribute].interventions,
    );
  if (kind !== "undesirable") {
    const p = await internals.logits(e.item.prompt);
    const kl = {} as Record<SteeredName, number>;
    for (const c of steeredNames)
      kl[c] = logitKl(p, await internals.logits(e.item.prompt, conditions[c]));
    out.kl = kl;
  }
  return out;
}

function pickExamples(
  items: readonly SteerChoiceItem[],
  outcomes: readonly SteerItemOutcome[],
  chosen: GateSetting,
): SteerDemoResult["examples"] {
  const mat = matCondition(chosen);
  const byId = new Map(items.map((i) => [i.id, i]));
  const find = (kind: SteerItemOutcome["kind"], when: (o: SteerItemOutcome) => boolean) =>
    outcomes.find((o) => o.kind === kind && when(o)) ?? outcomes.find((o) => o.kind === kind);
  return [
    find("undesirable", (o) => !o.correct.unsteered && o.correct[mat]),
    find("desirable", (o) => o.correct[mat]),
  ]
    .filter((o): o is SteerItemOutcome => o !== undefined && byId.has(o.id))
    .map((o) => ({ item: byId.get(o.id)!, outcome: o }));
}
