import { lastBoxed } from "../../evals/answers/boxed.ts";
import { checkAnswer } from "../../evals/answers/check-answer.ts";
import { choiceLetters, extractChoice } from "../../evals/answers/choice.ts";
import { type AnswerType, extractAnswer } from "../../evals/answers/extract-answer.ts";
import type { EvalItem } from "../../evals/eval-item.ts";
import type { ModelSource } from "../../evals/model-source.ts";
import { hashString, SeededRandom } from "../../math/seeded-random.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { mapLimit } from "../../scoring/map-limit.ts";
import { majorityAnswer } from "../magicore/vote.ts";
import {
  buildAggregationBenchmark,
  type ProfiledAnswer,
  pickAggregator,
} from "./aggregator-selection.ts";
import { buildBatchPlan, runBatchPlan } from "./batch-plan.ts";
import { lexicalEmbedder, mapKeywords, modelEmbedder } from "./keyword-matcher.ts";
import { filterKeywords, parseKeywords } from "./keywords.ts";
import type { MoeProfileFile } from "./profile-store.ts";
import { buildProfiles, globalCompetence } from "./profiles.ts";
import {
  aggregatorPrompt,
  benchmarkPrompt,
  expertPrompt,
  keywordPrompt,
  type MoePrompt,
} from "./prompt-format.ts";
import { pruneRareExperts, type Recruitment, recruitExperts } from "./recruit.ts";
import { type MoeSettings, majorityAggregator, maxTokensFor } from "./settings.ts";

/** Shared plumbing: where models come from, the seed, per-item accounting, progress. */
export interface MoeRuntime {
  models: ModelSource;
  seed: number;
  forItem?: <T>(itemId: string, fn: () => Promise<T>) => Promise<T>;
  log?: (message: string) => void;
}

const within = <T>(rt: MoeRuntime, id: string, fn: () => Promise<T>) =>
  rt.forItem ? rt.forItem(id, fn) : fn();

/**
 * A response's answer (spec §3.2): multiple choice → the last allowed letter followed by ")",
 * else the last bare allowed capital ("The answer is (X)" first); math → the last `\boxed{}`.
 */
export function parseMoeAnswer(text: string, type: AnswerType, choiceCount = 10): string | null {
  if (type === "choice") return extractChoice(text, choiceLetters(choiceCount)) ?? null;
  if (type === "math") return lastBoxed(text)?.trim() ?? extractAnswer(text, "math") ?? null;
  return extractAnswer(text, type) ?? null;
}

function seedFor(rt: MoeRuntime, key: string): number {
  return (rt.seed + hashString(key)) >>> 0;
}

/** Generates one response and returns its text. */
async function ask(model: LanguageModel, prompt: MoePrompt, settings: MoeSettings, seed: number) {
  const result = await model.generate({
    ...prompt,
    temperature: settings.temperature,
    maxTokens: maxTokensFor(settings, model.id),
    seed,
  });
  return result.generations[0]?.text ?? "";
}

/** Keyword annotation (spec §3.1): `keywordSamples` samples per question, frequency-filtered. */
export async function annotateKeywords(
  items: readonly EvalItem[],
  rt: MoeRuntime,
  settings: MoeSettings,
): Promise<string[][]> {
  const annotator = rt.models.nameFor("annotator");
  return rt.models.use(annotator, (model) =>
    mapLimit(items, settings.concurrency, (item) =>
      within(rt, item.id, async () => {
        const request = {
          ...keywordPrompt(settings.format, item.question),
          temperature: settings.keywordTemperature,
          maxTokens: settings.keywordMaxTokens,
        };
        const samples: string[][] = [];
        if (model.capabilities.n) {
          const r = await model.generate({
            ...request,
            n: settings.keywordSamples,
            seed: seedFor(rt, `kw:${item.id}`),
          });
          for (const g of r.generations) samples.push(parseKeywords(g.text));
        } else
          for (let i = 0; i < settings.keywordSamples; i++) {
            const r = await model.generate({ ...request, seed: seedFor(rt, `kw:${item.id}#${i}`) });
            samples.push(parseKeywords(r.generations[0]?.text ?? ""));
          }
        return filterKeywords(samples);
      }),
    ),
  );
}

