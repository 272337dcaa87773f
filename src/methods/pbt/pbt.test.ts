import assert from "node:assert/strict";
import { test } from "node:test";
import type { GenerateRequest } from "../../model/language-model.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import type { AnswerExtractor } from "./answer-extractor.ts";
import { balancePairs, type PairVariant, variantPairs } from "./balance.ts";
import { chatFormat } from "./chat-format.ts";
import { levelCounts } from "./dialogue-tree.ts";
import { growTree } from "./grow-tree.ts";
import { collectPairs, type PersuasionPair } from "./sibling-pairs.ts";
import { scoreTree } from "./subtree-score.ts";
import { sketchTree, type TurnSketch } from "./test-trees.ts";

/** "It is X." → X: the stub agents' replies carry their answer. */
const stubExtractor: AnswerExtractor = {
  extract: async (_q, reply) => /It is (\w+)/.exec(reply)?.[1] ?? "NONE",
};

const firstUser = (r: GenerateRequest) => r.messages?.[0]?.content ?? "";
const allText = (r: GenerateRequest) => (r.messages ?? []).map((m) => m.content).join("\n");

test("tree builder: 1/2/6/12 nodes without agreement, B's first answer is blind", async () => {
  const a = new ScriptedModel({ script: () => "It is Lyon. I am sure." });
  const b = new ScriptedModel({ script: () => "It is Paris. I know it." });
  const tree = await growTree(
    { id: "q1", question: "Capital of France?", gold: ["Paris"] },
    [a, b],
    {
      format: chatFormat,
      extractor: stubExtractor,
      startPersona: "resistant",
    },
  );
  assert.deepEqual(levelCounts(tree), [1, 2, 6, 12]);
  assert.equal(tree.nodes.length - 1, 21);
  assert.equal(b.calls.length, 2 + 12);
  const blind = b.calls.filter((c) => c.messages?.length === 1);
  assert.equal(blind.length, 2, "B's two first answers see only their own prompt");
  for (const call of blind) assert.ok(!allText(call).includes("Lyon"), "and not A's answer");
  const later = b.calls.filter((c) => c.messages?.length !== 1);
  assert.ok(
    later.every((c) => allText(c).includes("Lyon")),
    "B's later turns see A's persuasion",
  );
  // Siblings share their history and differ in persona only.
  const [b1, b2] = tree.nodes[1]!.children.map((i) => tree.nodes[i]!);
  assert.deepEqual([b1!.persona, b2!.persona], ["resistant", "acceptant"]);
  assert.deepEqual(
    tree.nodes[b1!.children[0]!]!.children.map((i) => tree.nodes[i]!.persona),
    ["resistant", "acceptant"],
  );
  assert.deepEqual(b1!.answers, ["Lyon", "Paris"], "slot = agent");
});

test("tree builder: a branch stops growing after an agreement node", async () => {
  const a = new ScriptedModel({ script: () => "It is Lyon." });
  const b = new ScriptedModel({
    script: (r) => (firstUser(r).includes("always right") ? "It is Lyon." : "It is Paris."),
  });
  const tree = await growTree({ id: "q2", question: "Capital?", gold: ["Paris"] }, [a, b], {
    format: chatFormat,
    extractor: stubExtractor,
    startPersona: "logical",
  });
  // The acceptant B1 agrees with A0 and has no children; the resistant one grows on.
  assert.deepEqual(levelCounts(tree), [1, 2, 3, 6]);
  assert.ok(tree.nodes.length - 1 <= 21);
  const agreeing = tree.nodes.find((n) => n.level === 1 && n.persona === "acceptant")!;
  assert.deepEqual(agreeing.children, []);
});

const R = "Paris";
const W = "Lyon";

test("subtree scores: leaves count correct slots, internal nodes add their children", () => {
  const tree = sketchTree("s", [R], {
    text: "a0",
    answers: [W, null],
    children: [
      {
        text: "b1",
        answers: [W, R],
        children: [
          { text: "a2", answers: [R, R] },
          { text: "a2'", answers: [W, R] },
        ],
      },
    ],
  });
  const s = scoreTree(tree);
  assert.equal(s[3]!.score, 2, "leaf [right, right]");
  assert.equal(s[4]!.score, 1, "leaf [wrong, right]");
  assert.equal(s[2]!.score, 1 + 2 + 1, "internal = own + children");
  assert.equal(s[1]!.score, 0 + 4);
});

/** "A0 wrong -> B1 right -> A2 persuades wrong -> B3 resist (keeps right) vs B3 accept (takes wrong)". */
function resistTree(): ReturnType<typeof sketchTree> {
  const persuasion = (style: string): TurnSketch => ({
    text: `It is ${W}, trust my ${style}.`,
    answers: [W, R],
    children: [
      { text: `It is ${R}, I keep my answer.`, answers: [W, R], persona: "resistant" },
      { text: `It is ${W}, you convinced me.`, answers: [W, W], persona: "acceptant" },
    ],
  });
  return sketchTree("t3", [R], {
    text: `It is ${W}.`,
    answers: [W, null],
    children: [
      {
        text: `It is ${R}.`,
        answers: [W, R],
        children: [persuasion("logic"), persuasion("feelings"), persuasion("credentials")],
      },
      { text: `It is ${W}.`, answers: [W, W], persona: "acceptant" },
    ],
  });
}

