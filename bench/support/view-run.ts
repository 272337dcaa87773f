import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EvalRecord } from "../../src/evals/eval-record.ts";
import { summarize, writeReport } from "../../src/evals/eval-report.ts";
import { evalItemLine } from "../../src/evals/item-line.ts";
import { Run } from "../../src/runtime/run.ts";

/**
 * The synthetic eval run bench/view.ts measures `chorus view` on, shaped as a real `chorus eval`
 * writes one: two AdaCAD-style methods (α and token pieces for 100–300 tokens, a 40-word
 * prediction, one model call) and Symbolic-MoE (keywords mapped onto 30 skills, 3 of 6 experts
 * recruited with their answers checked against gold; 4 calls), and
 * `items.jsonl` with every item's question (150–900 characters, half multiple choice).
 */
export const benchMethods = ["adacad", "greedy", "symbolic-moe"];

/** A seeded generator, so every run of the bench indexes the same bytes. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const words = ["the", "river", "Paris", "answer", "is", "seven", "blue", "quietly", "of", "map"];
const prose = (
  "a an the of in on which what when how many much each every given following " +
  "triangle integer probability enzyme treaty voltage reaction sequence derivative " +
  "population circuit molecule empire contract velocity function matrix protein " +
  "balance rate theorem county argument equation pressure orbit consider suppose " +
  "compute explain estimate determine whose after before between"
).split(" ");
const skills = (
  "algebra, geometry, number theory, probability, calculus, statistics, organic chemistry, " +
  "biochemistry, genetics, physiology, mechanics, electromagnetism, thermodynamics, optics, " +
  "astronomy, world history, us history, economics, accounting, law, philosophy, logic, ethics, " +
  "psychology, sociology, geography, computer science, nutrition, virology, marketing"
).split(", ");
const experts = "qwen2.5-7b llama-3.1-8b mistral-7b gemma-2-9b phi-3.5-mini glm-4-9b".split(" ");
const letters = ["A", "B", "C", "D"];

/** What a `chorus eval` run's file sizes and line counts came to. */
export interface SyntheticRun {
  resultsBytes: number;
  itemsBytes: number;
  lines: number;
  events: number;
}

/** The run folder `dir`, written in one go (the Run API syncs each line; that is not measured). */
export function writeSyntheticRun(dir: string, items: number): SyntheticRun {
  const run = Run.create({
    dir,
    config: { command: "eval", methods: benchMethods, dataset: "synthetic", split: "test" },
    seed: 1,
  });
  const sha = (i: number) => i.toString(16).padStart(2, "0").repeat(32);
  run.recordModel("tiny", { engine: "llamacpp", file: "/m/tiny.gguf", sha256: sha(0) });
  for (const [i, e] of experts.entries())
    run.recordModel(e, { engine: "llamacpp", file: `/m/${e}.gguf`, sha256: sha(i + 1) });
  const random = lcg(7);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const text = (chars: number) => {
    const out: string[] = [];
    for (let n = 0; n < chars; n += out.at(-1)!.length + 1) out.push(pick(prose));
    return `${out.join(" ")}?`;
  };
  const inputs = Array.from({ length: items }, (_, i) => {
    const choice = i % 2 === 0;
    const choices = choice ? letters.map(() => text(20 + random() * 60)) : undefined;
    const stem = text(150 + random() * 600);
    return evalItemLine({
      id: `q${i}`,
      question: choices
        ? `${stem}\n${choices.map((c, k) => `${letters[k]}) ${c}`).join("\n")}`
        : stem,
      answer: choice ? pick(letters) : String(Math.floor(random() * 1000)),
      answerType: choice ? "choice" : "number",
      ...(choices ? { choices } : {}),
      meta: { subject: pick(skills), source: "synthetic" },
    });
  });
  run.recordItems(inputs);
  run.close();
  const records: EvalRecord[] = [];
  const results: string[] = [];
  const events: string[] = [];
  const t0 = Date.parse("2026-12-03T00:00:00Z");
  const call = (
    id: string,
    line: number,
    model: string,
    inputTokens: number,
    outputTokens: number,
  ) =>
    JSON.stringify({
      time: new Date(t0 + line * 1000).toISOString(),
      model,
      provider: "llamacpp",
      kind: "generate",
      item: id,
      inputTokens,
      outputTokens,
      latencyMs: 400 + Math.floor(random() * 600),
      cached: random() < 0.2,
      retries: 0,
    });
  for (const [m, method] of benchMethods.entries())
    for (let i = 0; i < items; i++) {
      const id = `${method}/q${i}`;
      const line = m * items + i;
      const input = inputs[i]!;
      const record =
        method === "symbolic-moe"
          ? moeRecord(input, random)
          : adacadRecord(method, input, m, random);
      records.push(record);
      results.push(JSON.stringify({ id, index: line, result: record }));
      if (method === "symbolic-moe") {
        const d = record.details as { experts: string[]; aggregator: string };
        for (const e of d.experts) events.push(call(id, line, e, 400 + (i % 300), 150));
        events.push(call(id, line, d.aggregator, 900 + (i % 300), 250));
      } else
        events.push(call(id, line, "tiny", record.usage.inputTokens, record.usage.outputTokens));
    }
  writeFileSync(join(dir, "results.jsonl"), `${results.join("\n")}\n`);
  writeFileSync(join(dir, "events.jsonl"), `${events.join("\n")}\n`);
  writeReport(
    dir,
    summarize(records, { dataset: "synthetic", split: "test", seed: 1, methods: benchMethods }),
  );
  return {
    resultsBytes: statSync(join(dir, "results.jsonl")).size,
    itemsBytes: statSync(join(dir, "items.jsonl")).size,
    lines: results.length,
    events: events.length,
  };
}

