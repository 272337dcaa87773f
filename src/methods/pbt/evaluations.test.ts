import assert from "node:assert/strict";
import { test } from "node:test";
import type { GenerateRequest } from "../../model/language-model.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import type { AnswerExtractor } from "./answer-extractor.ts";
import { areYouSure } from "./are-you-sure.ts";
import { chatFormat } from "./chat-format.ts";
import { summarizeAreYouSure, summarizeDebate, summarizePersuasion } from "./eval-summary.ts";
import { persuasionItem } from "./persuasion-eval.ts";
import type { PersuasionPair } from "./sibling-pairs.ts";
import { teamDebate } from "./team-debate.ts";

const extractor: AnswerExtractor = {
  extract: async (_q, reply) =>
    /It is (\w+)/.exec(reply)?.[1] ?? (/right/i.test(reply) ? "Agree" : "NONE"),
};
const settings = { format: chatFormat, extractor };
const questions = ["q1", "q2", "q3"].map((id) => ({ id, question: `${id}?`, gold: ["Paris"] }));
const turnsOf = (r: GenerateRequest) => (r.messages ?? []).length;

test('"are you sure?": a model that always flips loses every right answer; one that never flips keeps it', async () => {
  const flipper = new ScriptedModel({
    script: (r) => (turnsOf(r) === 1 ? "It is Paris." : "You are right, it is Lyon."),
  });
  const steady = new ScriptedModel({ script: () => "It is Paris, I am sure." });
  const flips = await Promise.all(questions.map((q) => areYouSure(flipper, q, settings)));
  const keeps = await Promise.all(questions.map((q) => areYouSure(steady, q, settings)));
  const f = summarizeAreYouSure(flips);
  const k = summarizeAreYouSure(keeps);
  assert.equal(f.before.mean, 1);
  assert.equal(f.after.mean, 0);
  assert.equal(f.flipRate.mean, 1);
  assert.equal(k.after.mean, 1);
  assert.equal(k.flipRate.mean, 0);
  // each outcome names its question and gold, so a run folder shows what was asked
  assert.deepEqual([flips[1]!.question, flips[1]!.gold], ["q2?", ["Paris"]]);
  // Turn 2 is the challenge, turn 3 "final answer?", both answered with the whole history.
  const last = flipper.calls.at(-1)!;
  assert.deepEqual(
    last.messages?.map((m) => m.role),
    ["user", "assistant", "user", "assistant", "user"],
  );
  assert.match(last.messages!.at(-1)!.content, /final answer/);
  assert.equal(last.temperature, 0, "greedy");
});

const pair = (id: string, code: "accept" | "resist"): PersuasionPair => ({
  id,
  questionId: id,
  question: "Capital of France?",
  gold: ["Paris"],
  code,
  level: 3,
  prompt: {
    messages: [{ role: "user", content: code === "resist" ? "It is Lyon!" : "It is Paris!" }],
  },
  chosen: "",
  rejected: "",
  prefScore: 2,
  dispScore: 1,
  gap: 0.5,
});

test("balanced persuasion eval: an always-accepting model wins ItC and loses CtI", async () => {
  const accepter = new ScriptedModel({
    script: (r) => `You are right. ${r.messages!.at(-1)!.content.replace("!", ".")}`,
  });
  const items = [
    pair("a", "accept"),
    pair("b", "accept"),
    pair("c", "resist"),
    pair("d", "resist"),
  ];
  const outcomes = await Promise.all(items.map((p) => persuasionItem(accepter, p, settings)));
  const s = summarizePersuasion(outcomes);
  assert.equal(s.itc.mean, 1);
  assert.equal(s.cti.mean, 0);
  assert.equal(s.overall.mean, 0.5);
  assert.equal(s.overall.n, 4);
  assert.deepEqual(outcomes[2]!.prompt, items[2]!.prompt, "the dialogue replied to");
  assert.equal(accepter.calls[0]!.temperature, 0.7, "sampled as in flipflop_eval");
});

test("team debate: the first speaker's answer wins with a yielding partner; the order gap is measured", async () => {
  // strong knows Paris and never yields; weak says Lyon first and yields when challenged.
  const strong = new ScriptedModel({ id: "strong", script: () => "It is Paris." });
  const weak = new ScriptedModel({
    id: "weak",
    script: (r) => (turnsOf(r) === 1 ? "It is Lyon." : "You are right, it is Paris."),
  });
  const options = { format: chatFormat, extractor };
  const ab = await Promise.all(questions.map((q) => teamDebate(q, [strong, weak], options)));
  const ba = await Promise.all(questions.map((q) => teamDebate(q, [weak, strong], options)));
  assert.deepEqual(ab[0]!.initial, ["Paris", "Lyon"]);
  assert.equal(ab[0]!.initialAccuracy, 0.5);
  assert.equal(ab[0]!.finalAccuracy, 1, "weak yields to strong");
  assert.equal(ab[0]!.turns.length, 4, "weak yields in its second turn");
  assert.equal(ba[0]!.finalAccuracy, 1);
  assert.equal(ba[0]!.turns.length, 3, "the dialogue stops once they agree");
  const s = summarizeDebate(ab, ba);
  assert.equal(s.orderGap.mean, 0);
  assert.equal(s.orderGap.n, 3);
  assert.deepEqual(s.orders[0]!.models, ["strong", "weak"]);
  // A weak model that never yields leaves the team at 0.5 whoever starts.
  const stubborn = new ScriptedModel({ id: "stubborn", script: () => "It is Lyon." });
  const c = await teamDebate(questions[0]!, [strong, stubborn], { ...options, maxTurns: 6 });
  assert.equal(c.finalAccuracy, 0.5);
  assert.equal(c.turns.length, 6, "max_turns");
});
