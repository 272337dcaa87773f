import assert from "node:assert/strict";
import { test } from "node:test";
import type { GenerateRequest } from "../../model/language-model.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import { mammRefine } from "./mamm-refine.ts";
import { debateInstruction } from "./prompts.ts";

// The spec's hand-made input (§7).
const document =
  "At Tuesday's council meeting, members voted 5–2 to approve a $3 million budget for road repairs. Work will begin in March.";
const topic = "road repair budget";
const S1 = "The council approved a $3 million road-repair budget.";
const S2 = "The budget was approved unanimously.";
const S3 = "Work will begin in March.";
const text = `${S1} ${S2} ${S3}`;
const cand1 =
  "The sentence says the vote was unanimous, but the document reports a 5–2 vote.\nThe error span: unanimously\nFix: say it passed 5–2.";
const cand2 = "The amount is wrong.\nThe error span: $3 million\nFix: check the amount.";
const R1 =
  "The council approved a $3 million road-repair budget. The budget passed 5–2. Work will begin in March.";
const R2 = `${S1} The budget was approved unanimously, 5–2. ${S3}`;

type Stage = "detect" | "critique" | "critique-rerank" | "refine" | "refine-rerank";

interface Behaviour {
  detect?(agent: string, sentence: string, round: number): string;
  critique?(agent: string): string;
  critiqueRerank?(agent: string, shown: string[]): string;
  refine?(agent: string): string;
  refineRerank?(agent: string, shown: string[]): string;
}

function promptOf(request: GenerateRequest): string {
  return request.messages?.[0]?.content ?? "";
}

function stageOf(prompt: string): Stage {
  if (prompt.includes("Which response identifies")) return "critique-rerank";
  if (prompt.includes("fewest factual inconsistencies")) return "refine-rerank";
  if (prompt.includes("Revise the summary")) return "refine";
  if (prompt.includes("Find the unsupported span")) return "critique";
  return "detect";
}

function shownCandidates(prompt: string): string[] {
  return [
    ...prompt.matchAll(/Response \d+:\n([\s\S]*?)(?=\n\nResponse \d+:|\n\nWhich response)/g),
  ].map((m) => m[1]!);
}

const vote = (answer: string | number, reasoning = "because") =>
  JSON.stringify({ reasoning, answer });

/**
 * Scripted agents: same-model instances are told apart by their seed (agent i samples with seed + i),
 * exactly as two samples of one real model differ.
 */
function agent(
  name: string,
  behaviour: Behaviour,
  log: Array<{ agent: string; stage: Stage; prompt: string }>,
) {
  return new ScriptedModel({
    id: name,
    script: (request) => {
      const prompt = promptOf(request);
      const stage = stageOf(prompt);
      const who = `${name}#${request.seed ?? 0}`;
      log.push({ agent: who, stage, prompt });
      switch (stage) {
        case "detect": {
          const sentence = /Sentence:\n(.*)\n/.exec(prompt)?.[1] ?? "";
          const round = prompt.includes(debateInstruction) ? 2 : 1;
          return vote(behaviour.detect?.(who, sentence, round) ?? "yes", "It is stated.");
        }
        case "critique":
          return behaviour.critique?.(who) ?? cand1;
        case "critique-rerank":
          return vote(behaviour.critiqueRerank?.(who, shownCandidates(prompt)) ?? "1");
        case "refine":
          return behaviour.refine?.(who) ?? R1;
        case "refine-rerank":
          return vote(behaviour.refineRerank?.(who, shownCandidates(prompt)) ?? "1");
      }
    },
  });
}

const s2IsWrong = (_: string, sentence: string) => (sentence === S2 ? "no" : "yes");
const pickContaining = (needle: string) => (_: string, shown: string[]) =>
  String(shown.findIndex((c) => c.includes(needle)) + 1);
const pickNotContaining = (needle: string) => (_: string, shown: string[]) =>
  String(shown.findIndex((c) => !c.includes(needle)) + 1);

function setup(behaviour: Behaviour) {
  const log: Array<{ agent: string; stage: Stage; prompt: string }> = [];
  const gpt = agent("gpt", behaviour, log);
  const claude = agent("claude", behaviour, log);
  const config = {
    detect: { agents: [gpt, claude] },
    critique: { agents: [gpt, gpt] },
    refine: { agents: [claude, claude] },
    seed: 0,
  };
  return { log, config };
}

const input = { document, text, sentences: [S1, S2, S3], topic };

