import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EvalItem } from "../../evals/eval-item.ts";
import type { ModelSource } from "../../evals/model-source.ts";
import { SeededRandom } from "../../math/seeded-random.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import { buildAggregationBenchmark } from "./aggregator-selection.ts";
import { buildBatchPlan, runBatchPlan } from "./batch-plan.ts";
import { lexicalEmbedder, mapKeywords } from "./keyword-matcher.ts";
import { filterKeywords, parseKeywords } from "./keywords.ts";
import { buildProfiles, globalCompetence } from "./profiles.ts";
import { pruneRareExperts, recruitExperts } from "./recruit.ts";
import { maxTokensFor, readMoeSettings } from "./settings.ts";
import { buildMoeProfile, runSymbolicMoe } from "./symbolic-moe.ts";

/** A ModelSource that counts loads: `use` of a model not currently held counts as one load. */
function spySource(models: LanguageModel[]) {
  const loads: Record<string, number> = {};
  const source: ModelSource = {
    names: models.map((m) => m.id),
    nameFor: (role) => (role === "annotator" ? "Ann" : models[0]!.id),
    async use(name, fn) {
      loads[name] = (loads[name] ?? 0) + 1;
      const model = [...models, annotator].find((m) => m.id === name);
      if (!model) throw new Error(`no ${name}`);
      return fn(model);
    },
  };
  return { source, loads };
}
const annotator = new ScriptedModel({
  id: "Ann",
  script: (request) => {
    const q = request.messages![0]!.content;
    const kw = q.includes("alg") ? "algebra" : q.includes("bio") ? "biology" : "cooking";
    return Array.from({ length: request.n ?? 1 }, () => `Keywords: ${kw}, thing${Math.random()}`);
  },
});

