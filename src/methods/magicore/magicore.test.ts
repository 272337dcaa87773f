import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { staticModelSource } from "../../evals/model-source.ts";
import { runEval } from "../../evals/run-eval.ts";
import { CapabilityError } from "../../model/errors.ts";
import type { GenerateRequest } from "../../model/language-model.ts";
import type { OutcomeRewardModel, ProcessRewardModel } from "../../scoring/reward-model.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import { bestOfKMethod, rmVoteMethod, selfConsistencyMethod } from "./baselines.ts";
import { answerConfidence, classifyDifficulty } from "./classify.ts";
import { readSettings } from "./eval-setup.ts";
import { type LlmAgentsOptions, llmAgents } from "./llm-agents.ts";
import { type MagicoreOptions, runMagicore } from "./magicore.ts";
import { parseAnswer } from "./parse-answer.ts";
import { refineOpener, reviewOpener, solverPrefill } from "./prompts.ts";
import { makeSolution, rewardStats } from "./solution.ts";
import { renderScoredSolution, splitSteps, stepScoreOutOfTen } from "./steps.ts";
import { topK, weightedVote } from "./vote.ts";

/** A one-step solution whose reward-model scores are written in its text. */
const sol = (answer: string, orm: number, prm: number) =>
  ` answer \\boxed{${answer}} [orm=${orm} prm=${prm}]`;

/** Fake RMs read the scores back from the text. */
const orm: OutcomeRewardModel = {
  name: "fake-orm",
  scoreOutcomes: async (inputs) => inputs.map((i) => Number(/orm=([\d.]+)/.exec(i.solution)?.[1])),
};
const prm: ProcessRewardModel = {
  name: "fake-prm",
  scoreSteps: async (inputs) =>
    inputs.map((i) => i.steps.map((s) => Number(/prm=([\d.]+)/.exec(s)?.[1]))),
};

interface Script {
  initial: string[];
  refined?: string[][];
}

function setup(scripts: Record<string, Script>) {
  const refineCount = new Map<string, number>();
  const role = (r: GenerateRequest) =>
    r.prefill === solverPrefill
      ? "solver"
      : r.prefill === reviewOpener
        ? "reviewer"
        : r.prefill === refineOpener
          ? "refiner"
          : "?";
  const model = new ScriptedModel({
    script: (request) => {
      const last = request.messages!.at(-1)!.content;
      const question = Object.keys(scripts).find((q) => last.includes(q))!;
      const r = role(request);
      if (r === "solver") return scripts[question]!.initial;
      if (r === "reviewer") return "Step 1: its low score signals an error.";
      const n = refineCount.get(question) ?? 0;
      refineCount.set(question, n + 1);
      const rounds = scripts[question]!.refined ?? [];
      const k = scripts[question]!.initial.length;
      return rounds[Math.floor(n / k)]?.[n % k] ?? sol("Z", 0.1, 0.1);
    },
  });
  const agents = llmAgents({
    models: staticModelSource([model]),
    solver: "scripted",
    reviewer: "scripted",
    refiner: "scripted",
    orm: { ready: orm },
    prm: { ready: prm },
    answerType: "math",
    // the hand-made solutions and reviews are far shorter than the Reviewer/Refiner minimum of
    // 50 new tokens, which is tested on its own below
    minTokens: 0,
  });
  const count = (r: string) => model.calls.filter((c) => role(c) === r).length;
  const run = (options: MagicoreOptions) =>
    runMagicore(
      Object.keys(scripts).map((q) => ({ id: q, question: q, answerType: "math" as const })),
      agents,
      parseAnswer,
      { stats: { mu: 1, sigma: 0.5 }, ...options },
    );
  return { model, count, run };
}