test("T1 detect consensus: 6 detect calls, no debate calls", async () => {
  const { log, config } = setup({
    detect: s2IsWrong,
    critique: (who) => (who.endsWith("#0") ? cand1 : cand2),
    critiqueRerank: pickContaining("unanimously"),
    refine: (who) => (who.endsWith("#0") ? R1 : R2),
    refineRerank: pickNotContaining("unanimously"),
  });
  const result = await mammRefine(input, config);
  assert.deepEqual(result.labels, ["yes", "no", "yes"]);
  assert.equal(result.usage["detect"]!.calls, 6);
  assert.equal(log.filter((c) => c.prompt.includes(debateInstruction)).length, 0);
  assert.ok(result.trace.detect.every((d) => d.consensus && d.rounds.length === 1));
});

test("T2 detect disagreement: round 2 only for S2, own answer listed first, then consensus", async () => {
  const { log, config } = setup({
    detect: (who, sentence, round) => {
      if (sentence !== S2) return "yes";
      if (who.startsWith("gpt")) return round === 1 ? "yes" : "no";
      return "no";
    },
  });
  const result = await mammRefine(input, config);
  assert.equal(result.labels[1], "no");
  const debateCalls = log.filter(
    (c) => c.stage === "detect" && c.prompt.includes(debateInstruction),
  );
  assert.equal(debateCalls.length, 2);
  assert.ok(debateCalls.every((c) => c.prompt.includes(`Sentence:\n${S2}\n`)));
  assert.equal(result.usage["detect"]!.calls, 8, "round 3 makes no calls");
  assert.equal(result.trace.detect[1]!.rounds.length, 2);
  const gptRound2 = debateCalls.find((c) => c.agent.startsWith("gpt"))!.prompt;
  const own = gptRound2.indexOf(
    'Agent 1\'s answer:\n{"reasoning": "It is stated.", "answer": "yes"}',
  );
  const other = gptRound2.indexOf(
    'Agent 2\'s answer:\n{"reasoning": "It is stated.", "answer": "no"}',
  );
  assert.ok(own > 0 && other > own, "A's own previous answer first, B's second");
  const claudeRound2 = debateCalls.find((c) => c.agent.startsWith("claude"))!.prompt;
  assert.ok(
    claudeRound2.includes('Agent 1\'s answer:\n{"reasoning": "It is stated.", "answer": "no"}'),
  );
});

test("T3 critique only flagged sentences; a swapped-order '2' maps to the same critique", async () => {
  const { log, config } = setup({
    detect: s2IsWrong,
    critique: (who) => (who.endsWith("#0") ? cand1 : cand2),
    critiqueRerank: pickContaining("unanimously"),
  });
  const result = await mammRefine(input, config);
  assert.equal(log.filter((c) => c.stage === "critique").length, 2);
  assert.deepEqual(result.critiques, [null, cand1, null]);
  const reranks = log.filter((c) => c.stage === "critique-rerank");
  assert.equal(reranks.length, 2, "both rerankers agree in round 1: no debate round");
  const second = reranks.find((c) => c.agent === "gpt#1")!;
  assert.deepEqual(
    shownCandidates(second.prompt),
    [cand2, cand1],
    "agent 2 sees the swapped order",
  );
  const outcome = result.trace.critique[1]!.rerank!;
  assert.equal(outcome.consensus, true);
  assert.deepEqual(
    outcome.rounds[0]!.votes.map((v) => v.label),
    ["1", "2"],
  );
});

test("T3b disagreeing rerankers see each other's choice in their own numbering", async () => {
  const { log, config } = setup({
    detect: s2IsWrong,
    critique: (who) => (who.endsWith("#0") ? cand1 : cand2),
    // Both always answer "1": that is cand1 for agent 1 and cand2 for agent 2 — a real disagreement.
    critiqueRerank: () => "1",
  });
  const result = await mammRefine({ ...input }, { ...config, maxRounds: 3 });
  const reranks = log.filter((c) => c.stage === "critique-rerank");
  assert.equal(reranks.length, 6, "3 rounds × 2 agents, no consensus");
  const round2First = reranks.find(
    (c) => c.agent === "gpt#0" && c.prompt.includes(debateInstruction),
  )!;
  // Agent 2 chose cand2, which agent 1 sees as "Response 2".
  assert.ok(
    round2First.prompt.includes('Agent 2\'s answer:\n{"reasoning": "Because", "answer": "2"}'),
  );
  assert.equal(result.critiques[1], cand1, "no consensus: the first agent's choice");
  assert.equal(result.trace.critique[1]!.rerank!.consensus, false);
});

test("T4 identical critique samples skip the rerank", async () => {
  const { config } = setup({ detect: s2IsWrong, critique: () => cand1 });
  const result = await mammRefine(input, config);
  assert.equal(result.usage["critique-rerank"], undefined);
  assert.deepEqual(result.critiques, [null, cand1, null]);
});

