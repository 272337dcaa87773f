import assert from "node:assert/strict";
import { test } from "node:test";
import { rightAnswerPushedBack, sketchTree } from "./test-trees.ts";
import { countMoves, turnMoves } from "./turn-moves.ts";

test("turn moves: B gives in to a wrong persuader, accepts a right one, holds otherwise", () => {
  // A answers paris (wrong), B answers rome (right); A persuades three ways; B's replies differ
  const tree = sketchTree("q", ["rome"], {
    text: "paris",
    answers: ["paris", null],
    children: [
      rightAnswerPushedBack,
      {
        text: "london",
        answers: ["paris", "london"],
        children: [
          {
            text: "i think it is rome .",
            answers: ["rome", "london"],
            children: [{ text: "it is rome .", answers: ["rome", "rome"] }],
          },
        ],
      },
    ],
  });
  const byText = new Map(tree.nodes.map((n, i) => [n.text, turnMoves(tree)[i]]));
  assert.equal(byText.get("question q"), null);
  assert.equal(byText.get("paris"), null, "a first answer has no earlier turn");
  assert.equal(byText.get("rome"), null, "B's blind first answer has no earlier turn");
  assert.equal(byText.get("no , it is paris ."), "held-wrong");
  assert.equal(
    byText.get("you are right ."),
    "gave-in",
    "Agree takes the persuader's wrong answer",
  );
  assert.equal(byText.get("no ."), "held-right", "Disagree keeps B's own right answer");
  assert.equal(byText.get("i think it is rome ."), "accepted", "A moved to the right answer");
  assert.equal(byText.get("it is rome ."), "accepted");
  assert.deepEqual(countMoves([tree]), {
    accepted: 2,
    "gave-in": 1,
    "held-right": 1,
    "held-wrong": 1,
  });
});