describe("MAgICoRe acceptance tests (spec §7)", () => {
  it("T1: easy by quality, no refinement, weighted vote A = 4.95 vs B = 0.3", async () => {
    const { run, count } = setup({
      q1: {
        initial: [sol("A", 0.9, 0.8), sol("A", 0.8, 0.7), sol("A", 0.85, 0.9), sol("B", 0.2, 0.1)],
      },
    });
    const [result] = await run({ k: 4 });
    assert.equal(result!.answer, "A");
    assert.equal(result!.trace.length, 1);
    const t = result!.trace[0]!;
    assert.equal(t.hard, false);
    assert.ok(Math.abs(t.meanZ! - 1.3) < 1e-9);
    assert.equal(count("reviewer") + count("refiner"), 0);
    const masses = result!.pool.reduce<Record<string, number>>((m, s) => {
      m[s.answer!] = (m[s.answer!] ?? 0) + s.reward;
      return m;
    }, {});
    assert.ok(Math.abs(masses["A"]! - 4.95) < 1e-9 && Math.abs(masses["B"]! - 0.3) < 1e-9);
  });

  it("T2: hard (z = −1, confidence 0.4): exactly 4 Reviewer + 4 Refiner calls", async () => {
    const { run, count } = setup({
      q2: { initial: ["A", "B", "C", "D"].map((a) => sol(a, 0.3, 0.2)) },
    });
    const [result] = await run({ k: 4, iterations: 1 });
    const t = result!.trace[0]!;
    assert.equal(t.majority, "A");
    assert.ok(Math.abs(t.meanZ! + 1) < 1e-9);
    assert.ok(Math.abs(t.confidenceOrm - 0.4) < 1e-3 && Math.abs(t.confidencePrm - 0.4) < 1e-3);
    assert.equal(t.hard, true);
    assert.equal(count("reviewer"), 4);
    assert.equal(count("refiner"), 4);
    assert.deepEqual(result!.calls, { solver: 1, reviewer: 4, refiner: 4 });
  });

  it("T3: low quality but confident (0.522) → easy under AND, hard under OR", async () => {
    const initial = ["A", "A", "B", "C"].map((a) => sol(a, 0.3, 0.2));
    const and = setup({ q3: { initial } });
    const [r] = await and.run({ k: 4 });
    const t = r!.trace[0]!;
    assert.equal(t.lowQuality, true);
    assert.ok(Math.abs(t.confidenceOrm - 0.522) < 1e-3 && Math.abs(t.confidencePrm - 0.522) < 1e-3);
    assert.equal(t.hard, false);
    assert.equal(and.count("reviewer"), 0);
    const or = setup({ q3: { initial } });
    const [r2] = await or.run({ k: 4, iterations: 1, hardRule: "or" });
    assert.equal(r2!.trace[0]!.hard, true);
    assert.equal(or.count("reviewer"), 4);
    // equal three-way split sits on the boundary and is not low confidence (strict <)
    assert.ok(answerConfidence([1, 1, 1]) >= 0.5);
  });

  it("T4: step scores render as int(round(p, 1) × 10)", () => {
    const text = renderScoredSolution(["Step 1: a", "Step 2: b", "Step 3: c"], [0.93, 0.34, 0.02]);
    assert.equal(
      text,
      "Step 1: a (Score: 9/10)\n\nStep 2: b (Score: 3/10)\n\nStep 3: c (Score: 0/10)",
    );
    // Python rounds exact binary ties to even: round(0.25, 1) = 0.2, round(0.75, 1) = 0.8
    assert.deepEqual(
      [0.25, 0.75, 0.35, 0.05, 0.96, 1].map(stepScoreOutOfTen),
      [2, 8, 3, 1, 10, 10],
    );
  });

  it("T5: merge/select keeps the top 4 of old ∪ refined; vote A = 2.8 vs B = 2.6", async () => {
    const mk = (answer: string, r: number) => makeSolution("", ["s"], answer, r / 2, [r / 2]);
    const pool = [mk("A", 1.6), mk("A", 1.2), mk("B", 0.4), mk("C", 0.3)];
    const refined = [mk("B", 1.5), mk("D", 0.2), mk("B", 1.1), mk("B", 0.9)];
    const top = topK([...pool, ...refined], 4);
    assert.deepEqual(
      top.map((s) => [s.answer, Number(s.reward.toFixed(6))]),
      [
        ["A", 1.6],
        ["B", 1.5],
        ["A", 1.2],
        ["B", 1.1],
      ],
    );
    assert.equal(weightedVote(top), "A");
    // the same through the loop: hard under OR (μ = 2 makes quality low), one iteration
    const { run } = setup({
      q5: {
        initial: [sol("A", 0.8, 0.8), sol("A", 0.6, 0.6), sol("B", 0.2, 0.2), sol("C", 0.15, 0.15)],
        refined: [
          [sol("B", 0.75, 0.75), sol("D", 0.1, 0.1), sol("B", 0.55, 0.55), sol("B", 0.45, 0.45)],
        ],
      },
    });
    const [result] = await run({
      k: 4,
      iterations: 1,
      hardRule: "or",
      stats: { mu: 2, sigma: 0.5 },
    });
    assert.equal(result!.answer, "A");
    assert.deepEqual(
      result!.pool.map((s) => s.answer),
      ["A", "B", "A", "B"],
    );
    assert.deepEqual(result!.trace[0]!.refinedAnswers, ["B", "D", "B", "B"]);
    // the record keeps the scores the triage and the vote used: ORM and PRM per step
    assert.deepEqual(result!.trace[0]!.pool, [
      { answer: "A", orm: 0.8, prm: [0.8] },
      { answer: "A", orm: 0.6, prm: [0.6] },
      { answer: "B", orm: 0.2, prm: [0.2] },
      { answer: "C", orm: 0.15, prm: [0.15] },
    ]);
    assert.deepEqual(
      result!.trace[0]!.refined!.map((r) => [r.answer, r.orm, r.prm]),
      [
        ["B", 0.75, [0.75]],
        ["D", 0.1, [0.1]],
        ["B", 0.55, [0.55]],
        ["B", 0.45, [0.45]],
      ],
    );
  });
});