/**
 * Preprocessing (spec §3.2–3.4) on validation items: keywords, every model's answers (one load
 * per model), profiles, global competence, and the aggregator chosen by the aggregation benchmark.
 */
export async function buildMoeProfile(
  items: readonly EvalItem[],
  rt: MoeRuntime,
  settings: MoeSettings,
  meta: { dataset: string; split: string },
): Promise<MoeProfileFile> {
  const answerType = items[0]?.answerType ?? "choice";
  rt.log?.(`symbolic-moe: annotating ${items.length} validation question(s)`);
  const keywords = await annotateKeywords(items, rt, settings);
  const answers: Record<string, ProfiledAnswer[]> = {};
  const correct: Record<string, boolean[]> = {};
  for (const name of rt.models.names) {
    rt.log?.(`symbolic-moe: profiling ${name}`);
    answers[name] = await rt.models.use(name, (model) =>
      mapLimit(items, settings.concurrency, async (item) => {
        const response = await ask(
          model,
          expertPrompt(settings.format, item.question, item.answerType),
          settings,
          seedFor(rt, `profile:${name}:${item.id}`),
        );
        return {
          response,
          prediction: parseMoeAnswer(response, item.answerType, item.choices?.length),
        };
      }),
    );
    correct[name] = answers[name]!.map((a, i) =>
      checkAnswer(a.prediction ?? undefined, items[i]!.answer, items[i]!.answerType),
    );
  }
  const profiles = buildProfiles(correct, keywords);
  const competence = globalCompetence(profiles, settings.tau);
  const bench = buildAggregationBenchmark(
    items.map((i) => ({
      question: i.question,
      gold: i.answer,
      answerType: i.answerType,
      ...(i.choices ? { choiceCount: i.choices.length } : {}),
    })),
    answers,
    new SeededRandom(rt.seed),
  );
  const aggregatorAccuracy: Record<string, number> = {};
  // an aggregator fixed by the settings needs no benchmark
  if (settings.aggregator === undefined)
    for (const name of rt.models.names) {
      rt.log?.(`symbolic-moe: aggregation benchmark for ${name}`);
      const hits = await rt.models.use(name, (model) =>
        mapLimit(bench, settings.concurrency, async (b, i) => {
          const text = await ask(
            model,
            benchmarkPrompt(settings.format, b.question, b.responses, b.answerType),
            settings,
            seedFor(rt, `bench:${name}:${i}`),
          );
          return parseMoeAnswer(text, b.answerType, b.choiceCount) === b.gold ? 1 : 0;
        }),
      );
      aggregatorAccuracy[name] = hits.reduce<number>((a, b) => a + b, 0) / Math.max(1, hits.length);
    }
  const validationAccuracy = Object.fromEntries(
    Object.entries(correct).map(([m, c]) => [m, c.filter(Boolean).length / Math.max(1, c.length)]),
  );
  return {
    version: 1,
    dataset: meta.dataset,
    split: meta.split,
    answerType,
    models: [...rt.models.names],
    profiles,
    competence,
    vocabulary: [...new Set(keywords.flat())],
    validationAccuracy,
    aggregator: settings.aggregator ?? pickAggregator(aggregatorAccuracy),
    aggregatorAccuracy,
    items: items.length,
    tau: settings.tau,
    createdAt: new Date().toISOString(),
  };
}

/** Per-instance outcome of inference, kept in the run record. */
export interface MoeInstanceResult {
  prediction: string | null;
  response: string;
  keywords: string[];
  mapped: string[];
  recruitment: Recruitment | { experts: string[]; path: string };
  expertAnswers: (string | null)[];
  /** Diagnostic "initial accuracy" answer: majority over the experts' parsed answers. */
  expertMajority: string | null;
  aggregator: string;
  expertResponses: string[];
}

