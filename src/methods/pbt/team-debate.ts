import type { LanguageModel } from "../../model/language-model.ts";
import { isCorrect, resolveDisagree } from "./answers.ts";
import type { PbtQuestion } from "./dialogue-tree.ts";
import { type GrowOptions, growTree } from "./grow-tree.ts";

/** One two-agent discussion of a question (one speaking order). */
export interface TeamDebateOutcome {
  id: string;
  /** What was asked, so a run folder's reader can show it (absent in runs made before). */
  question?: string;
  gold?: string[];
  /** Model names in speaking order. */
  order: [string, string];
  initial: [string | null, string | null];
  final: [string | null, string | null];
  /** Mean of the two agents' correctness before and after discussing. */
  initialAccuracy: number;
  finalAccuracy: number;
  turns: string[];
}

/**
 * Team debate (spec 3.7.4): both models answer with the plain prompt (the second blind), then
 * alternate, greedy, up to `maxTurns` turns or until they agree; the team's accuracy is the mean
 * of both agents' final correctness, its baseline their first answers.
 */
export async function teamDebate(
  q: PbtQuestion,
  agents: readonly [LanguageModel, LanguageModel],
  options: Pick<GrowOptions, "format" | "extractor" | "maxTurns" | "maxTokens" | "seed" | "signal">,
): Promise<TeamDebateOutcome> {
  const tree = await growTree(q, agents, {
    ...options,
    personas: [["standard"], ["standard"]],
    startPersona: "standard",
    temperature: 0,
  });
  const slots = resolveDisagree(tree);
  const chain = tree.nodes.slice(1);
  const initial: [string | null, string | null] = [slots[1]?.[0] ?? null, slots[2]?.[1] ?? null];
  const last = slots[tree.nodes.length - 1]!;
  // An agent whose last word was "Agree" holds the other's answer.
  const final = last.map((a, i) => (a !== null && /^agree$/i.test(a) ? last[1 - i]! : a)) as [
    string | null,
    string | null,
  ];
  const acc = (pair: readonly (string | null)[]) =>
    (Number(isCorrect(pair[0]!, q.gold)) + Number(isCorrect(pair[1]!, q.gold))) / 2;
  return {
    id: q.id,
    question: q.question,
    gold: q.gold,
    order: [agents[0].id, agents[1].id],
    initial,
    final,
    initialAccuracy: acc(initial),
    finalAccuracy: acc(final),
    turns: chain.map((n) => n.text),
  };
}
