import type { LanguageModel } from "../../model/language-model.ts";
import { mapLimit } from "../../scoring/map-limit.ts";
import { agentAnswerSchema } from "./agent-answer.ts";
import { type AgentCallSettings, askAgent } from "./ask-agent.ts";
import type { CallLedger } from "./call-ledger.ts";
import type { MammPromptSet, ShownAnswer } from "./prompt-set.ts";

/**
 * One item agents vote on. Votes are compared by content key, never by label: in reranking each
 * agent may see the candidates in a different order, so "1" from one agent and "2" from another can
 * be the same candidate (the reference's refine debate gets this wrong).
 */
export interface DebateQuestion {
  /** The base prompt as agent `agent` sees it. */
  prompt(agent: number): string;
  /** Labels agent `agent` may answer with ("yes"/"no", "1"/"2"...). */
  labels(agent: number): readonly string[];
  /** Content a label stands for in agent `agent`'s frame. */
  keyOf(label: string, agent: number): string;
  /** The label under which agent `agent` sees content `key`. */
  labelOf(key: string, agent: number): string;
  /** Rewrites one agent's reasoning into another's frame (e.g. renumbered "Response n"). */
  translateReasoning?(reasoning: string, from: number, to: number): string;
}

/** An agent's latest answer; `key` null when its reply never parsed. */
export interface DebateVote {
  key: string | null;
  label: string | null;
  reasoning: string;
}

/** What happened in one round of one item: who was called and the answers after the round. */
export interface DebateRound {
  round: number;
  called: number[];
  votes: DebateVote[];
}

/** The outcome of debating one item. */
export interface DebateOutcome {
  /** Content key of the final answer (null when no agent ever gave a valid one). */
  key: string | null;
  consensus: boolean;
  rounds: DebateRound[];
}

/** Debate settings. */
export interface DebateOptions extends AgentCallSettings {
  /** Rounds in all, the independent first round included (default 10). */
  maxRounds: number;
  /** Whose answer is final without consensus (default 0, the first agent). */
  finalAgentIndex: number;
  /** "agent": the final agent's answer (the reference); "majority": most common key, ties to the final agent. */
  finalRule: "agent" | "majority";
  /** Calls per answer before giving up on a reply that does not parse (default 3). */
  parseAttempts: number;
  /** Ask engines that can to constrain replies to the answer JSON schema (JSON prompt sets only). */
  constrainJson: boolean;
  /** What the agents are told and how their votes are read. */
  prompts: MammPromptSet;
  /** Longest reasoning the schema allows (default 400 characters, ~50 words). */
  maxReasoningChars?: number;
  concurrency: number;
  stage: string;
  ledger: CallLedger;
  signal?: AbortSignal;
}

/**
 * Discrete multi-agent debate (MAMM-Refine §3.0): every agent answers alone, then, per item and
 * until all latest answers agree or `maxRounds` is reached, every agent answers again after seeing
 * all agents' previous answers (its own first). Rounds are synchronous, and an item that reached
 * consensus costs no further call.
 */
export async function debate(
  agents: readonly LanguageModel[],
  questions: readonly DebateQuestion[],
  options: DebateOptions,
): Promise<DebateOutcome[]> {
  const latest: DebateVote[][] = questions.map(() => agents.map(() => emptyVote()));
  const trace: DebateRound[][] = questions.map(() => []);
  const open = new Set(questions.map((_, i) => i));
  for (let round = 1; round <= options.maxRounds && open.size > 0; round++) {
    const jobs: Array<{ item: number; agent: number }> = [];
    for (const item of open) for (let a = 0; a < agents.length; a++) jobs.push({ item, agent: a });
    const previous = latest.map((votes) => votes.slice());
    const answers = await mapLimit(jobs, options.concurrency, async ({ item, agent }) => {
      const question = questions[item]!;
      const base = question.prompt(agent);
      const prompt =
        round === 1
          ? base
          : options.prompts.debateRound(base, shownAnswers(question, previous[item]!, agent));
      return ask(agents[agent]!, prompt, question, agent, options);
    });
    jobs.forEach(({ item, agent }, j) => {
      latest[item]![agent] = answers[j]!;
    });
    for (const item of open) {
      trace[item]!.push({
        round,
        called: jobs.filter((j) => j.item === item).map((j) => j.agent),
        votes: latest[item]!.slice(),
      });
    }
    for (const item of [...open]) if (agreed(latest[item]!)) open.delete(item);
    // A single agent has nobody to debate with.
    if (agents.length < 2) break;
  }
  return questions.map((_, item) => {
    const votes = latest[item]!;
    return { key: finalKey(votes, options), consensus: agreed(votes), rounds: trace[item]! };
  });
}

function emptyVote(): DebateVote {
  return { key: null, label: null, reasoning: "" };
}

function agreed(votes: readonly DebateVote[]): boolean {
  const first = votes[0]?.key;
  return first !== null && first !== undefined && votes.every((v) => v.key === first);
}

function finalKey(votes: readonly DebateVote[], options: DebateOptions): string | null {
  const own = votes[options.finalAgentIndex]?.key ?? null;
  if (options.finalRule === "agent") return own;
  const counts = new Map<string, number>();
  for (const v of votes) if (v.key !== null) counts.set(v.key, (counts.get(v.key) ?? 0) + 1);
  let best = own;
  let bestCount = own === null ? 0 : (counts.get(own) ?? 0);
  for (const [key, count] of counts) {
    if (count > bestCount) {
      best = key;
      bestCount = count;
    }
  }
  return best;
}

/** The previous answers, the viewer's own first, each label and reasoning in the viewer's frame. */
function shownAnswers(
  question: DebateQuestion,
  votes: readonly DebateVote[],
  viewer: number,
): ShownAnswer[] {
  const order = [viewer, ...votes.map((_, i) => i).filter((i) => i !== viewer)];
  return order
    .map((from) => ({ from, vote: votes[from]! }))
    .filter(({ vote }) => vote.key !== null)
    .map(({ from, vote }) => ({
      label: question.labelOf(vote.key!, viewer),
      reasoning: question.translateReasoning?.(vote.reasoning, from, viewer) ?? vote.reasoning,
    }));
}

async function ask(
  model: LanguageModel,
  prompt: string,
  question: DebateQuestion,
  agent: number,
  options: DebateOptions,
): Promise<DebateVote> {
  const labels = question.labels(agent);
  const extra = {
    ...(options.constrainJson && options.prompts.jsonAnswers
      ? { jsonSchema: agentAnswerSchema(labels, options.maxReasoningChars) }
      : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  for (let attempt = 0; attempt < options.parseAttempts; attempt++) {
    // A retry with the same seed would repeat the same unparsable reply.
    const seed = options.seed === undefined ? {} : { seed: options.seed + attempt * 7919 };
    const text = await askAgent(model, prompt, { ...options, ...seed, agentIndex: agent }, extra);
    const parsed = options.prompts.parseAnswer(text, labels);
    if (parsed) {
      return {
        key: question.keyOf(parsed.answer, agent),
        label: parsed.answer,
        reasoning: parsed.reasoning,
      };
    }
  }
  return emptyVote();
}
