import type { LanguageModel } from "../../model/language-model.ts";
import type { AtlasWorld } from "../atlas/atlas-world.ts";
import { knowledgeItems, readingItems } from "../atlas/knowledge-items.ts";
import { answerPhrase } from "../demo/context-items.ts";
import { greedyCompletion } from "./greedy-probe.ts";

/** Accuracy of one exposure bucket of the knowledge curve. */
export interface KnowledgeBucket {
  /** Exposures in [min, max]. */
  min: number;
  max: number;
  n: number;
  accuracy: number;
}

/** What a built Atlas model knows (closed book) and how well it reads (context given). */
export interface AtlasChecks {
  knowledgeCurve: KnowledgeBucket[];
  knowledgeAccuracy: number;
  /** Held-out-template questions about a context: known people (context = world) and unseen ones. */
  reading: { agreeing: number; contextOnly: number; n: number };
}

/** Bucket edges of the knowledge curve (exposures per fact in the corpus). */
export const exposureBuckets: Array<[number, number]> = [
  [0, 4],
  [5, 19],
  [20, 49],
  [50, 99],
  [100, 199],
  [200, Number.POSITIVE_INFINITY],
];

/** Atlas values are one or two words; the answer's " ." ends it well within six tokens. */
const maxAnswerTokens = 6;

async function greedyAnswer(model: LanguageModel, prompt: string): Promise<string> {
  return answerPhrase(await greedyCompletion(model, prompt, maxAnswerTokens));
}

/**
 * The checks every Atlas build records before any method uses the model: greedy closed-book
 * accuracy by exposure bucket (every known fact, held-out question template) and reading accuracy
 * (`readingN` held-out-template questions about a context, eval seed `evalSeed`).
 */
export async function atlasChecks(
  model: LanguageModel,
  world: AtlasWorld,
  options: { readingN?: number; evalSeed?: number; knowledgeLimit?: number } = {},
): Promise<AtlasChecks> {
  let probes = knowledgeItems(world);
  if (options.knowledgeLimit !== undefined) {
    // An even spread over popularity, so every bucket keeps members.
    const step = Math.max(1, Math.floor(probes.length / options.knowledgeLimit));
    probes = probes.filter((_, i) => i % step === 0);
  }
  const correct: boolean[] = [];
  for (const p of probes) correct.push((await greedyAnswer(model, p.prompt)) === p.gold);
  const knowledgeCurve = exposureBuckets.map(([min, max]) => {
    const inBucket = probes.flatMap((p, i) =>
      p.exposures >= min && p.exposures <= max ? [correct[i]!] : [],
    );
    return {
      min,
      max,
      n: inBucket.length,
      accuracy: inBucket.length ? inBucket.filter(Boolean).length / inBucket.length : Number.NaN,
    };
  });
  const reading = readingItems(world, options.evalSeed ?? 1, options.readingN ?? 300);
  const readOk = { agreeing: [0, 0], contextOnly: [0, 0] };
  for (const item of reading) {
    const ok = (await greedyAnswer(model, item.contextPrompt)) === item.gold;
    const slot = item.set === "context-only" ? readOk.contextOnly : readOk.agreeing;
    slot[0]! += ok ? 1 : 0;
    slot[1]! += 1;
  }
  const rate = ([k, n]: number[]) => (n ? k! / n! : Number.NaN);
  return {
    knowledgeCurve,
    knowledgeAccuracy: correct.filter(Boolean).length / Math.max(1, correct.length),
    reading: {
      agreeing: rate(readOk.agreeing),
      contextOnly: rate(readOk.contextOnly),
      n: reading.length,
    },
  };
}
