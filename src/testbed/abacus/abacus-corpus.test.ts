import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { abacusConfig, abacusVariants } from "./abacus-config.ts";
import { abacusCorpus } from "./abacus-corpus.ts";
import { abacusItems } from "./abacus-eval.ts";
import { abacusSkills } from "./abacus-skills.ts";

const hash = (seed: number) => {
  const h = createHash("sha256");
  for (const d of abacusCorpus(abacusConfig({ seed }), 30_000)) h.update(`${d.text}\n`);
  return h.digest("hex");
};

test("same seed gives the same Abacus corpus; another seed another", () => {
  assert.equal(hash(7), hash(7));
  assert.notEqual(hash(8), hash(7));
});

test("Abacus is digit-level with a small closed vocabulary, and skill names stay out of questions", () => {
  const words = new Set<string>();
  const counts = Object.fromEntries(abacusSkills.map((s) => [s, 0]));
  for (const d of abacusCorpus(abacusConfig({ tokens: 300_000 }))) {
    for (const w of d.text.split(" ")) {
      words.add(w);
      if (/\d/.test(w)) assert.match(w, /^\d$/);
    }
    for (const s of d.skills) counts[s]!++;
    for (const q of d.text.split(/ A: .*? (?=Q: )| A: .*$/))
      for (const name of ["add", "sub", "max", "sort", "reverse", "count", "chain", "prog"])
        assert.ok(!q.split(" ").includes(name), `"${name}" in question: ${q}`);
  }
  assert.ok(words.size <= 150, `${words.size} words`);
  for (const s of abacusSkills) assert.ok(counts[s]! > 100, `${s}: ${counts[s]}`);
});

test("Abacus answers are right: arithmetic, chain steps and eval items check exactly", () => {
  const num = (t: string) => Number(t.replaceAll(" ", ""));
  for (const item of abacusItems(3, 40)) {
    const q = item.prompt;
    if (item.skill === "add" || item.skill === "sub") {
      const [a, b] = [...q.matchAll(/((?:\d )*\d)(?= )/g)].map((m) => num(m[1]!));
      const flipped = /take|away/.test(q) ? [b!, a!] : [a!, b!];
      const want = item.skill === "add" ? a! + b! : flipped[0]! - flipped[1]!;
      assert.equal(num(item.answer), want, q);
    }
    if (item.skill === "chain") {
      // replay the question's assignments
      const env = new Map<string, number>();
      const lines = q
        .slice(3, q.indexOf(" what is"))
        .split(" . ")
        .map((l) => l.replace(/ \.$/, ""));
      for (let pass = 0; pass < lines.length; pass++)
        for (const line of lines) {
          const m = /^(\w) = (?:(\w) ([+-]) )?((?:\d )*\d)$/.exec(line)!;
          const c = num(m[4]!);
          if (!m[2]) env.set(m[1]!, c);
          else if (env.has(m[2]))
            env.set(m[1]!, m[3] === "+" ? env.get(m[2])! + c : env.get(m[2])! - c);
        }
      const target = /what is (\w) \?/.exec(q)![1]!;
      assert.equal(num(item.answer), env.get(target), q);
      assert.ok(item.solution.endsWith(`answer : ${item.answer} .`));
    }
  }
});

test("the MAgICoRe null world has only easy chains; bad chain shapes are refused", () => {
  const easy = abacusConfig(abacusVariants["magicore-null"]!.config);
  for (const item of abacusItems(2, 50, easy.chain).filter((i) => i.skill === "chain"))
    assert.equal(item.difficulty, 2 * 2 * 1);
  const hard = abacusItems(2, 200).filter((i) => i.skill === "chain");
  assert.ok(Math.max(...hard.map((i) => i.difficulty)) >= 24);
  assert.throws(
    () => abacusConfig({ chain: { steps: [3, 2], digits: [2, 3], distractors: [0, 2] } }),
    /chain.steps must be \[low, high\]/,
  );
});
