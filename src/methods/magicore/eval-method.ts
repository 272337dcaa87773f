import type { EvalMethod } from "../../evals/eval-method.ts";
import { mapLimit } from "../../scoring/map-limit.ts";
import {
  answerParser,
  contextAgents,
  initialPool,
  magicoreOptions,
  readSettings,
  toProblem,
} from "./eval-setup.ts";
import { runMagicore } from "./magicore.ts";
import { rewardStats } from "./solution.ts";

/**
 * MAgICoRe in the eval harness. The initial k samples and their scores are shared with the
 * sampling baselines of the same run; μ/σ come from `--set mu=… sigma=…` or, by default, from the
 * first solution of each evaluated problem (spec §3.2). Refinement phases are batched across
 * problems. Per item the record keeps every iteration's decision (easy/hard, z-score,
 * confidences) and the calls by role.
 */
export const magicoreMethod: EvalMethod = {
  name: "magicore",
  description: "MAgICoRe: easy/hard triage, reviewer + refiner with PRM-scored steps",
  answerTypes: ["math", "number", "choice"],
  checkOptions: readSettings,
  async runBatch(items, context) {
    const s = readSettings(context.options);
    const pools = await mapLimit(items, s.concurrency, (item) =>
      context.forItem(item.id, () => initialPool(context, s, item)),
    );
    const options = magicoreOptions(s);
    const stats = options.stats ?? rewardStats(pools.map((p) => p[0]!).filter(Boolean));
    const initial = new Map(items.map((item, i) => [item.id, pools[i]!]));
    context.log(`magicore: μ = ${stats.mu.toFixed(4)}, σ = ${stats.sigma.toFixed(4)}`);
    // Reviewer/Refiner outputs still under minTokens after the retries, per problem and role
    const short = new Map<string, { reviewer: number; refiner: number }>();
    const onShort = (role: "reviewer" | "refiner", problemId: string) => {
      const counts = short.get(problemId) ?? { reviewer: 0, refiner: 0 };
      counts[role] += 1;
      short.set(problemId, counts);
    };
    const results = await runMagicore(
      items.map(toProblem),
      contextAgents(context, s, true, onShort),
      answerParser(context),
      { ...options, stats },
      initial,
    );
    return results.map((r) => ({
      prediction: r.answer ?? undefined,
      details: {
        initialAnswer: r.initialAnswer,
        majority: r.majority,
        hard: r.trace.some((t) => t.hard),
        iterations: r.trace.map(({ refinedAnswers, ...t }) => ({
          ...t,
          ...(refinedAnswers ? { refinedAnswers } : {}),
        })),
        calls: r.calls,
        ...(short.has(r.id) ? { shortOutputs: short.get(r.id) } : {}),
        stats,
        poolAnswers: r.pool.map((p) => p.answer),
      },
    }));
  },
};
