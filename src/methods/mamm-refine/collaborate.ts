import type { LanguageModel } from "../../model/language-model.ts";
import { mapLimit } from "../../scoring/map-limit.ts";
import { askAgent } from "./ask-agent.ts";
import { type DebateOptions, type DebateOutcome, type DebateQuestion, debate } from "./debate.ts";

/** How several agents turn one task into one text (a critique or a revision). */
export type Framing = "rerank" | "generate";

/** One collaborative writing task. */
export interface CollaborationTask {
  /** The generation prompt every writer gets. */
  prompt: string;
  /** The rerank prompt for the candidates in the order one agent sees them. */
  rerankPrompt(shown: readonly string[]): string;
  /** "critique" or "revision": how outputs are named in GENERATE-framing prompts. */
  what: string;
  /** Cleans a raw reply (e.g. drops a preamble); "" marks a failed generation. */
  clean?(text: string): string;
}

/** Everyone involved and how they collaborate. */
export interface CollaborationSetup {
  writers: readonly LanguageModel[];
  /** Judges of the RERANK framing (default: the writers). */
  rerankers: readonly LanguageModel[];
  framing: Framing;
  /** Candidates shown to a reranker (the reference shows the first 2 unique ones). */
  rerankCandidates: number;
  /** Show each reranker the candidates rotated by its index (position-bias control). */
  rotateCandidates: boolean;
  /** Writers book their calls under `options.stage`, the rerank debate under this name. */
  rerankStage: string;
  options: DebateOptions;
}

/** What collaboration produced, with its trace. */
export interface CollaborationResult {
  /** The chosen text; null when no writer produced one. */
  text: string | null;
  /** Unique candidates in first-seen order (RERANK), or the final round's outputs (GENERATE). */
  candidates: string[];
  rerank?: DebateOutcome;
  /** GENERATE framing: every round's outputs per agent. */
  rounds?: string[][];
}

/**
 * RERANK framing (the recipe): each writer drafts once, exact duplicates are merged, one unique
 * draft wins without a call, else the rerankers debate which draft is best — by content, so
 * rotated orders cannot fake a disagreement; a debate without a valid answer falls back to the
 * first draft. GENERATE framing (the paper's ablation): each writer redrafts after reading all
 * drafts (its own first) until the drafts coincide or rounds run out; the final agent's draft wins.
 */
export async function collaborate(
  task: CollaborationTask,
  setup: CollaborationSetup,
): Promise<CollaborationResult> {
  const { options } = setup;
  const write = (agent: number, prompt: string) =>
    askAgent(
      setup.writers[agent]!,
      prompt,
      { ...options, agentIndex: agent },
      signalOf(options),
    ).then((text) => (task.clean ? task.clean(text) : text.trim()));
  const drafts = await mapLimit(setup.writers, options.concurrency, (_, agent) =>
    write(agent, task.prompt),
  );
  if (setup.framing === "generate") return regenerate(task, setup, drafts, write);
  const unique = [...new Set(drafts.filter((d) => d !== ""))];
  if (unique.length <= 1) return { text: unique[0] ?? null, candidates: unique };
  const shown = unique.slice(0, Math.max(2, setup.rerankCandidates));
  const [outcome] = await debate(
    setup.rerankers,
    [rerankQuestion(shown, task, setup.rotateCandidates)],
    { ...options, stage: setup.rerankStage },
  );
  return { text: outcome!.key ?? shown[0]!, candidates: unique, rerank: outcome! };
}

async function regenerate(
  task: CollaborationTask,
  setup: CollaborationSetup,
  first: string[],
  write: (agent: number, prompt: string) => Promise<string>,
): Promise<CollaborationResult> {
  const { options } = setup;
  const rounds = [first];
  let current = first;
  for (let round = 2; round <= options.maxRounds; round++) {
    if (new Set(current).size <= 1) break;
    const previous = current;
    current = await mapLimit(setup.writers, options.concurrency, (_, agent) => {
      const order = [agent, ...previous.map((_, i) => i).filter((i) => i !== agent)];
      const outputs = order.map((i) => previous[i]!).filter((o) => o !== "");
      return write(agent, options.prompts.update(task.prompt, task.what, outputs));
    });
    rounds.push(current);
  }
  const chosen = current[options.finalAgentIndex] || current.find((c) => c !== "") || null;
  return { text: chosen, candidates: current, rounds };
}

/** A rerank question whose keys are the candidate texts themselves. */
export function rerankQuestion(
  candidates: readonly string[],
  task: Pick<CollaborationTask, "rerankPrompt">,
  rotate: boolean,
): DebateQuestion {
  const n = candidates.length;
  const orderFor = (agent: number) =>
    candidates.map((_, i) => candidates[(i + (rotate ? agent : 0)) % n]!);
  const labels = candidates.map((_, i) => String(i + 1));
  return {
    prompt: (agent) => task.rerankPrompt(orderFor(agent)),
    labels: () => labels,
    keyOf: (label, agent) => orderFor(agent)[Number(label) - 1]!,
    labelOf: (key, agent) => String(orderFor(agent).indexOf(key) + 1),
    translateReasoning: (reasoning, from, to) =>
      reasoning.replace(/\b(Response|response)\s+(\d+)/g, (whole, word: string, digits: string) => {
        const key = orderFor(from)[Number(digits) - 1];
        return key === undefined ? whole : `${word} ${orderFor(to).indexOf(key) + 1}`;
      }),
  };
}

function signalOf(options: DebateOptions): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}