describe("MAgICoRe loop details", () => {
  it("nextPool: 'refined' classifies the refined solutions next, 'mergedTopK' the merged pool", async () => {
    const scripts = () => ({
      q: {
        initial: ["A", "B", "C", "D"].map((a) => sol(a, 0.3, 0.2)),
        refined: [
          [sol("E", 0.35, 0.2), sol("F", 0.35, 0.2), sol("G", 0.25, 0.2), sol("H", 0.25, 0.2)],
        ],
      },
    });
    const a = setup(scripts());
    const [ra] = await a.run({ k: 4, iterations: 2 });
    // iteration 2 sees E..H only: the iteration-0 majority A is absent, so it is recomputed (E)
    assert.equal(ra!.trace.length, 2);
    assert.equal(ra!.trace[1]!.majority, "E");
    assert.equal(ra!.trace[1]!.hard, true);
    assert.equal(a.count("refiner"), 8);
    // iteration 2 triaged iteration 1's refined pool: its scores are recorded there, once
    assert.equal(ra!.trace[1]!.pool, undefined);
    assert.deepEqual(
      ra!.trace[0]!.refined!.map((r) => r.answer),
      ["E", "F", "G", "H"],
    );
    const b = setup(scripts());
    const [rb] = await b.run({ k: 4, iterations: 2, nextPool: "mergedTopK" });
    // iteration 2 sees the merged top 4 = E, F (R 0.55), A, B (R 0.5): A is still there
    assert.equal(rb!.trace[1]!.majority, "A");
    assert.deepEqual(
      rb!.trace[1]!.pool!.map((r) => r.answer),
      ["E", "F", "A", "B"],
    );
    assert.equal(b.count("refiner"), 8);
  });

  it("an empty majority set recomputes the majority (default) or follows the chosen policy", () => {
    const pool = ["E", "E", "F", "G", "H"].map((a) => makeSolution("", ["s"], a, 0.3, [0.2]));
    const stats = { mu: 1, sigma: 0.5 };
    const recompute = classifyDifficulty(pool, "A", stats);
    assert.equal(recompute.majority, "E");
    assert.equal(recompute.lowQuality, true);
    assert.equal(classifyDifficulty(pool, "A", stats, { emptyMajority: "easy" }).hard, false);
    assert.equal(
      classifyDifficulty(pool, "A", stats, { emptyMajority: "lowQuality" }).lowQuality,
      true,
    );
  });

  it("computes μ/σ from each problem's first solution and treats unparseable answers as PRM [0]", async () => {
    const { run } = setup({
      qa: { initial: [sol("A", 0.5, 0.5), " no answer [orm=0.4 prm=0.9]"] },
      qb: { initial: [sol("B", 0.9, 0.9), sol("B", 0.9, 0.9)] },
    });
    const results = await run({ k: 2, stats: undefined as never });
    const [qa] = results;
    assert.deepEqual(qa!.initialPool[1]!.prm, [0]);
    assert.equal(qa!.initialPool[1]!.answer, null);
    const stats = rewardStats([qa!.initialPool[0]!, results[1]!.initialPool[0]!]);
    assert.ok(Math.abs(stats.mu - 1.4) < 1e-9 && Math.abs(stats.sigma - 0.4) < 1e-9);
  });

  it("splits steps on any 'Step i:' header, including 10 and above", () => {
    const text = Array.from({ length: 11 }, (_, i) => `Step ${i + 1}: s${i + 1}`).join("\n");
    assert.equal(splitSteps(text).length, 11);
    assert.deepEqual(splitSteps("first\n\nsecond"), ["first", "second"]);
  });
});

