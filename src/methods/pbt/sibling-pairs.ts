import { createHash } from "node:crypto";
import type { DialogueFormat, DialoguePrompt } from "./dialogue-format.ts";
import {
  type AnswerSlots,
  type DialogueTree,
  isAgreement,
  pathTo,
  type TreeNode,
} from "./dialogue-tree.ts";
import type { AgentIndex } from "./personas.ts";
import { type ScoredNode, scoreTree } from "./subtree-score.ts";

/** accept: moved from a wrong answer to the persuader's right one; resist: held a right answer. */
export type PairCode = "accept" | "resist";

/** One balanced-training example (spec 3.4 step 7), TRL-ready through `toTrlRecord`. */
export interface PersuasionPair {
  id: string;
  questionId: string;
  question: string;
  gold: string[];
  code: PairCode;
  /** Level of the two replies (3: the responder answering a persuasion turn). */
  level: number;
  /** The responder's view, ending with the persuasion turn (role user in chat). */
  prompt: DialoguePrompt;
  chosen: string;
  rejected: string;
  prefScore: number;
  dispScore: number;
  /** (hi − lo) / hi of the two subtree scores. */
  gap: number;
}

/** 0.25: the official comment's 25% (default; admits the accept-a-right-persuader pair, leaf 2 vs 1). 0.5: the official code's strict 0.50. */
export const pairThresholds = { corrected: 0.25, official: 0.5 } as const;

export interface PairOptions {
  format: DialogueFormat;
  /** Relative subtree-score gap a pair must exceed (default 0.25). */
  threshold?: number;
  /** Re-annotated answer slots per tree id (the optional filter model's step 1). */
  answers?: ReadonlyMap<string, AnswerSlots[]>;
}

/** Why comparisons did not become pairs, for the pairs report. */
export interface PairCounts {
  trees: number;
  /** Trees whose every turn from node 2 on is an agreement (dropped, spec 3.4). */
  treesAllAgreement: number;
  comparisons: number;
  differentChildren: number;
  bothFullyCorrect: number;
  belowThreshold: number;
  noPreviousTurn: number;
  uncoded: number;
  sameText: number;
  duplicates: number;
  accept: number;
  resist: number;
}

export const emptyPairCounts = (): PairCounts => ({
  trees: 0,
  treesAllAgreement: 0,
  comparisons: 0,
  differentChildren: 0,
  bothFullyCorrect: 0,
  belowThreshold: 0,
  noPreviousTurn: 0,
  uncoded: 0,
  sameText: 0,
  duplicates: 0,
  accept: 0,
  resist: 0,
});

/**
 * resist: the persuasion turn scores as many correct slots as the preferred reply, the
 * responder's previous answer was right, the preferred reply right and the dispreferred wrong.
 * accept: the persuasion turn scores fewer than the preferred reply, the previous answer was
 * wrong, the preferred reply right and the dispreferred wrong. Slots are the responder's.
 */
export function pairCode(
  preferred: ScoredNode,
  dispreferred: ScoredNode,
  parent: ScoredNode,
  grandparent: ScoredNode,
  responder: AgentIndex,
): PairCode | undefined {
  const right = preferred.correct[responder] && !dispreferred.correct[responder];
  if (!right) return undefined;
  const before = grandparent.correct[responder];
  if (parent.own === preferred.own && before) return "resist";
  if (parent.own < preferred.own && !before) return "accept";
  return undefined;
}

/**
 * Sibling preference pairs of one tree (spec 3.4 steps 3–5 and 7): siblings with the same number
 * of children, not both fully correct, whose subtree scores differ by more than `threshold`
 * relative to the higher, coded accept or resist; others are counted and dropped. Only replies
 * with a previous turn of their own are compared (the persuasion-response levels).
 */
export function treePairs(
  tree: DialogueTree,
  options: PairOptions,
  counts: PairCounts = emptyPairCounts(),
): PersuasionPair[] {
  counts.trees++;
  if (tree.nodes.slice(2).every(isAgreement)) {
    counts.treesAllAgreement++;
    return [];
  }
  const threshold = options.threshold ?? pairThresholds.corrected;
  const scored = scoreTree(tree, options.answers?.get(tree.id));
  const pairs: PersuasionPair[] = [];
  for (const parent of tree.nodes) {
    const kids = parent.children.map((i) => tree.nodes[i]!);
    for (let i = 0; i < kids.length; i++)
      for (let j = i + 1; j < kids.length; j++) {
        counts.comparisons++;
        const pair = compare(tree, scored, kids[i]!, kids[j]!, threshold, options.format, counts);
        if (pair) pairs.push(pair);
      }
  }
  return pairs.sort((a, b) => b.gap - a.gap);
}

function compare(
  tree: DialogueTree,
  scored: readonly ScoredNode[],
  c: TreeNode,
  s: TreeNode,
  threshold: number,
  format: DialogueFormat,
  counts: PairCounts,
): PersuasionPair | undefined {
  if (c.children.length !== s.children.length) return void counts.differentChildren++;
  const [sc, ss] = [scored[c.index]!, scored[s.index]!];
  if (sc.own === 2 && ss.own === 2) return void counts.bothFullyCorrect++;
  const [hi, lo] = sc.score >= ss.score ? [c, s] : [s, c];
  const [hiScore, loScore] = [scored[hi.index]!.score, scored[lo.index]!.score];
  const gap = hiScore > 0 ? (hiScore - loScore) / hiScore : 0;
  if (!(hiScore > 0 && gap > threshold)) return void counts.belowThreshold++;
  const parent = tree.nodes[c.parent]!;
  if (parent.parent < 0) return void counts.noPreviousTurn++;
  const responder = c.agent as AgentIndex;
  const code = pairCode(
    scored[hi.index]!,
    scored[lo.index]!,
    scored[parent.index]!,
    scored[parent.parent]!,
    responder,
  );
  if (!code) return void counts.uncoded++;
  if (hi.text.trim() === lo.text.trim()) return void counts.sameText++;
  const history = pathTo(tree, parent.index).map((n) => ({
    agent: n.agent as AgentIndex,
    text: n.text,
  }));
  const prompt = format.prompt(tree.question, history, responder);
  const chosen = format.completion(hi.text);
  const rejected = format.completion(lo.text);
  const id = createHash("sha256")
    .update(JSON.stringify([tree.id, prompt, chosen, rejected, code]))
    .digest("hex")
    .slice(0, 16);
  return {
    id,
    questionId: tree.id,
    question: tree.question,
    gold: tree.gold,
    code,
    level: c.level,
    prompt,
    chosen,
    rejected,
    prefScore: hiScore,
    dispScore: loScore,
    gap,
  };
}

/** Pairs of many trees, deduplicated by content, with the counts of what was dropped and why. */
export function collectPairs(
  trees: readonly DialogueTree[],
  options: PairOptions,
): { pairs: PersuasionPair[]; counts: PairCounts } {
  const counts = emptyPairCounts();
  const seen = new Set<string>();
  const pairs: PersuasionPair[] = [];
  for (const tree of trees)
    for (const p of treePairs(tree, options, counts)) {
      if (seen.has(p.id)) {
        counts.duplicates++;
        continue;
      }
      seen.add(p.id);
      counts[p.code]++;
      pairs.push(p);
    }
  return { pairs, counts };
}
