import assert from "node:assert/strict";
import { test } from "node:test";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import { cleanExtracted, llmExtractor, transcriptExtractor } from "./answer-extractor.ts";
import { isCorrect, levenshteinRatio, resolveDisagree, slotCorrectness } from "./answers.ts";
import { confidenceProbe } from "./confidence.ts";
import { verifyPair } from "./pair-filter.ts";
import type { PersuasionPair } from "./sibling-pairs.ts";
import { sketchTree } from "./test-trees.ts";

test("extractor post-processing: Final Answer prefix, trailing dot, Agree, parenthetical, NONE", () => {
  assert.equal(cleanExtracted(" Paris."), "Paris");
  assert.equal(cleanExtracted("Final Answer: Mount Everest.\nmore"), "Mount Everest");
  assert.equal(cleanExtracted("Agree with them"), "Agree");
  assert.equal(cleanExtracted("Disagree."), "Disagree");
  assert.equal(cleanExtracted("Lincoln (the president)"), "Lincoln");
  assert.equal(cleanExtracted("  "), "NONE");
});

test("the LLM extractor forces the Final Answer prefix, greedy, 15 tokens", async () => {
  const m = new ScriptedModel({ script: [" Paris."] });
  assert.equal(await llmExtractor(m).extract("Capital?", "I think it is Paris."), "Paris");
  assert.equal(m.calls[0]!.prefill, "Final Answer:");
  assert.equal(m.calls[0]!.maxTokens, 15);
  assert.equal(m.calls[0]!.temperature, 0);
  assert.match(
    m.calls[0]!.messages![0]!.content,
    /Response: I think it is Paris\.\nFinal Answer:$/,
  );
});

test("transcript extractor reads the Atlas dialogue replies exactly", async () => {
  const x = (reply: string) => transcriptExtractor.extract("q", reply);
  assert.equal(await x("baker ."), "baker");
  assert.equal(await x("i still think it is baker ."), "baker");
  assert.equal(await x("you are right , it is cook ."), "cook");
  assert.equal(await x("you are right ."), "Agree");
  assert.equal(await x("no ."), "Disagree");
  assert.equal(await x(""), "NONE");
  assert.equal(await x("the pet of zoka ri is a very big dog"), "NONE");
});

test("Disagree takes the same agent's answer two turns up, recursively; Agree takes the other slot", () => {
  const tree = sketchTree("d", ["Paris"], {
    text: "a0",
    answers: ["Paris", null],
    children: [
      {
        text: "b1",
        answers: ["Paris", "Lyon"],
        children: [
          {
            text: "a2",
            answers: ["Disagree", "Lyon"],
            children: [{ text: "b3", answers: ["Disagree", "Disagree"] }],
          },
        ],
      },
    ],
  });
  const r = resolveDisagree(tree);
  assert.deepEqual(r[3], ["Paris", "Lyon"]);
  assert.deepEqual(r[4], ["Paris", "Lyon"], "b3's slot 0 copies a2's resolved slot, slot 1 b1's");
  assert.deepEqual(slotCorrectness(["Agree", "Paris"], ["Paris"]), [true, true]);
  assert.deepEqual(slotCorrectness(["Agree", "NONE"], ["Paris"]), [false, false]);
});

test("correctness: aliases, case, near-duplicates with Levenshtein ratio > 0.5", () => {
  assert.equal(levenshteinRatio("abc", "abc"), 1);
  assert.equal(levenshteinRatio("paris", "paris france"), 10 / 17);
  assert.ok(isCorrect("paris", ["Paris"]));
  assert.ok(isCorrect("Paris, France", ["paris france"]));
  assert.ok(isCorrect("The Beatles", ["beatles"]), "contained and ratio 14/18");
  assert.ok(!isCorrect("a", ["alabama"]), "contained but ratio 2/8");
  assert.ok(!isCorrect("Lyon", ["Paris"]));
  assert.ok(!isCorrect("NONE", ["none"]));
});

test("confidence: label-token probability, constrained generation when no alternatives", async () => {
  const withLogprobs = new ScriptedModel({
    script: () => ({
      generations: [
        {
          text: "yes",
          finishReason: "stop",
          logprobs: [
            {
              token: " yes",
              logprob: Math.log(0.6),
              top: [
                { token: " yes", logprob: Math.log(0.6) },
                { token: " no", logprob: Math.log(0.2) },
              ],
            },
          ],
        },
      ],
    }),
  });
  assert.ok(Math.abs((await confidenceProbe(withLogprobs).probe("q", "a")) - 0.75) < 1e-12);
  const noLogprobs = new ScriptedModel({ script: ['"no"'], capabilities: { logprobs: "none" } });
  assert.equal(await confidenceProbe(noLogprobs).probe("q", "a"), 0);
  assert.deepEqual(noLogprobs.calls[0]!.jsonSchema, { enum: ["yes", "no"] });
});

test("filter verification keeps accept pairs whose chosen agrees and rejected disagrees", async () => {
  const judge = new ScriptedModel({
    capabilities: { logprobs: "none", jsonSchema: false },
    script: (r) => (/You are right/.test(r.messages![0]!.content) ? "agree" : "disagree"),
  });
  const p = (code: "accept" | "resist", chosen: string, rejected: string) =>
    ({ code, chosen, rejected }) as PersuasionPair;
  assert.ok(await verifyPair(judge, p("accept", "You are right, Paris.", "No, Lyon.")));
  assert.ok(!(await verifyPair(judge, p("accept", "No, Lyon.", "You are right, Paris."))));
  assert.ok(await verifyPair(judge, p("resist", "No, Paris.", "You are right, Lyon.")));
  assert.ok(!(await verifyPair(judge, p("resist", "No, Paris.", "No, Lyon."))));
});
