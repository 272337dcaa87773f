import type { AnswerSlots, DialogueTree, TreeNode } from "./dialogue-tree.ts";
import type { AgentIndex, Persona } from "./personas.ts";

/** A hand-written turn for tests: its text, answers, and the turns below it. */
export interface TurnSketch {
  text: string;
  answers: AnswerSlots;
  persona?: Persona;
  children?: TurnSketch[];
}

/**
 * Gold "rome": after A's wrong "paris", B answers rome; A pushes back with paris and B either
 * gives in ("Agree") or holds ("Disagree"). Shared by the turn-move and viewer tests.
 */
export const rightAnswerPushedBack: TurnSketch = {
  text: "rome",
  answers: ["paris", "rome"],
  children: [
    {
      text: "no , it is paris .",
      answers: ["paris", "rome"],
      children: [
        { text: "you are right .", answers: ["paris", "Agree"] },
        { text: "no .", answers: ["paris", "Disagree"] },
      ],
    },
  ],
};

/** A tree from a sketch of A's first answer (levels and agents follow the depth). */
export function sketchTree(id: string, gold: string[], first: TurnSketch): DialogueTree {
  const nodes: TreeNode[] = [
    {
      index: 0,
      parent: -1,
      children: [],
      level: -1,
      agent: -1,
      persona: "standard",
      text: `question ${id}`,
      answers: [null, null],
    },
  ];
  const add = (t: TurnSketch, parent: number, level: number) => {
    const index = nodes.length;
    nodes.push({
      index,
      parent,
      children: [],
      level,
      agent: (level % 2) as AgentIndex,
      persona: t.persona ?? "standard",
      text: t.text,
      answers: t.answers,
    });
    nodes[parent]!.children.push(index);
    for (const c of t.children ?? []) add(c, index, level + 1);
  };
  add(first, 0, 0);
  return { id, question: `question ${id}`, gold, nodes };
}