type Input = ReturnType<typeof evalItemLine>;

/** An AdaCAD-sized record: α and a token piece per generated token, a 40-word prediction. */
function adacadRecord(method: string, input: Input, m: number, random: () => number): EvalRecord {
  const tokens = 100 + Math.floor(random() * 200);
  const alphas = Array.from({ length: tokens }, () => Math.round(random() * 1e4) / 1e4);
  const correct = random() < 0.4 + 0.1 * m;
  const prediction = Array.from({ length: 40 }, () => words[Math.floor(random() * 10)]).join(" ");
  return {
    method,
    itemId: input.id,
    prediction,
    gold: correct ? prediction : input.answer,
    correct,
    score: correct ? 1 : 0,
    usage: {
      inputTokens: 300 + (Number(input.id.slice(1)) % 200),
      outputTokens: tokens,
      calls: 1,
      reusedCalls: 0,
    },
    wallMs: 50 + Math.floor(random() * 900),
    details: {
      alphas,
      pieces: alphas.map(() => words[Math.floor(random() * 10)]),
      intervened: Math.floor(random() * 5),
      decoding: "adacad",
      finishReason: random() < 0.9 ? "stop" : "length",
    },
  };
}

/**
 * A Symbolic-MoE record as its eval method writes one: 2–5 keywords mapped onto skills, 3
 * experts recruited (the first skill's favourite more often), their answers (each right with a
 * chance that depends on expert and skill) and majority, and the aggregator's pick (the record keeps no response text).
 */
function moeRecord(input: Input, random: () => number): EvalRecord {
  const answer = () =>
    input.answerType === "choice"
      ? letters[Math.floor(random() * 4)]!
      : String(Math.floor(random() * 1000));
  const mapped = Array.from(
    { length: 2 + Math.floor(random() * 4) },
    () => skills[Math.floor(random() ** 2 * skills.length)]!,
  );
  const favourite = skills.indexOf(mapped[0]!) % experts.length;
  const recruited = Array.from({ length: 3 }, () =>
    random() < 0.5 ? experts[favourite]! : experts[Math.floor(random() * experts.length)]!,
  );
  const expertAnswers = recruited.map((e) =>
    random() < 0.3 + 0.08 * ((experts.indexOf(e) + favourite) % 6) ? input.answer : answer(),
  );
  const counts = new Map<string, number>();
  for (const a of expertAnswers) counts.set(a, (counts.get(a) ?? 0) + 1);
  const expertMajority = [...counts].sort((a, b) => b[1] - a[1])[0]![0];
  const prediction = random() < 0.8 ? expertMajority : answer();
  const correct = prediction === input.answer;
  return {
    method: "symbolic-moe",
    itemId: input.id,
    prediction,
    gold: input.answer,
    correct,
    score: correct ? 1 : 0,
    usage: { inputTokens: 2100, outputTokens: 700, calls: 4, reusedCalls: 0 },
    wallMs: 200 + Math.floor(random() * 600),
    details: {
      keywords: mapped.map((s) => s.split(" ")[0]!),
      mapped,
      experts: recruited,
      path: "local",
      expertAnswers,
      expertCorrect: expertAnswers.map((a) => a === input.answer),
      expertMajority,
      expertMajorityCorrect: expertMajority === input.answer,
      aggregator: experts[0]!,
    },
  };
}