describe("Reviewer/Refiner minimum of 50 new tokens (spec §3.5, vLLM min_tokens)", () => {
  const words = (n: number, tail = "") =>
    ` ${Array.from({ length: n }, (_, i) => `w${i}`).join(" ")}${tail}`;
  const short = " x = 5. \\boxed{5}"; // 4 words = 4 tokens for the scripted model
  const job = { problemId: "p", value: { question: "q?", scored: "Step 1: s", feedback: "f" } };

  function agentsOver(
    script: (r: GenerateRequest, i: number) => string | { generations: never },
    capabilities: { minTokens?: boolean } = {},
  ) {
    const model = new ScriptedModel({ script, capabilities });
    const shortOnes: [string, string, number][] = [];
    const make = (options: Partial<LlmAgentsOptions>) =>
      llmAgents({
        models: staticModelSource([model]),
        solver: "scripted",
        reviewer: "scripted",
        refiner: "scripted",
        orm: { ready: orm },
        prm: { ready: prm },
        answerType: "number",
        onShort: (role, problemId, tokens) => shortOnes.push([role, problemId, tokens]),
        ...options,
      });
    return { model, make, shortOnes };
  }

  it("native (default where the model has it): minTokens 50 in the request, one call, no redraw", async () => {
    const { model, make, shortOnes } = agentsOver(() => short, { minTokens: true });
    const agents = make({});
    const [refined] = await agents.refine([job]);
    const [review] = await agents.review([job]);
    assert.equal(
      refined,
      `Step 1:${short}`,
      "the engine keeps the minimum; the text is kept as is",
    );
    assert.equal(review, `${reviewOpener}${short}`);
    assert.deepEqual(
      model.calls.map((c) => [c.prefill, c.minTokens, c.maxTokens]),
      [
        [refineOpener, 50, 1000],
        [reviewOpener, 50, 1000],
      ],
    );
    assert.deepEqual(shortOnes, []);
    // never more than maxTokens; minTokens 0 sends none
    await make({ maxTokens: 30 }).refine([job]);
    assert.equal(model.calls.at(-1)!.minTokens, 30);
    await make({ minTokens: 0 }).refine([job]);
    assert.equal(model.calls.at(-1)!.minTokens, undefined);
    await make({ minTokensMode: "auto" }).refine([job]);
    assert.equal(model.calls.at(-1)!.minTokens, 50);
    // the solver's samples have no minimum (the code sets it for Reviewer and Refiner only)
    await make({}).solve([{ problemId: "p", value: { question: "q?", k: 2 } }]);
    assert.equal(model.calls.at(-1)!.minTokens, undefined);
  });

  it("minTokensMode: native needs the capability; resample or continue emulate even where it exists", async () => {
    const plain = agentsOver(() => short);
    await assert.rejects(plain.make({ minTokensMode: "native" }).refine([job]), CapabilityError);
    assert.equal(plain.model.calls.length, 0);
    await plain.make({ minTokensMode: "auto" }).refine([job]); // resample: 1 + 3 tries
    assert.equal(plain.model.calls.length, 4);
    assert.ok(plain.model.calls.every((c) => c.minTokens === undefined));
    const long = words(60);
    const capable = agentsOver((_r, i) => (i === 0 ? short : long), { minTokens: true });
    const [refined] = await capable.make({ minTokensMode: "resample" }).refine([job]);
    assert.equal(refined, `Step 1:${long}`);
    assert.deepEqual(
      capable.model.calls.map((c) => c.minTokens),
      [undefined, undefined],
    );
  });

  it("resample (default without the capability): a refinement shorter than 50 tokens is drawn again with a new seed", async () => {
    const long = words(60, " \\boxed{5}");
    const { model, make, shortOnes } = agentsOver((_r, i) => (i === 0 ? short : long));
    const [refined] = await make({}).refine([job]);
    assert.equal(refined, `Step 1:${long}`);
    assert.equal(model.calls.length, 2);
    assert.deepEqual(
      model.calls.map((c) => c.prefill),
      [refineOpener, refineOpener],
    );
    assert.notEqual(model.calls[0]!.seed, model.calls[1]!.seed);
    assert.deepEqual(shortOnes, []);
  });

  it("continue: the same turn goes on from the short text, with the remaining token budget", async () => {
    const more = words(55);
    const { model, make } = agentsOver((_r, i) => (i === 0 ? short : more));
    const [refined] = await make({ minTokensMode: "continue", maxTokens: 100 }).refine([job]);
    assert.equal(refined, `Step 1:${short}${more}`);
    assert.equal(model.calls.length, 2);
    assert.equal(model.calls[1]!.prefill, `${refineOpener}${short}`);
    assert.equal(model.calls[1]!.maxTokens, 96);
  });

  it("reviews follow the same rule; 50 tokens or more, or a cut at maxTokens, are kept as they are", async () => {
    const enough = words(50);
    const { model, make } = agentsOver(() => enough);
    const [review] = await make({}).review([job]);
    assert.equal(review, `${reviewOpener}${enough}`);
    assert.equal(model.calls.length, 1);
    const cut = agentsOver(() => ({
      generations: [{ text: short, finishReason: "length" }] as never,
    }));
    await cut.make({}).refine([job]);
    assert.equal(cut.model.calls.length, 1, "an output cut by maxTokens is not extended");
  });

  it("after minTokensTries extra draws the longest short output is kept and reported", async () => {
    const replies = [short, " a b", words(10), " c"];
    const { model, make, shortOnes } = agentsOver((_r, i) => replies[i]!);
    const [refined] = await make({}).refine([job]);
    assert.equal(model.calls.length, 4, "one draw + 3 tries");
    assert.equal(refined, `Step 1:${words(10)}`);
    assert.deepEqual(shortOnes, [["refiner", "p", 10]]);
    // continue stops as soon as the model adds nothing
    const stubborn = agentsOver((_r, i) => (i === 0 ? short : ""));
    const [kept] = await stubborn.make({ minTokensMode: "continue" }).refine([job]);
    assert.equal(kept, `Step 1:${short}`);
    assert.equal(stubborn.model.calls.length, 2);
    assert.deepEqual(stubborn.shortOnes, [["refiner", "p", 4]]);
    // minTokens = 0 turns the rule off
    const off = agentsOver(() => short);
    await off.make({ minTokens: 0 }).refine([job]);
    assert.equal(off.model.calls.length, 1);
  });

  it("eval settings: minTokens (default 50), minTokensMode, minTokensTries", () => {
    const d = readSettings({});
    assert.deepEqual([d.minTokens, d.minTokensMode, d.minTokensTries], [50, "auto", 3]);
    const s = readSettings({ minTokens: "0", minTokensMode: "continue", minTokensTries: "1" });
    assert.deepEqual([s.minTokens, s.minTokensMode, s.minTokensTries], [0, "continue", 1]);
    assert.throws(() => readSettings({ minTokensMode: "pad" }), /minTokensMode/);
  });
});

