import type { EvalItem } from "../../evals/eval-item.ts";
import type { EvalContext, EvalMethod, MethodOutput } from "../../evals/eval-method.ts";
import type { ModelSource } from "../../evals/model-source.ts";
import { deriveSeed } from "../../math/seeded-random.ts";
import type { Framing } from "../../methods/mamm-refine/collaborate.ts";
import { mammRefine } from "../../methods/mamm-refine/mamm-refine.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import type { ArmItemResult } from "./mamm-claim.ts";
import { mammArmNames } from "./mamm-claim.ts";
import { goldCritique, scoreText } from "./mamm-gold.ts";
import { type SummaryItem, summaryText } from "./mamm-items.ts";
import { atlasMammPrompts } from "./mamm-prompts.ts";

/** One arm of the measurement: who detects, and how critique and refine collaborate. */
export interface ArmSpec {
  name: string;
  description: string;
  /** Pool names of the detectors (repeat one for several samples of it). */
  detectors: readonly string[];
  framing: Framing;
  /** Every detector samples with the same seed: perfectly correlated errors (the null world). */
  identicalDetectors?: boolean;
}

const N = mammArmNames;
export const armSpecs: readonly ArmSpec[] = [
  { name: N.one, description: "one detector (det-1m)", detectors: ["det-1m"], framing: "rerank" },
  {
    name: N.multiAgent,
    description: "two samples of det-1m",
    detectors: ["det-1m", "det-1m"],
    framing: "rerank",
  },
  {
    name: N.multiModel,
    description: "det-1m and det-mini (the recipe)",
    detectors: ["det-1m", "det-mini"],
    framing: "rerank",
  },
  {
    name: N.generate,
    description: "the recipe, critique and refine in the GENERATE framing",
    detectors: ["det-1m", "det-mini"],
    framing: "generate",
  },
  {
    name: N.nullWorld,
    description: "two det-1m with one seed (identical detectors)",
    detectors: ["det-1m", "det-1m"],
    framing: "rerank",
    identicalDetectors: true,
  },
];

/** The method settings of every arm (pre-registered in docs/mamm-refine.md). */
export const mammSettings = {
  temperature: 1,
  maxRounds: 3,
  finalAgentIndex: 0,
  maxTokens: 48,
  rerankCandidates: 2,
  concurrency: 1,
} as const;

/** A model whose every call samples with one seed, whatever the method asks for. */
function pinnedSeed(model: LanguageModel, seed: number): LanguageModel {
  return {
    id: model.id,
    provider: model.provider,
    capabilities: model.capabilities,
    generate: (request) => model.generate({ ...request, seed }),
  };
}

/** Borrows every named model at once (the pool keeps them all loaded: they are tiny). */
async function useModels<T>(
  source: ModelSource,
  names: readonly string[],
  fn: (models: Map<string, LanguageModel>) => Promise<T>,
  held = new Map<string, LanguageModel>(),
): Promise<T> {
  const next = names.find((n) => !held.has(n));
  if (next === undefined) return fn(held);
  return source.use(next, (m) => useModels(source, names, fn, new Map(held).set(next, m)));
}

/** The summaries as eval items (the document as the question; no gold answer string). */
export function summaryEvalItems(items: readonly SummaryItem[]): EvalItem[] {
  return items.map((s) => ({
    id: s.id,
    question: s.document,
    answer: "",
    answerType: "none",
    meta: { summary: s },
  }));
}

/** The real `mammRefine` in one arm's configuration, scored exactly against the world. */
export function armMethod(spec: ArmSpec): EvalMethod {
  return {
    name: spec.name,
    description: spec.description,
    answerTypes: ["none"],
    async runItem(item: EvalItem, context: EvalContext): Promise<MethodOutput> {
      const s = item.meta["summary"] as SummaryItem;
      const seed = deriveSeed(context.seed, item.id);
      const names = [...new Set([...spec.detectors, "critic", "selector", "editor"])];
      return useModels(context.models, names, async (models) => {
        const m = (name: string) => models.get(name)!;
        const detectors = spec.detectors.map((d) =>
          spec.identicalDetectors ? pinnedSeed(m(d), seed) : m(d),
        );
        const result = await mammRefine(
          { document: s.document, text: summaryText(s), sentences: s.sentences.map((x) => x.text) },
          {
            detect: { agents: detectors },
            critique: {
              agents: [m("critic"), m("critic")],
              rerankers: [m("selector"), m("selector")],
              framing: spec.framing,
            },
            refine: {
              agents: [m("editor"), m("editor")],
              rerankers: [m("selector"), m("selector")],
              framing: spec.framing,
            },
            prompts: atlasMammPrompts,
            seed,
            ...mammSettings,
            ...(context.signal ? { signal: context.signal } : {}),
          },
        );
        const flagged = result.labels.map((l) => l === "no");
        const second =
          spec.detectors.length > 1
            ? result.trace.detect.map((d) => d.rounds[0]?.votes[1]?.key === "no")
            : null;
        const exact = s.sentences.map(
          (x, i) => !x.faithful && flagged[i] && result.critiques[i] === goldCritique(x),
        );
        const after = scoreText(s, result.refinedText);
        const arm: ArmItemResult = {
          gold: s.sentences.map((x) => !x.faithful),
          flagged,
          secondFirstRound: second,
          critiqued: s.sentences.filter((x, i) => !x.faithful && flagged[i]).length,
          critiqueExact: exact.filter(Boolean).length,
          faithfulness: after.faithfulness,
          faithfulnessBefore: scoreText(s, summaryText(s)).faithfulness,
          preserved: after.preserved,
        };
        return {
          prediction: result.refinedText,
          response: result.refinedText,
          score: after.faithfulness,
          details: {
            arm,
            // every detector's first answer and evidence per sentence, to read how detection failed
            firstVotes: result.trace.detect.map((d) => d.rounds[0]?.votes ?? []),
            labels: result.labels,
            critiques: result.critiques,
            changed: result.changed,
            usage: result.usage,
          },
        };
      });
    },
  };
}
