import type { AgentIndex, Persona } from "./personas.ts";

/** Extractor outputs that are not answers: resolved before scoring (answers.ts). */
export const specialAnswers = ["Agree", "Disagree", "NONE"] as const;

/**
 * What each agent's answer is after a turn: slot i = agent i's latest extracted answer (one slot
 * convention throughout; the official code writes slot 1 − speaker and reads slot speaker, which
 * yields no pairs, spec §8). `null`: that agent has not answered yet.
 */
export type AnswerSlots = [string | null, string | null];

/** One turn of a dialogue tree; node 0 is the root (the question, no speaker). */
export interface TreeNode {
  index: number;
  /** -1 for the root. */
  parent: number;
  children: number[];
  /** Turn number: 0 = agent A's first answer; the root is -1. */
  level: number;
  /** Who spoke; -1 for the root. */
  agent: AgentIndex | -1;
  persona: Persona;
  text: string;
  answers: AnswerSlots;
  /** P(the speaker accepts its answer), when the confidence probe ran. */
  confidence?: number;
}

/** One question's tree of persona-branching dialogues (spec 3.2). */
export interface DialogueTree {
  id: string;
  question: string;
  gold: string[];
  nodes: TreeNode[];
}

/** A question with its gold answer aliases. */
export interface PbtQuestion {
  id: string;
  question: string;
  gold: string[];
}

/** The turns from the first answer down to `index` (root excluded), in order. */
export function pathTo(tree: DialogueTree, index: number): TreeNode[] {
  const path: TreeNode[] = [];
  for (let n = tree.nodes[index]; n && n.parent >= 0; n = tree.nodes[n.parent]) path.unshift(n);
  return path;
}

const norm = (a: string | null): string | null => (a === null ? null : a.trim().toLowerCase());

/**
 * The agents agree after this turn: both answers equal (and not both missing or NONE), or
 * either is the extractor's "Agree". The root never agrees.
 */
export function isAgreement(node: TreeNode): boolean {
  if (node.parent < 0) return false;
  const [a, b] = node.answers.map(norm);
  if (a === "agree" || b === "agree") return true;
  if (a === null || b === null || a === "none" || b === "none") return false;
  return a === b;
}

/** Node counts per level (level 0 first): 1/2/6/12 for a full tree. */
export function levelCounts(tree: DialogueTree): number[] {
  const counts: number[] = [];
  for (const n of tree.nodes) if (n.level >= 0) counts[n.level] = (counts[n.level] ?? 0) + 1;
  return Array.from(counts, (c) => c ?? 0);
}
