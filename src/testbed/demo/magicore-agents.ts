/**
 * MAgICoRe's roles (the method's `MagicoreAgents` seam) on abacus-1m and its LoRA adapters, in
 * completion format with world-vocabulary texts (magicore-format.ts). The ORM and PRM are
 * Math-Shepherd-style taggers read with the method's own `MathShepherdPrm` (P(+) at the `?` tag
 * from the engine's logprobs); the ORM is the same reader on the whole solution as one step.
 */
import type { ModelSource } from "../../evals/model-source.ts";
import { hashString } from "../../math/seeded-random.ts";
import type { MagicoreAgents, Tagged } from "../../methods/magicore/agents.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { mapLimit } from "../../scoring/map-limit.ts";
import { MathShepherdPrm } from "../../scoring/math-shepherd-prm.ts";
import { wordCount } from "../atlas/atlas-corpus.ts";
import {
  oneLine,
  refinedSolution,
  refinerPrompt,
  reviewerPrompt,
  rewardQuestion,
  solutionText,
  solverPrompt,
  stepTag,
} from "./magicore-format.ts";

/** abacus-1m's context; a prompt leaves the rest for new tokens. */
export const contextTokens = 320;

/** New tokens a prompt leaves (one token per world word; a little spare for byte fallbacks). */
export function tokensLeft(prompt: string, cap = 200): number {
  return Math.max(4, Math.min(cap, contextTokens - wordCount(prompt) - 6));
}

/** Generated tokens by role, per problem, and per refinement round (a review call = a round). */
export class RoleTokens {
  solve = new Map<string, number>();
  /** rounds[r] = tokens of round r+1's reviews and refinements, per problem. */
  rounds: Map<string, number>[] = [];
  #round = -1;
  startRound(): void {
    this.#round += 1;
    this.rounds.push(new Map());
  }
  add(kind: "solve" | "round", problemId: string, tokens: number): void {
    const into = kind === "solve" ? this.solve : this.rounds[this.#round]!;
    into.set(problemId, (into.get(problemId) ?? 0) + tokens);
  }
}

export interface ChainAgentsOptions {
  models: ModelSource;
  temperature: number;
  topP: number;
  seed: number;
  /** Charges a problem's calls to it (the eval harness's `forItem`). */
  forItem?: <T>(problemId: string, fn: () => Promise<T>) => Promise<T>;
  tokens?: RoleTokens;
  /**
   * Calls in flight at once (default 1). Every call carries its own seed, so the outputs do not
   * depend on it; 2 keeps both of a 2-core box's llama.cpp contexts busy.
   */
  concurrency?: number;
}

/** The five roles on the pool's `solver`, `reviewer`, `refiner`, `orm` and `prm` models. */
export function chainAgents(o: ChainAgentsOptions): MagicoreAgents {
  const forItem = o.forItem ?? (<T>(_: string, fn: () => Promise<T>) => fn());
  const role = (name: string) => o.models.nameFor(name);
  const concurrency = o.concurrency ?? 1;

  async function complete(model: LanguageModel, prompt: string, key: string) {
    const r = await model.generate({
      prompt,
      stop: ["Q:", "\n"],
      temperature: o.temperature,
      topP: o.topP,
      maxTokens: tokensLeft(prompt),
      seed: (o.seed + hashString(key)) >>> 0,
    });
    return { text: r.generations[0]?.text ?? "", tokens: r.usage.outputTokens };
  }

  /** One call per job, results in job order, each charged to its problem. */
  async function each<I, R>(
    name: string,
    jobs: readonly Tagged<I>[],
    run: (model: LanguageModel, job: Tagged<I>, i: number) => Promise<R>,
  ): Promise<R[]> {
    return o.models.use(role(name), (model) =>
      mapLimit(jobs, concurrency, (job, i) => forItem(job.problemId, () => run(model, job, i))),
    );
  }

  const tagger = (model: LanguageModel) =>
    new MathShepherdPrm(model, { stepTag, good: "+", bad: "-", concurrency: 1 });

  return {
    solve: (jobs) =>
      each("solver", jobs, async (model, job) => {
        const prompt = solverPrompt(job.value.question);
        const samples = Array.from({ length: job.value.k }, (_, i) => i);
        return mapLimit(samples, concurrency, async (i) => {
          const r = await complete(model, prompt, `solve:${job.problemId}#${i}`);
          o.tokens?.add("solve", job.problemId, r.tokens);
          return solutionText(r.text);
        });
      }),
    review: (jobs) => {
      o.tokens?.startRound();
      return each("reviewer", jobs, async (model, job, i) => {
        const prompt = reviewerPrompt(job.value.question, job.value.scored);
        const r = await complete(
          model,
          prompt,
          `review:${job.problemId}:${i}:${hashString(prompt)}`,
        );
        o.tokens?.add("round", job.problemId, r.tokens);
        return oneLine(r.text);
      });
    },
    refine: (jobs) =>
      each("refiner", jobs, async (model, job, i) => {
        const { question, scored, feedback } = job.value;
        const prompt = refinerPrompt(question, scored, feedback);
        const r = await complete(
          model,
          prompt,
          `refine:${job.problemId}:${i}:${hashString(prompt)}`,
        );
        o.tokens?.add("round", job.problemId, r.tokens);
        return refinedSolution(prompt, r.text);
      }),
    orm: (jobs) =>
      each("orm", jobs, async (model, job) => {
        const [scores] = await tagger(model).scoreSteps([
          { question: rewardQuestion(job.value.question), steps: [oneLine(job.value.solution)] },
        ]);
        return scores![0]!;
      }),
    prm: (jobs) =>
      each("prm", jobs, async (model, job) => {
        const [scores] = await tagger(model).scoreSteps([
          { question: rewardQuestion(job.value.question), steps: job.value.steps },
        ]);
        return scores!;
      }),
  };
}
