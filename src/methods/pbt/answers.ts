import type { AnswerSlots, DialogueTree, TreeNode } from "./dialogue-tree.ts";

const isToken = (a: string | null, token: string) => a !== null && a.toLowerCase() === token;

/**
 * Replaces "Disagree" in each slot by the same agent's answer two turns up, recursively (an agent
 * that only disagreed keeps its previous answer), on a copy of the tree's answer slots.
 */
export function resolveDisagree(tree: DialogueTree): AnswerSlots[] {
  const resolved: AnswerSlots[] = tree.nodes.map((n) => [...n.answers] as AnswerSlots);
  for (const n of tree.nodes) {
    for (const slot of [0, 1] as const) {
      let up: TreeNode | undefined = n;
      let value = resolved[n.index]![slot];
      while (isToken(value, "disagree") && up) {
        const parent: TreeNode | undefined = tree.nodes[up.parent];
        up = parent ? tree.nodes[parent.parent] : undefined;
        value = up ? resolved[up.index]![slot] : null;
      }
      resolved[n.index]![slot] = isToken(value, "disagree") ? null : value;
    }
  }
  return resolved;
}

/**
 * Indel similarity of two strings (python-Levenshtein's `ratio`): 1 − (insertions + deletions)
 * / (len a + len b), so a substitution costs 2.
 */
export function levenshteinRatio(a: string, b: string): number {
  const total = a.length + b.length;
  if (total === 0) return 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 2);
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, sub));
    }
    prev = row;
  }
  return 1 - prev[b.length]! / total;
}

const clean = (s: string) =>
  s
    .toLowerCase()
    .replace(/[.,!?;:"']/g, "")
    .replace(/\s+/g, " ")
    .trim();

/**
 * An answer is correct when, lower-cased, it is one of the gold aliases or a near-duplicate of
 * one (one contains the other and their Levenshtein ratio is above 0.5).
 */
export function isCorrect(answer: string | null, gold: readonly string[]): boolean {
  if (answer === null) return false;
  const a = clean(answer);
  if (a === "" || a === "none" || a === "agree" || a === "disagree") return false;
  return gold.some((g) => {
    const c = clean(g);
    if (c === a) return true;
    return (c.includes(a) || a.includes(c)) && levenshteinRatio(a, c) > 0.5;
  });
}

/** check_acc: [slot 0 correct, slot 1 correct], an "Agree" slot taking the other's answer. */
export function slotCorrectness(answers: AnswerSlots, gold: readonly string[]): [boolean, boolean] {
  const [a, b] = answers;
  const a2 = isToken(a, "agree") ? b : a;
  const b2 = isToken(b, "agree") ? a : b;
  return [isCorrect(a2, gold), isCorrect(b2, gold)];
}
