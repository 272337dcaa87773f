import { ConfigError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { splitSentences } from "../../scoring/faithfulness/split-sentences.ts";
import { CallLedger } from "./call-ledger.ts";
import { type CollaborationResult, collaborate, type Framing } from "./collaborate.ts";
import { type DebateOptions, type DebateOutcome, debate } from "./debate.ts";
import { englishJsonPrompts, type MammPromptSet } from "./prompt-set.ts";
import { stripPreamble } from "./strip-preamble.ts";

/** The text to refine and what grounds it. */
export interface MammRefineInput {
  /** The grounding source (article, transcript, retrieved passages). */
  document: string;
  /** The text to check and refine. */
  text: string;
  /** Pre-split sentences of `text`; split with `splitSentences` when omitted. */
  sentences?: readonly string[];
  /** Topic of a topic-focused summary (TofuEval); used inside the prompts. */
  topic?: string;
  /** The original generation instruction, shown to the refine reranker (default: summarize). */
  task?: string;
}

/** One stage's agents and framing. */
export interface StageSetup {
  /** One model per agent; repeat a model for several agents of one model (sampling differs). */
  agents: readonly LanguageModel[];
  /** RERANK (the recipe) or GENERATE (the ablation); DETECT is always a vote. */
  framing?: Framing;
  /** Judges for the RERANK framing (default: `agents`). */
  rerankers?: readonly LanguageModel[];
}

/** MAMM-Refine configuration; defaults follow the reference recipe. */
export interface MammRefineConfig {
  /** Default in the recipe: two different model families (GPT-4o + Claude). */
  detect: StageSetup;
  /** Default in the recipe: two samples of one model. */
  critique: StageSetup;
  /** Default in the recipe: two samples of one model. */
  refine: StageSetup;
  /** Debate rounds in all, first round included (default 10). */
  maxRounds?: number;
  /** Whose answer is final without consensus (default 0). */
  finalAgentIndex?: number;
  /** "agent" (default, the reference) or "majority" (for more than two agents). */
  finalRule?: "agent" | "majority";
  /** Default 1000. */
  maxTokens?: number;
  /**
   * Default 1: the reference passes no temperature, so its providers sample at 1.0; several
   * engines here default to 0, which would collapse the agents' drafts into one (pitfall 8).
   */
  temperature?: number;
  seed?: number;
  /** Calls per answer before a reply that does not parse counts as no answer (default 3). */
  parseAttempts?: number;
  /** Constrain votes to the answer JSON schema on engines that can (default true). */
  constrainJson?: boolean;
  /** Longest reasoning a constrained vote may hold (default 400 characters, ~50 words). */
  maxReasoningChars?: number;
  /** Candidates shown to a reranker (default 2, as in the reference). */
  rerankCandidates?: number;
  /** Rotate candidate order per reranker (default true); choices are still compared by content. */
  rotateCandidates?: boolean;
  /**
   * What agents are told and how votes are read (default `englishJsonPrompts`: English
   * instructions, JSON votes, chat requests). Base models get a set in their own words.
   */
  prompts?: MammPromptSet;
  /** Model calls in flight at once (default 4). */
  concurrency?: number;
  signal?: AbortSignal;
}

/** Per-sentence verdict: yes = faithful, no = unfaithful, null = no valid answer. */
export type Label = "yes" | "no" | null;

/** The refined text with everything that led to it. */
export interface MammRefineResult {
  refinedText: string;
  /** Whether REFINE changed anything (false when nothing was flagged). */
  changed: boolean;
  sentences: string[];
  labels: Label[];
  critiques: (string | null)[];
  trace: {
    detect: DebateOutcome[];
    critique: (CollaborationResult | null)[];
    refine: CollaborationResult | null;
    feedback: string;
  };
  /** Calls and tokens per stage ("detect", "critique", "critique-rerank", ...). */
  usage: Record<string, { calls: number; inputTokens: number; outputTokens: number }>;
}

/**
 * MAMM-Refine (Wan et al., NAACL 2025): DETECT unfaithful sentences by a multi-model debate,
 * CRITIQUE each flagged sentence (drafts, then a reranking debate), REFINE the whole text from
 * the chosen critiques (drafts, then a reranking debate). The stages run once, in order; nothing is
 * re-detected after refinement.
 * @example
 * const result = await mammRefine({ document, text: summary }, {
 *   detect: { agents: [gpt, claude] }, critique: { agents: [gpt, gpt] }, refine: { agents: [claude, claude] },
 * });
 */
export async function mammRefine(
  input: MammRefineInput,
  config: MammRefineConfig,
): Promise<MammRefineResult> {
  validate(config);
  const ledger = new CallLedger();
  const prompts = config.prompts ?? englishJsonPrompts;
  const base: Omit<DebateOptions, "stage"> = {
    maxRounds: config.maxRounds ?? 10,
    finalAgentIndex: config.finalAgentIndex ?? 0,
    finalRule: config.finalRule ?? "agent",
    parseAttempts: config.parseAttempts ?? 3,
    constrainJson: config.constrainJson ?? true,
    ...(config.maxReasoningChars !== undefined
      ? { maxReasoningChars: config.maxReasoningChars }
      : {}),
    concurrency: config.concurrency ?? 4,
    maxTokens: config.maxTokens ?? 1000,
    ledger,
    prompts,
    request: prompts.request,
    ...(prompts.stop ? { stop: prompts.stop } : {}),
    temperature: config.temperature ?? 1,
    ...(config.seed !== undefined ? { seed: config.seed } : {}),
    ...(config.signal ? { signal: config.signal } : {}),
  };
  const sentences = [...(input.sentences ?? splitSentences(input.text))];
  const { document, topic } = input;

  const detect = await debate(
    config.detect.agents,
    sentences.map((sentence) => ({
      prompt: () => prompts.detect(document, sentence),
      labels: () => ["yes", "no"],
      keyOf: (label) => label,
      labelOf: (key) => key,
    })),
    { ...base, stage: "detect" },
  );
  const labels = detect.map((d): Label => (d.key === "yes" || d.key === "no" ? d.key : null));

  const stage = (name: string, setup: StageSetup) => ({
    writers: setup.agents,
    rerankers: setup.rerankers ?? setup.agents,
    framing: setup.framing ?? "rerank",
    rerankCandidates: config.rerankCandidates ?? 2,
    rotateCandidates: config.rotateCandidates ?? true,
    options: { ...base, stage: name },
    rerankStage: `${name}-rerank`,
  });
  const critiqueSetup = stage("critique", config.critique);
  const critiqueTrace = await Promise.all(
    sentences.map((sentence, i) =>
      labels[i] !== "no"
        ? null
        : collaborate(
            {
              prompt: prompts.critique(document, sentence, topic),
              rerankPrompt: (shown) => prompts.critiqueRerank(document, sentence, topic, shown),
              what: "critique",
            },
            critiqueSetup,
          ),
    ),
  );
  const critiques = critiqueTrace.map((c) => c?.text ?? null);

  const chosen = critiques.filter((c): c is string => c !== null);
  const feedback = prompts.feedback(chosen);
  let refine: CollaborationResult | null = null;
  let refinedText = input.text;
  if (chosen.length > 0) {
    const task = input.task ?? prompts.task(topic);
    refine = await collaborate(
      {
        prompt: prompts.refine(document, input.text, feedback, topic),
        rerankPrompt: (shown) => prompts.refineRerank(document, task, shown),
        what: "revision",
        clean: stripPreamble,
      },
      stage("refine", config.refine),
    );
    // Every refine call failing leaves the original text (as the reference does on API failure).
    refinedText = refine.text ?? input.text;
  }
  return {
    refinedText,
    changed: refinedText !== input.text,
    sentences,
    labels,
    critiques,
    trace: { detect, critique: critiqueTrace, refine, feedback },
    usage: ledger.toJSON(),
  };
}

function validate(config: MammRefineConfig): void {
  for (const name of ["detect", "critique", "refine"] as const) {
    if (config[name].agents.length === 0 || config[name].rerankers?.length === 0)
      throw new ConfigError(
        `the ${name} stage needs at least one agent (a model)`,
        `${name}.agents`,
      );
  }
  const rounds = config.maxRounds ?? 10;
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new ConfigError(`maxRounds must be a positive integer, got ${rounds}`, "maxRounds");
  const final = config.finalAgentIndex ?? 0;
  const fewest = Math.min(
    ...(["detect", "critique", "refine"] as const).flatMap((name) => [
      config[name].agents.length,
      (config[name].rerankers ?? config[name].agents).length,
    ]),
  );
  if (!Number.isInteger(final) || final < 0 || final >= fewest)
    throw new ConfigError(
      `finalAgentIndex must name an agent (0..${fewest - 1}), got ${final}`,
      "finalAgentIndex",
    );
  const shown = config.rerankCandidates ?? 2;
  if (!Number.isInteger(shown) || shown < 2)
    throw new ConfigError(
      `rerankCandidates must be an integer ≥ 2, got ${shown}`,
      "rerankCandidates",
    );
}