/**
 * Runs experts then the aggregator for `recruitments` (one list of model names per item): the
 * experts through the batch plan (each model loaded once), the aggregator in one load, or, for
 * the "majority" aggregator, a vote over the experts' parsed answers (ties: the first answer).
 * `finals` are the aggregator's texts (the majority's first response when voting).
 */
export async function expertsThenAggregate(
  items: readonly EvalItem[],
  recruitments: readonly string[][],
  aggregator: string,
  rt: MoeRuntime,
  settings: MoeSettings,
): Promise<{
  responses: string[][];
  answers: (string | null)[][];
  finals: string[];
  predictions: (string | null)[];
}> {
  const plan = buildBatchPlan(recruitments);
  rt.log?.(`symbolic-moe: ${plan.size} expert model(s) for ${items.length} item(s)`);
  const responses = await runBatchPlan(
    plan,
    recruitments,
    rt.models,
    (model, slot) => {
      const item = items[slot.instance]!;
      return within(rt, item.id, () =>
        ask(
          model,
          expertPrompt(settings.format, item.question, item.answerType),
          settings,
          seedFor(rt, `expert:${item.id}:${slot.slot}`),
        ),
      );
    },
    settings.concurrency,
  );
  const answers = responses.map((rs, i) =>
    rs.map((r) => parseMoeAnswer(r, items[i]!.answerType, items[i]!.choices?.length)),
  );
  if (aggregator === majorityAggregator) {
    const predictions = answers.map((a) => majorityAnswer(a.filter((x) => x !== null)));
    const finals = predictions.map((p, i) => responses[i]![answers[i]!.indexOf(p)] ?? "");
    return { responses, answers, finals, predictions };
  }
  const finals = await rt.models.use(aggregator, (model) =>
    mapLimit(items, settings.concurrency, (item, i) =>
      within(rt, item.id, () =>
        ask(
          model,
          aggregatorPrompt(settings.format, item.question, responses[i]!, item.answerType),
          settings,
          seedFor(rt, `aggregate:${item.id}`),
        ),
      ),
    ),
  );
  const predictions = finals.map((f, i) =>
    parseMoeAnswer(f, items[i]!.answerType, items[i]!.choices?.length),
  );
  return { responses, answers, finals, predictions };
}

/** Inference (spec §3.5–3.8) on test items with a profile. */
export async function runSymbolicMoe(
  items: readonly EvalItem[],
  profile: MoeProfileFile,
  rt: MoeRuntime,
  settings: MoeSettings,
): Promise<MoeInstanceResult[]> {
  const keywords = await annotateKeywords(items, rt, settings);
  // the model embedder needs its model held while it embeds
  const mapped =
    settings.embedder === "model"
      ? await rt.models.use(rt.models.nameFor("annotator"), (m) =>
          mapKeywords(keywords, profile.vocabulary, modelEmbedder(m)),
        )
      : await mapKeywords(keywords, profile.vocabulary, lexicalEmbedder);
  const rng = new SeededRandom(rt.seed);
  const recruitments = mapped.map((words) =>
    recruitExperts(words, profile.profiles, profile.competence, settings.k, rng),
  );
  let experts = recruitments.map((r) => r.experts);
  if (settings.prune > 0) experts = pruneRareExperts(experts, settings.prune, rng);
  const aggregator = settings.aggregator ?? profile.aggregator;
  const { responses, answers, finals, predictions } = await expertsThenAggregate(
    items,
    experts,
    aggregator,
    rt,
    settings,
  );
  return items.map((_, i) => ({
    prediction: predictions[i]!,
    response: finals[i]!,
    keywords: keywords[i]!,
    mapped: mapped[i]!,
    recruitment: { ...recruitments[i]!, experts: experts[i]! },
    expertAnswers: answers[i]!,
    expertMajority: majorityAnswer(answers[i]!.filter((a) => a !== null)),
    aggregator,
    expertResponses: responses[i]!,
  }));
}
