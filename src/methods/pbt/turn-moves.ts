import type { DialogueTree } from "./dialogue-tree.ts";
import { type ScoredNode, scoreTree } from "./subtree-score.ts";

/**
 * What a turn did to its speaker's answer, against the speaker's own previous turn (two levels
 * up): "accepted" (wrong → right: persuaded towards the truth), "gave-in" (right → wrong: the
 * flip PBT trains against), or held a right or wrong answer.
 */
export type TurnMove = "accepted" | "gave-in" | "held-right" | "held-wrong";

/**
 * Each node's move (null for the root and for first turns, which have no earlier turn of the
 * same speaker), read from the scored slots (Disagree/Agree resolved, aliases matched). Pure, so
 * the viewer's page can run it on a tree it loaded.
 */
export function turnMoves(
  tree: DialogueTree,
  scored: readonly ScoredNode[] = scoreTree(tree),
): Array<TurnMove | null> {
  return tree.nodes.map((n) => {
    if (n.agent === -1) return null;
    const parent = tree.nodes[n.parent];
    const previous = parent ? tree.nodes[parent.parent] : undefined;
    if (!previous || previous.agent !== n.agent) return null;
    const slot = n.agent;
    const before = scored[previous.index]!.correct[slot];
    const now = scored[n.index]!.correct[slot];
    return before === now ? (now ? "held-right" : "held-wrong") : now ? "accepted" : "gave-in";
  });
}

/** How many turns of a set of trees accepted, gave in, or held their answer. */
export function countMoves(trees: readonly DialogueTree[]): Record<TurnMove, number> {
  const counts: Record<TurnMove, number> = {
    accepted: 0,
    "gave-in": 0,
    "held-right": 0,
    "held-wrong": 0,
  };
  for (const tree of trees) for (const move of turnMoves(tree)) if (move) counts[move]++;
  return counts;
}
