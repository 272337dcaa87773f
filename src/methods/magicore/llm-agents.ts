import type { AnswerType } from "../../evals/answers/extract-answer.ts";
import type { ModelSource } from "../../evals/model-source.ts";
import { hashString } from "../../math/seeded-random.ts";
import type { GenerateRequest, LanguageModel } from "../../model/language-model.ts";
import { mapLimit } from "../../scoring/map-limit.ts";
import type { OutcomeRewardModel, ProcessRewardModel } from "../../scoring/reward-model.ts";
import type { MagicoreAgents, Tagged } from "./agents.ts";
import {
  refineOpener,
  refinerMessages,
  reviewerMessages,
  reviewOpener,
  solverMessages,
  solverPrefill,
} from "./prompts.ts";

/** A reward model that lives on a pool model (borrowed per phase), or a ready one (HTTP). */
export type RewardSource<R> = { model: string; create: (model: LanguageModel) => R } | { ready: R };

/** Settings for the LLM-backed roles. */
export interface LlmAgentsOptions {
  models: ModelSource;
  /** Pool names for the three roles (all the same model in the paper). */
  solver: string;
  reviewer: string;
  refiner: string;
  orm: RewardSource<OutcomeRewardModel>;
  prm: RewardSource<ProcessRewardModel>;
  answerType: AnswerType;
  /** Sampling (defaults: T 0.8, top-p 0.95, 1000 new tokens; the code's settings). */
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  seed?: number;
  /** Calls in flight at once per phase (default 4). */
  concurrency?: number;
  /** Charges a problem's calls to it (the eval harness's `forItem`). */
  forItem?: <T>(problemId: string, fn: () => Promise<T>) => Promise<T>;
}

/**
 * MAgICoRe's roles on pool models: each phase borrows its model once and runs every problem's
 * calls on it. Prefilled openers are prepended to returned texts so steps keep their headers.
 */
export function llmAgents(options: LlmAgentsOptions): MagicoreAgents {
  const forItem = options.forItem ?? (<T>(_: string, fn: () => Promise<T>) => fn());
  const concurrency = options.concurrency ?? 4;
  const sampling = {
    temperature: options.temperature ?? 0.8,
    topP: options.topP ?? 0.95,
    maxTokens: options.maxTokens ?? 1000,
  };
  const seedFor = (key: string) => ((options.seed ?? 0) + hashString(key)) >>> 0;

  async function sample(model: LanguageModel, request: GenerateRequest, n: number, key: string) {
    if (n === 1 || model.capabilities.n) {
      const result = await model.generate({ ...request, n, seed: seedFor(key) });
      return result.generations.map((g) => g.text);
    }
    const texts: string[] = [];
    for (let i = 0; i < n; i++) {
      const result = await model.generate({ ...request, n: 1, seed: seedFor(`${key}#${i}`) });
      texts.push(result.generations[0]?.text ?? "");
    }
    return texts;
  }

  function scoped<R>(jobs: readonly Tagged<unknown>[], run: (job: number) => Promise<R>) {
    return mapLimit(jobs, concurrency, (job, i) => forItem(job.problemId, () => run(i)));
  }

  async function byProblem<I, R>(jobs: readonly Tagged<I>[], score: (values: I[]) => Promise<R[]>) {
    const groups = new Map<string, number[]>();
    jobs.forEach((job, i) => {
      groups.set(job.problemId, [...(groups.get(job.problemId) ?? []), i]);
    });
    const out = new Array<R>(jobs.length);
    await mapLimit([...groups], concurrency, ([problemId, indices]) =>
      forItem(problemId, async () => {
        const values = await score(indices.map((i) => jobs[i]!.value));
        indices.forEach((i, j) => {
          out[i] = values[j]!;
        });
      }),
    );
    return out;
  }

  function withReward<R, T>(source: RewardSource<R>, fn: (rm: R) => Promise<T>): Promise<T> {
    if ("ready" in source) return fn(source.ready);
    return options.models.use(source.model, (model) => fn(source.create(model)));
  }

  return {
    solve: (jobs) =>
      options.models.use(options.solver, (model) =>
        scoped(jobs, async (i) => {
          const job = jobs[i]!;
          const texts = await sample(
            model,
            {
              messages: solverMessages(job.value.question, options.answerType),
              prefill: solverPrefill,
              ...sampling,
            },
            job.value.k,
            `solve:${job.problemId}`,
          );
          return texts.map((t) => `${solverPrefill}${t}`);
        }),
      ),
    review: (jobs) =>
      options.models.use(options.reviewer, (model) =>
        scoped(jobs, async (i) => {
          const { question, scored } = jobs[i]!.value;
          const [text] = await sample(
            model,
            {
              messages: reviewerMessages(question, scored, options.answerType),
              prefill: reviewOpener,
              ...sampling,
            },
            1,
            `review:${jobs[i]!.problemId}:${i}:${hashString(scored)}`,
          );
          return `${reviewOpener}${text ?? ""}`;
        }),
      ),
    refine: (jobs) =>
      options.models.use(options.refiner, (model) =>
        scoped(jobs, async (i) => {
          const { question, scored, feedback } = jobs[i]!.value;
          const [text] = await sample(
            model,
            {
              messages: refinerMessages(question, scored, feedback, options.answerType),
              prefill: refineOpener,
              ...sampling,
            },
            1,
            `refine:${jobs[i]!.problemId}:${i}:${hashString(scored + feedback)}`,
          );
          // keep only the solution: the header sentence is the opener's, "Step 1:" starts the steps
          return `Step 1:${text ?? ""}`;
        }),
      ),
    orm: (jobs) =>
      withReward(options.orm, (rm) => byProblem(jobs, (values) => rm.scoreOutcomes(values))),
    prm: (jobs) =>
      withReward(options.prm, (rm) => byProblem(jobs, (values) => rm.scoreSteps(values))),
  };
}