describe("Symbolic-MoE acceptance tests (spec §7)", () => {
  const keywords = [["algebra"], ["algebra"], ["algebra"], ["biology"], ["biology"], ["biology"]];
  const base = {
    Alg: [true, true, true, false, false, false],
    Bio: [false, false, false, true, true, true],
    Gen: [true, false, true, false, true, false],
  };

  it("1: profiles and global competence (uniform at G = 0; shift-and-square otherwise)", () => {
    const profiles = buildProfiles(base, keywords);
    assert.deepEqual(profiles["Alg"], { algebra: 3, biology: -3 });
    assert.deepEqual(profiles["Bio"], { algebra: -3, biology: 3 });
    const p = globalCompetence(profiles);
    for (const m of ["Alg", "Bio", "Gen"]) assert.ok(Math.abs(p[m]! - 1 / 3) < 1e-12);
    // Alg right on one extra algebra question: G = (2, -2, -1)... by hand:
    const extra = buildProfiles(
      { Alg: [...base.Alg, true], Bio: [...base.Bio, false], Gen: [...base.Gen, false] },
      [...keywords, ["algebra"]],
    );
    // G = Alg 1, Bio −1, Gen −1 → min −1 → shifted 3, 1, 1 → squared 9, 1, 1 → /11
    const q = globalCompetence(extra);
    assert.ok(Math.abs(q["Alg"]! - 9 / 11) < 1e-12 && Math.abs(q["Bio"]! - 1 / 11) < 1e-12);
  });

  it("2: recruitment frequency follows w = S · p over models with S > 0 (with replacement)", () => {
    const profiles = buildProfiles(
      { ...base, Gen: [true, true, false, false, true, false] },
      keywords,
    );
    // S(algebra): Alg 3, Bio −3, Gen 1 → candidates Alg, Gen
    const p = { Alg: 0.5, Bio: 0.2, Gen: 0.3 };
    const rng = new SeededRandom(42);
    const counts: Record<string, number> = {};
    let sawRepeat = false;
    for (let i = 0; i < 1000; i++) {
      const r = recruitExperts(["algebra"], profiles, p, 3, rng);
      assert.equal(r.path, "local");
      if (new Set(r.experts).size < 3) sawRepeat = true;
      for (const e of r.experts) counts[e] = (counts[e] ?? 0) + 1;
    }
    const wAlg = 3 * 0.5;
    const wGen = 1 * 0.3;
    assert.equal(counts["Bio"], undefined);
    assert.ok(Math.abs(counts["Alg"]! / 3000 - wAlg / (wAlg + wGen)) < 0.03);
    assert.ok(sawRepeat, "the same expert can fill several slots");
  });

  it("3: all S ≤ 0 → shifted weights (S − min + 1) · p over all ranked models", () => {
    const profiles = { A: { x: -1 }, B: { x: -3 }, C: { x: 0 } };
    const p = { A: 1 / 3, B: 1 / 3, C: 1 / 3 };
    const rng = new SeededRandom(1);
    const counts: Record<string, number> = { A: 0, B: 0, C: 0 };
    for (let i = 0; i < 3000; i++) {
      const r = recruitExperts(["x"], profiles, p, 1, rng);
      assert.equal(r.path, "shifted");
      counts[r.experts[0]!]!++;
    }
    // S' = A 3, B 1, C 4 → 3/8, 1/8, 4/8
    assert.ok(Math.abs(counts["A"]! / 3000 - 3 / 8) < 0.03);
    assert.ok(Math.abs(counts["B"]! / 3000 - 1 / 8) < 0.03);
    assert.ok(Math.abs(counts["C"]! / 3000 - 4 / 8) < 0.03);
  });

  it("4: no keywords → uniform random recruitment", () => {
    const profiles = { A: { x: 5 }, B: { x: -5 } };
    const rng = new SeededRandom(3);
    let a = 0;
    for (let i = 0; i < 2000; i++) {
      const r = recruitExperts([], profiles, { A: 0.9, B: 0.1 }, 1, rng);
      assert.equal(r.path, "uniform");
      if (r.experts[0] === "A") a++;
    }
    assert.ok(Math.abs(a / 2000 - 0.5) < 0.04);
  });

  it("5: batching loads each distinct model once, fills every slot, duplicates get distinct samples", async () => {
    const models = ["M1", "M2", "M3"].map(
      (id) =>
        new ScriptedModel({
          id,
          script: (request) => `${id} seed ${request.seed} for ${request.messages![0]!.content}`,
        }),
    );
    const { source, loads } = spySource(models);
    const rng = new SeededRandom(9);
    const recruitments = Array.from({ length: 10 }, () =>
      Array.from({ length: 3 }, () => `M${1 + rng.int(3)}`),
    );
    recruitments[0] = ["M1", "M1", "M1"];
    const plan = buildBatchPlan(recruitments);
    const responses = await runBatchPlan(plan, recruitments, source, async (model, slot) => {
      const r = await model.generate({
        messages: [{ role: "user", content: `q${slot.instance}` }],
        seed: slot.instance * 10 + slot.slot,
      });
      return r.generations[0]!.text;
    });
    assert.deepEqual(loads, Object.fromEntries([...plan.keys()].map((m) => [m, 1])));
    for (const [i, row] of responses.entries())
      for (const [j, text] of row.entries())
        assert.ok(text.startsWith(recruitments[i]![j]!) && text.endsWith(`q${i}`));
    assert.equal(new Set(responses[0]).size, 3, "three samples from the same expert differ");
  });

  it("6: the aggregation benchmark picks the model that finds the correct response", async () => {
    const items: EvalItem[] = [0, 1, 2, 3, 4].map((i) => ({
      id: `v${i}`,
      question: `alg question ${i}?\n\nThe options are:\n(A) a\n(B) b\n(C) c`,
      answer: i % 2 === 0 ? "A" : "B",
      answerType: "choice",
      choices: ["a", "b", "c"],
      meta: {},
    }));
    const gold = new Map(items.map((i) => [`question ${i.id.slice(1)}?`, i.answer]));
    const goldOf = (text: string) => [...gold].find(([q]) => text.includes(q))![1];
    // as experts: W1 always right, W2 and W3 always answer C (so 1 correct, 2 wrong responses)
    const expert = (id: string, right: boolean) =>
      new ScriptedModel({
        id,
        script: (request) => {
          const text = request.messages![0]!.content;
          if (text.includes("### Model")) {
            // aggregating (benchmark or inference): X copies the majority letter, Y reads gold
            if (id === "X") {
              const letters = [...text.matchAll(/The answer is \(([A-J])\)/g)].map((m) => m[1]);
              const counts = new Map<string, number>();
              for (const l of letters) counts.set(l!, (counts.get(l!) ?? 0) + 1);
              const top = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "C";
              return `The answer is (${top})`;
            }
            return `The answer is (${goldOf(text)})`;
          }
          return `The answer is (${right ? goldOf(text) : "C"})`;
        },
      });
    const models = [expert("X", false), expert("Y", false), expert("W", true)];
    const { source } = spySource(models);
    const profile = await buildMoeProfile(
      items,
      { models: source, seed: 0 },
      readMoeSettings({ k: 2 }),
      {
        dataset: "toy",
        split: "validation",
      },
    );
    assert.equal(profile.aggregator, "Y");
    assert.equal(profile.aggregatorAccuracy["Y"], 1);
    assert.equal(profile.aggregatorAccuracy["X"], 0);
    assert.deepEqual(profile.validationAccuracy, { X: 0, Y: 0, W: 1 });
    assert.deepEqual(profile.vocabulary, ["algebra"]);
    assert.ok(profile.competence["W"]! > profile.competence["X"]!);

    // inference with the profile: "alg" questions route to W (the only positive profile)
    const test: EvalItem[] = [
      { ...items[0]!, id: "t0", question: items[0]!.question.replace("question 0", "question 2") },
    ];
    const [result] = await runSymbolicMoe(
      test,
      profile,
      { models: source, seed: 5 },
      readMoeSettings({ k: 3 }),
    );
    assert.deepEqual(result!.recruitment.experts, ["W", "W", "W"]);
    assert.deepEqual(result!.expertAnswers, ["A", "A", "A"]);
    assert.equal(result!.prediction, "A");
  });

  it("7: keyword parsing and the frequency filter", () => {
    const samples = [
      "Keywords: Algebra, number theory., a very very long keyword here",
      "Sure. Keywords: algebra, Number Theory, geometry",
      "Keywords: calculus, geometry., a very very long keyword here",
      "algebra, trigonometry",
      "Keywords: probability, probability",
    ].map(parseKeywords);
    assert.deepEqual(samples[0], ["algebra", "number theory", "a very very long keyword here"]);
    assert.deepEqual(filterKeywords(samples), [
      "algebra",
      "number theory",
      "geometry",
      "probability",
    ]);
  });
});