test("pairs: one resist pair per A2 node, chosen = resisting reply, prompt ends with the persuasion as user", () => {
  for (const threshold of [0.25, 0.5]) {
    const { pairs, counts } = collectPairs([resistTree()], { format: chatFormat, threshold });
    assert.equal(pairs.length, 3, `threshold ${threshold}`);
    assert.equal(counts.resist, 3);
    assert.equal(counts.accept, 0);
    assert.ok(counts.differentChildren >= 1, "B1 (3 children) vs agreeing B1 (leaf) skipped");
    const parents = new Set<string>();
    for (const p of pairs) {
      assert.equal(p.code, "resist");
      assert.equal(p.chosen, `It is ${R}, I keep my answer.`);
      assert.equal(p.rejected, `It is ${W}, you convinced me.`);
      assert.equal(p.level, 3);
      const messages = "messages" in p.prompt ? p.prompt.messages : [];
      const last = messages[messages.length - 1]!;
      assert.equal(last.role, "user");
      assert.match(last.content, /trust my/);
      parents.add(last.content);
      assert.deepEqual(
        messages.map((m) => m.role),
        ["user", "assistant", "user"],
        "the responder's view alternates strictly",
      );
      assert.ok(!messages[0]!.content.includes("always"), "the pair prompt has no persona");
    }
    assert.equal(parents.size, 3, "one pair per A2 node");
  }
});

test("pairs: accepting a right persuader is a pair at threshold 0.25 and none at 0.50", () => {
  const tree = sketchTree("t4", [R], {
    text: `It is ${R}.`,
    answers: [R, null],
    children: [
      {
        text: `It is ${W}.`,
        answers: [R, W],
        children: [
          {
            text: `It is ${R}, as any geographer knows.`,
            answers: [R, W],
            children: [
              { text: `You are right, it is ${R}.`, answers: [R, R], persona: "acceptant" },
              { text: `It is ${W}, I insist.`, answers: [R, W], persona: "resistant" },
            ],
          },
        ],
      },
    ],
  });
  const loose = collectPairs([tree], { format: chatFormat, threshold: 0.25 });
  assert.equal(loose.pairs.length, 1);
  assert.equal(loose.pairs[0]!.code, "accept");
  assert.equal(loose.pairs[0]!.chosen, `You are right, it is ${R}.`);
  assert.equal(loose.pairs[0]!.gap, 0.5);
  const strict = collectPairs([tree], { format: chatFormat, threshold: 0.5 });
  assert.equal(strict.pairs.length, 0);
  assert.equal(strict.counts.belowThreshold, 1);
  // The default is the corrected 25%.
  assert.equal(collectPairs([tree], { format: chatFormat }).pairs.length, 1);
});

const fakePairs = (code: "accept" | "resist", n: number): PersuasionPair[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${code}${i}`,
    questionId: `q${i}`,
    question: "q",
    gold: [R],
    code,
    level: 3,
    prompt: { prompt: "p" },
    chosen: "c",
    rejected: "r",
    prefScore: 2,
    dispScore: 1,
    gap: 0.5,
  }));

test("balancing: 7 accept + 3 resist gives 3 + 3; baselines are size-matched when they can be", () => {
  const pairs = [...fakePairs("accept", 7), ...fakePairs("resist", 3)];
  const pbt = balancePairs(pairs);
  assert.equal(pbt.length, 6);
  assert.equal(pbt.filter((p) => p.code === "accept").length, 3);
  assert.equal(pbt.filter((p) => p.code === "resist").length, 3);
  const acceptOnly = variantPairs(pairs, "accept-only");
  assert.equal(acceptOnly.pairs.length, 6);
  assert.ok(acceptOnly.limited);
  assert.ok(acceptOnly.pairs.every((p) => p.code === "accept"));
  const resistOnly = variantPairs(pairs, "resist-only");
  assert.equal(resistOnly.pairs.length, 3, "only 3 resist pairs exist");
  assert.equal(resistOnly.limited, false);
  const more = [
    ...fakePairs("accept", 7),
    ...fakePairs("resist", 3),
    ...fakePairs("resist", 17).map((p) => ({ ...p, id: `x${p.id}` })),
  ];
  assert.equal(variantPairs(more, "resist-only").pairs.length, 14);
});

test("size match smallest: every variant gets the smaller side's count, PBT half from each side", () => {
  // The testbed's shape: 330 accept and 292 resist pairs.
  const pairs = [...fakePairs("accept", 330), ...fakePairs("resist", 292)];
  const count = (v: PairVariant, code: string) =>
    variantPairs(pairs, v, 12, "smallest").pairs.filter((p) => p.code === code).length;
  assert.deepEqual([count("pbt", "accept"), count("pbt", "resist")], [146, 146]);
  assert.equal(count("accept-only", "accept"), 292);
  assert.equal(count("resist-only", "resist"), 292);
  assert.equal(variantPairs(pairs, "resist-only", 12, "smallest").limited, true);
  // The spec's default leaves PBT twice the pairs of either baseline here.
  assert.equal(variantPairs(pairs, "pbt").pairs.length, 584);
  assert.equal(variantPairs(pairs, "resist-only").pairs.length, 292);
  // 7 + 3: the smaller side caps everyone at 3, rounded down to even: PBT 1 + 1, baselines 2.
  const small = [...fakePairs("accept", 7), ...fakePairs("resist", 3)];
  assert.equal(variantPairs(small, "pbt", 12, "smallest").pairs.length, 2);
  assert.equal(variantPairs(small, "accept-only", 12, "smallest").pairs.length, 2);
  // PBT under the default rule is the balanced set itself.
  assert.deepEqual(variantPairs(pairs, "pbt").pairs, balancePairs(pairs));
});
