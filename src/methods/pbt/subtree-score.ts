import { resolveDisagree, slotCorrectness } from "./answers.ts";
import type { AnswerSlots, DialogueTree } from "./dialogue-tree.ts";

/** Per node: which slots are correct and the subtree score (spec 3.4 steps 2–3). */
export interface ScoredNode {
  correct: [boolean, boolean];
  /** Correct slots of this node (0–2). */
  own: number;
  /** own + the children's subtree scores (a leaf: own). */
  score: number;
}

/**
 * Scores a tree bottom-up after resolving "Disagree" slots; `answers` overrides the resolved
 * slots (the optional filter's re-annotation). The root scores 0 of its own.
 */
export function scoreTree(tree: DialogueTree, answers?: AnswerSlots[]): ScoredNode[] {
  const slots = answers ?? resolveDisagree(tree);
  const scored: ScoredNode[] = tree.nodes.map((n) => {
    const correct =
      n.parent < 0
        ? ([false, false] as [boolean, boolean])
        : slotCorrectness(slots[n.index]!, tree.gold);
    const own = Number(correct[0]) + Number(correct[1]);
    return { correct, own, score: own };
  });
  // Children always come after their parent in `nodes`, so a reverse pass is bottom-up.
  for (let i = tree.nodes.length - 1; i > 0; i--) {
    const n = tree.nodes[i]!;
    scored[n.parent]!.score += scored[i]!.score;
  }
  return scored;
}