test("T5 refine: numbered feedback, whole summary, reranked by content", async () => {
  const { log, config } = setup({
    detect: s2IsWrong,
    critique: () => cand1,
    refine: (who) => (who.endsWith("#0") ? R2 : `Here is the revised summary: ${R1}`),
    refineRerank: pickNotContaining("unanimously"),
  });
  const result = await mammRefine(input, config);
  assert.equal(result.trace.feedback, `1. ${cand1}`);
  const refineCall = log.find((c) => c.stage === "refine")!;
  assert.ok(refineCall.prompt.includes(`Summary:\n${text}`), "REFINE sees the whole summary");
  assert.ok(refineCall.prompt.includes(`1. ${cand1}`));
  assert.equal(result.refinedText, R1, "preamble stripped, R1 chosen");
  assert.equal(result.changed, true);
  assert.equal(result.usage["refine"]!.calls, 2);
  assert.equal(result.usage["refine-rerank"]!.calls, 2);
  const critiqueCall = log.find((c) => c.stage === "critique")!;
  assert.ok(critiqueCall.prompt.includes(`Summary:\n${S2}\n`), "CRITIQUE sees only the sentence");
});

test("T6 nothing flagged: no critique or refine calls, output equals input", async () => {
  const { log, config } = setup({});
  const result = await mammRefine(input, config);
  assert.deepEqual(result.labels, ["yes", "yes", "yes"]);
  assert.equal(log.filter((c) => c.stage !== "detect").length, 0);
  assert.equal(result.refinedText, text);
  assert.equal(result.changed, false);
});

test("T7 an out-of-set answer is retried; three failures leave the sentence unlabelled", async () => {
  let calls = 0;
  const flaky = new ScriptedModel({
    id: "flaky",
    script: () =>
      calls++ === 0
        ? vote("maybe")
        : '```json\n{"reasoning": "fine\nreally", "answer": "Yes."}\n```',
  });
  const broken = new ScriptedModel({ id: "broken", script: () => "no idea" });
  const single = await mammRefine(
    { document, text: S1 },
    { detect: { agents: [flaky] }, critique: { agents: [flaky] }, refine: { agents: [flaky] } },
  );
  assert.deepEqual(single.labels, ["yes"]);
  assert.equal(single.usage["detect"]!.calls, 2);
  const failed = await mammRefine(
    { document, text: S2 },
    { detect: { agents: [broken] }, critique: { agents: [broken] }, refine: { agents: [broken] } },
  );
  assert.deepEqual(failed.labels, [null]);
  assert.equal(failed.usage["detect"]!.calls, 3);
  assert.equal(failed.usage["critique"], undefined, "null labels are never critiqued");
});

test("GENERATE framing: writers redraft after reading each other until they coincide", async () => {
  const log: string[] = [];
  let round2 = false;
  const writer = new ScriptedModel({
    id: "w",
    script: (request) => {
      const prompt = promptOf(request);
      if (stageOf(prompt) === "detect") return vote(prompt.includes(S2) ? "no" : "yes");
      if (stageOf(prompt) === "critique") {
        log.push(prompt);
        if (prompt.includes("Other agents wrote")) {
          round2 = true;
          return cand1;
        }
        return request.seed === 0 ? cand1 : cand2;
      }
      return R1;
    },
  });
  const result = await mammRefine(input, {
    detect: { agents: [writer, writer] },
    critique: { agents: [writer, writer], framing: "generate" },
    refine: { agents: [writer, writer], framing: "generate" },
    seed: 0,
  });
  assert.ok(round2);
  assert.equal(log.length, 4, "2 drafts, 2 redrafts, then they coincide");
  assert.deepEqual(result.trace.critique[1]!.rounds, [
    [cand1, cand2],
    [cand1, cand1],
  ]);
  const second = log.find(
    (p) => p.includes("Other agents wrote") && p.indexOf(cand2) < p.indexOf(cand1),
  );
  assert.ok(second, "the second writer sees its own draft first");
  assert.equal(result.refinedText, R1);
});

test("bad configuration is named", async () => {
  const m = new ScriptedModel({ id: "m", script: () => "" });
  await assert.rejects(
    mammRefine(input, {
      detect: { agents: [] },
      critique: { agents: [m] },
      refine: { agents: [m] },
    }),
    /detect stage needs at least one agent/,
  );
  await assert.rejects(
    mammRefine(input, {
      detect: { agents: [m] },
      critique: { agents: [m] },
      refine: { agents: [m] },
      maxRounds: 0,
    }),
    /maxRounds/,
  );
});
