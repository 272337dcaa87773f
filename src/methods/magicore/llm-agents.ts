import type { AnswerType } from "../../evals/answers/extract-answer.ts";
import type { ModelSource } from "../../evals/model-source.ts";
import { hashString } from "../../math/seeded-random.ts";
import type { GenerateRequest, LanguageModel } from "../../model/language-model.ts";
import { requireCapability } from "../../model/require-capability.ts";
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

/**
 * How the Reviewer's and Refiner's minimum of `minTokens` new tokens is kept. The official code
 * sets vLLM's `min_tokens = 50`: end-of-sequence is masked until 50 new tokens exist.
 * - "native": the same, exactly: `minTokens` goes into the request and the engine masks
 *   end-of-generation (needs `capabilities.minTokens`: the llamacpp engine, vLLM servers; a model
 *   without it is a CapabilityError). The default where every role's model has it.
 * - "resample": emulated after the call: an output that stopped short is drawn again with a new
 *   seed until one reaches the minimum (rejection sampling). The default for models without the
 *   capability.
 * - "continue": emulated too: the same assistant turn goes on (the short text is prefilled) and
 *   what the model adds is appended, though the model may stop again at once.
 * - "auto" (the default): "native" for a model with the capability, else "resample".
 * The emulations make at most `minTokensTries` extra calls per output; if none reaches the
 * minimum the longest (resample) or the extended (continue) text is kept.
 */
export type MinTokensMode = "auto" | "native" | "resample" | "continue";

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
  /**
   * Minimum new tokens of each Reviewer and Refiner output (default 50, spec §3.5 "min 50 / max
   * 1000 new tokens"; 0 turns the rule off). Outputs cut by `maxTokens` are never extended.
   */
  minTokens?: number;
  /**
   * How the minimum is kept (default "auto": "native", in the request, for a model with
   * `capabilities.minTokens`, else "resample"; see MinTokensMode).
   */
  minTokensMode?: MinTokensMode;
  /** Extra calls at most per too-short output (default 3). */
  minTokensTries?: number;
  /** Told about every output that stayed shorter than `minTokens` after all tries. */
  onShort?: (role: "reviewer" | "refiner", problemId: string, tokens: number) => void;
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
  const minTokens = options.minTokens ?? 50;

  const minTokensTries = options.minTokensTries ?? 3;

  /** The mode for one model: the setting, "auto" resolved (native where the model has it). */
  function modeFor(model: LanguageModel): Exclude<MinTokensMode, "auto"> {
    const setting = options.minTokensMode ?? "auto";
    const mode =
      setting !== "auto" ? setting : model.capabilities.minTokens ? "native" : "resample";
    if (mode === "native" && minTokens > 0) requireCapability(model, "minTokens");
    return mode;
  }

  async function draw(model: LanguageModel, request: GenerateRequest, key: string) {
    const result = await model.generate({ ...request, n: 1, seed: seedFor(key) });
    const g = result.generations[0];
    return {
      text: g?.text ?? "",
      tokens: result.usage.outputTokens,
      stopped: g?.finishReason === "stop",
    };
  }

  /**
   * One Reviewer/Refiner output of at least `minTokens` new tokens: asked of the engine
   * ("native"), or emulated where the model allows it (see `MinTokensMode`). Returns the text
   * after the request's prefill.
   */
  async function sampleAtLeast(
    model: LanguageModel,
    request: GenerateRequest,
    key: string,
    role: "reviewer" | "refiner",
    problemId: string,
  ): Promise<string> {
    const minTokensMode = modeFor(model);
    if (minTokensMode === "native" && minTokens > 0) {
      // exact, as the official code: the engine masks end-of-generation until minTokens tokens
      const maxTokens = request.maxTokens ?? sampling.maxTokens;
      const out = await draw(model, { ...request, minTokens: Math.min(minTokens, maxTokens) }, key);
      return out.text;
    }
    let out = await draw(model, request, key);
    const short = (o: { tokens: number; stopped: boolean }) => o.stopped && o.tokens < minTokens;
    for (let attempt = 1; attempt <= minTokensTries && short(out); attempt++) {
      if (minTokensMode === "resample") {
        const again = await draw(model, request, `${key}~${attempt}`);
        if (!short(again) || again.tokens > out.tokens) out = again;
        continue;
      }
      const more = await draw(
        model,
        {
          ...request,
          prefill: `${request.prefill ?? ""}${out.text}`,
          maxTokens: Math.max(1, (request.maxTokens ?? sampling.maxTokens) - out.tokens),
        },
        `${key}+${attempt}`,
      );
      if (more.text === "") break; // the model insists on stopping here
      out = { text: out.text + more.text, tokens: out.tokens + more.tokens, stopped: more.stopped };
    }
    if (short(out)) options.onShort?.(role, problemId, out.tokens);
    return out.text;
  }

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
          const text = await sampleAtLeast(
            model,
            {
              messages: reviewerMessages(question, scored, options.answerType),
              prefill: reviewOpener,
              ...sampling,
            },
            `review:${jobs[i]!.problemId}:${i}:${hashString(scored)}`,
            "reviewer",
            jobs[i]!.problemId,
          );
          return `${reviewOpener}${text}`;
        }),
      ),
    refine: (jobs) =>
      options.models.use(options.refiner, (model) =>
        scoped(jobs, async (i) => {
          const { question, scored, feedback } = jobs[i]!.value;
          const text = await sampleAtLeast(
            model,
            {
              messages: refinerMessages(question, scored, feedback, options.answerType),
              prefill: refineOpener,
              ...sampling,
            },
            `refine:${jobs[i]!.problemId}:${i}:${hashString(scored + feedback)}`,
            "refiner",
            jobs[i]!.problemId,
          );
          // keep only the solution: the header sentence is the opener's, "Step 1:" starts the steps
          return `Step 1:${text}`;
        }),
      ),
    orm: (jobs) =>
      withReward(options.orm, (rm) => byProblem(jobs, (values) => rm.scoreOutcomes(values))),
    prm: (jobs) =>
      withReward(options.prm, (rm) => byProblem(jobs, (values) => rm.scoreSteps(values))),
  };
}
