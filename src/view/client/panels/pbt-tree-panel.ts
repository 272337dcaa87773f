// The tree's scoring and moves are the method's own pure functions (no Node APIs), so the page
// marks turns exactly as `chorus pbt pairs` scores them.
import type { DialogueTree, TreeNode } from "../../../methods/pbt/dialogue-tree.ts";
import { type ScoredNode, scoreTree } from "../../../methods/pbt/subtree-score.ts";
import { type TurnMove, turnMoves } from "../../../methods/pbt/turn-moves.ts";
import { el } from "../dom.ts";

const isTree = (d: unknown): d is DialogueTree => {
  const t = d as Partial<DialogueTree> | null;
  return (
    Array.isArray(t?.nodes) &&
    Array.isArray(t.gold) &&
    t.nodes.every((n) => Array.isArray(n?.answers) && Array.isArray(n.children))
  );
};

/** A turn's role by its level: A answers, B answers blind, then A persuades and B replies. */
function role(n: TreeNode): string {
  const who = n.agent === 0 ? "A" : "B";
  if (n.level === 0) return `${who} answers`;
  if (n.level === 1) return `${who} answers (blind)`;
  return n.level % 2 === 0 ? `${who} persuades` : `${who} replies`;
}

const moveText: Record<TurnMove, string> = {
  accepted: "accepted: wrong → right",
  "gave-in": "gave in: right → wrong",
  "held-right": "held a right answer",
  "held-wrong": "held a wrong answer",
};

function turn(
  tree: DialogueTree,
  n: TreeNode,
  scored: readonly ScoredNode[],
  moves: ReadonlyArray<TurnMove | null>,
): HTMLLIElement {
  const s = scored[n.index]!;
  const move = moves[n.index] ?? null;
  const slot = (i: 0 | 1) =>
    n.answers[i] === null
      ? el("span", { class: "slot" }, `${i === 0 ? "A" : "B"}: –`)
      : el(
          "span",
          {
            class: `slot ${s.correct[i] ? "good" : "bad"}`,
            title: s.correct[i] ? "right" : "wrong",
          },
          `${i === 0 ? "A" : "B"}: ${n.answers[i]} ${s.correct[i] ? "✓" : "✗"}`,
        );
  return el(
    "li",
    {
      class: "turn",
      "data-testid": "tree-node",
      "data-move": move ?? "",
      "data-level": n.level,
    },
    el("span", { class: "who" }, role(n)),
    el("span", { class: "small" }, `(${n.persona}) `),
    el("q", {}, n.text),
    el(
      "div",
      { class: "small" },
      "answers after this turn:",
      slot(0),
      slot(1),
      ` · subtree score ${s.score}`,
    ),
    move && move !== "held-wrong"
      ? el("span", { class: `move ${move}` }, moveText[move])
      : move
        ? el("span", { class: "move" }, moveText[move])
        : null,
    n.children.length
      ? el("ol", {}, ...n.children.map((c) => turn(tree, tree.nodes[c]!, scored, moves)))
      : null,
  );
}

/**
 * One PBT dialogue tree (`chorus pbt trees`, a PBT demo's trees): every turn with who spoke
 * (A persuades, B replies), its text, both agents' answers marked against gold, the subtree
 * score pairs are built from, and the flip: a speaker accepting or giving in.
 */
export function pbtTreePanel(details: unknown): HTMLElement | null {
  if (!isTree(details)) return null;
  const scored = scoreTree(details);
  const moves = turnMoves(details, scored);
  const count = (m: TurnMove) => moves.filter((x) => x === m).length;
  const root = details.nodes[0]!;
  return el(
    "section",
    { class: "panel", "aria-label": "dialogue tree" },
    el("h2", {}, "Dialogue tree"),
    el(
      "p",
      { class: "facts" },
      `${details.nodes.length - 1} turns · gold ${details.gold.join(" / ")} · ${count("accepted")} accepted · ${count("gave-in")} gave in`,
    ),
    el("p", {}, el("strong", {}, "Q: "), details.question),
    el(
      "ol",
      { class: "tree" },
      ...root.children.map((c) => turn(details, details.nodes[c]!, scored, moves)),
    ),
  );
}