describe("Symbolic-MoE helpers", () => {
  it("maps test keywords onto the validation vocabulary (duplicates kept)", async () => {
    const mapped = await mapKeywords(
      [
        ["organic chem", "algebra"],
        ["linear algebra", "algebras"],
      ],
      ["organic chemistry", "algebra", "virology"],
      lexicalEmbedder,
    );
    assert.deepEqual(mapped, [
      ["organic chemistry", "algebra"],
      ["algebra", "algebra"],
    ]);
    assert.deepEqual(await mapKeywords([["x"]], [], lexicalEmbedder), [[]]);
  });

  it("aggregation benchmark: 1 correct + 2 wrong, or empty strings when missing", () => {
    const bench = buildAggregationBenchmark(
      [
        { question: "q1", gold: "A", answerType: "choice" },
        { question: "q2", gold: "B", answerType: "choice" },
      ],
      {
        m1: [
          { response: "r1A", prediction: "A" },
          { response: "r1B", prediction: "B" },
        ],
        m2: [
          { response: "r2C", prediction: "C" },
          { response: "r2B", prediction: "B" },
        ],
        m3: [
          { response: "r3D", prediction: "D" },
          { response: "r3A", prediction: "A" },
        ],
      },
      new SeededRandom(0),
    );
    assert.deepEqual([...bench[0]!.responses].sort(), ["r1A", "r2C", "r3D"]);
    assert.deepEqual([...bench[1]!.responses].sort(), ["", "", "r1B"]);
  });

  it("token limit: 32768 for R1 distills, 4096 otherwise, unless set", () => {
    assert.equal(maxTokensFor(readMoeSettings({}), "DeepSeek-R1-Distill-Qwen-7B.gguf"), 32768);
    assert.equal(maxTokensFor(readMoeSettings({}), "qwen2.5-7b.gguf"), 4096);
    assert.equal(maxTokensFor(readMoeSettings({ maxTokens: "64" }), "x-R1.gguf"), 64);
  });

  it("prunes experts recruited less than the threshold", () => {
    const recruitments = [...Array.from({ length: 19 }, () => ["A"]), ["Z"]];
    const pruned = pruneRareExperts(recruitments, 0.1, new SeededRandom(0));
    assert.deepEqual(pruned.at(-1), ["A"]);
  });
});

describe("model embedder", () => {
  it("mean-pools the last layer's hidden states and maps by cosine", async () => {
    const { modelEmbedder } = await import("./keyword-matcher.ts");
    // a fake white-box model: hidden state = letter histogram of the text (2 tokens per text)
    const hist = (text: string) => {
      const v = new Float32Array(26);
      for (const c of text.toLowerCase()) if (c >= "a" && c <= "z") v[c.charCodeAt(0) - 97]! += 1;
      return v;
    };
    const layersSeen: number[] = [];
    const model = new ScriptedModel({ script: [], capabilities: { internals: true } });
    Object.assign(model, {
      internals: {
        nLayers: 4,
        nEmbd: 26,
        async captureHidden(text: string, options: { layers: readonly number[] }) {
          layersSeen.push(...options.layers);
          return {
            layers: [3],
            positions: [0, 1],
            nEmbd: 26,
            states: new Map([[3, [hist(text), hist(text)]]]),
          };
        },
      },
    });
    const mapped = await mapKeywords([["zoology"]], ["zoo", "algebra"], modelEmbedder(model));
    assert.deepEqual(mapped, [["zoo"]]);
    assert.ok(
      layersSeen.every((l) => l === 3),
      "last layer",
    );
  });
});