describe("sampling baselines with baselineK (the paper runs them with up to k = 120)", () => {
  it("uses MAgICoRe's k samples first and draws the rest with another seed", async () => {
    const model = new ScriptedModel({
      script: (request) => {
        if (request.maxTokens === 1)
          return {
            generations: [
              {
                text: "Yes",
                finishReason: "stop" as const,
                logprobs: [
                  {
                    token: "Yes",
                    logprob: -0.1,
                    top: [
                      { token: "Yes", logprob: -0.1 },
                      { token: "No", logprob: -2.5 },
                    ],
                  },
                ],
              },
            ],
          };
        // k samples per call; the answer says which call (and seed) produced it
        return Array.from({ length: request.n ?? 1 }, () => ` \\boxed{${request.n}}`);
      },
    });
    const items = [
      { id: "q", question: "1+1?", answer: "3", answerType: "number" as const, meta: {} },
    ];
    const run = (options: Record<string, string>) =>
      runEval({
        methods: [selfConsistencyMethod, bestOfKMethod, rmVoteMethod],
        items,
        dataset: { name: "t", split: "test", answerType: "number" },
        models: staticModelSource([model]),
        options: { prm: "orm-prefix", ...options },
      });
    const { records } = await run({ k: "2", baselineK: "5" });
    const sc = records.find((r) => r.method === "self-consistency")!;
    assert.deepEqual((sc.details as { answers: string[] }).answers, ["2", "2", "3", "3", "3"]);
    assert.equal(sc.prediction, "3");
    const solves = model.calls.filter((c) => c.prefill === solverPrefill);
    assert.deepEqual(
      solves.map((c) => c.n),
      [2, 3],
    );
    assert.notEqual(solves[0]!.seed, solves[1]!.seed);
    assert.equal(records.find((r) => r.method === "rm-vote")!.prediction, "3");
    const fewer = await run({ k: "4", baselineK: "1" });
    const one = fewer.records.find((r) => r.method === "self-consistency")!;
    assert.deepEqual((one.details as { answers: string[] }).answers, ["4"]);
    assert.throws(() => readSettings({ baselineK: "0" }), /baselineK/);
  });
});

describe("parseAnswer", () => {
  it("reads boxed answers and 'answer is', never a step number", () => {
    assert.equal(parseAnswer("Step 1: add\n\nStep 2: \\boxed{\\frac{3}{4}}", "number"), "0.75");
    assert.equal(parseAnswer("Step 1: so the answer is 12.", "number"), "12");
    assert.equal(parseAnswer("Step 1: once upon a time\n\nStep 2: more", "number"), null);
    assert.equal(parseAnswer("Step 1: \\boxed{\\dfrac12}", "math"), "0.5");
    assert.equal(parseAnswer("Step 3: \\boxed{C}", "choice", 4), "C");
    assert.equal(parseAnswer("Step 3: \\boxed{E}", "choice", 4), null);
    assert.equal(parseAnswer("so B) is right", "choice", 4), "B");
  });
});
