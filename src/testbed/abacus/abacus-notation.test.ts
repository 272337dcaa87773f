import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../model/errors.ts";
import { abacusConfig, abacusVariants } from "./abacus-config.ts";
import { abacusCorpus } from "./abacus-corpus.ts";
import { abacusItems } from "./abacus-eval.ts";
import { defaultChainShape } from "./chain-skill.ts";
import { digitList, digits, readNumber } from "./digits.ts";
import { type ProgOp, runProgram } from "./prog-dsl.ts";

const lsb = abacusConfig(abacusVariants["lsb-first"]!.config);
const items = abacusItems(3, 40, lsb.chain, lsb.notation);
const read = (text: string) => readNumber(text, "lsb-first");
/** Every number in `text` with its digits reversed: numbers are the runs of spaced digits. */
const flipNumbers = (text: string) =>
  text.replace(/\b\d(?: \d)*\b/g, (run) => run.split(" ").reverse().join(" "));

test("lsb-first writes 418 as 8 1 4, reads it back, and leaves single digits alone", () => {
  assert.equal(digits(418, "lsb-first"), "8 1 4");
  assert.equal(digits(418), "4 1 8");
  assert.equal(digits(410, "lsb-first"), "0 1 4");
  assert.equal(digits(7, "lsb-first"), "7");
  assert.equal(digitList([12, 3, 100], "lsb-first"), "2 1 , 3 , 0 0 1");
  assert.equal(read("0 1 4"), 410);
  assert.equal(readNumber("0 1 4"), 14);
  for (const n of [0, 9, 10, 99, 418, 1006])
    for (const notation of ["msb-first", "lsb-first"] as const)
      assert.equal(readNumber(digits(n, notation), notation), n);
  assert.ok(Number.isNaN(read("4 1 x")));
});

test("lsb-first add and sub items check out against the arithmetic, read least digit first", () => {
  let checked = 0;
  for (const item of items.filter((i) => i.skill === "add" || i.skill === "sub")) {
    const q = item.prompt;
    const [a, b] = [...q.matchAll(/\b\d(?: \d)*\b/g)].map((m) => read(m[0]));
    const [x, y] = /take|away/.test(q) ? [b!, a!] : [a!, b!];
    assert.equal(read(item.answer), item.skill === "add" ? x + y : x - y, q);
    checked++;
  }
  assert.equal(checked, 80);
});

test("lsb-first chains: the question replays to the answer and every step line is right", () => {
  for (const item of items.filter((i) => i.skill === "chain")) {
    const q = item.prompt;
    const env = new Map<string, number>();
    const lines = q.slice(3, q.indexOf(" what is")).split(" . ");
    for (let pass = 0; pass < lines.length; pass++)
      for (const line of lines) {
        const m = /^(\w) = (?:(\w) ([+-]) )?((?:\d )*\d)(?: \.)?$/.exec(line)!;
        const c = read(m[4]!);
        if (!m[2]) env.set(m[1]!, c);
        else if (env.has(m[2]))
          env.set(m[1]!, m[3] === "+" ? env.get(m[2])! + c : env.get(m[2])! - c);
      }
    const target = /what is (\w) \?/.exec(q)![1]!;
    assert.equal(read(item.answer), env.get(target), q);
    // working: `step i : x = y op c = v op c = w .`, each line's sum right in lsb-first
    const steps = [...item.solution.matchAll(/step ([\d ]+?) : (\w) = ([^.]*?) \./g)];
    assert.equal(steps.length, item.solution.split("step ").length - 1);
    steps.forEach((s, i) => {
      assert.equal(read(s[1]!), i + 1);
      const sum = / = ((?:\d )*\d) ([+-]) ((?:\d )*\d) = ((?:\d )*\d)$/.exec(s[3]!);
      if (!sum) return; // the first step assigns a constant
      const [v, c, w] = [sum[1]!, sum[3]!, sum[4]!].map(read);
      assert.equal(sum[2] === "+" ? v! + c! : v! - c!, w, s[0]);
      assert.equal(env.get(s[2]!), w, s[0]);
    });
    assert.ok(item.solution.endsWith(`answer : ${item.answer} .`));
  }
});

test("lsb-first prog traces are the interpreter's lists, written least digit first", () => {
  /** One operation of the code line back as the DSL's op (its constants are single digits). */
  const parseOp = (c: string): ProgOp => {
    const k = Number(/\d/.exec(c)?.[0]);
    if (c === "map ( * 2 )") return { op: "double" };
    if (c.startsWith("map")) return { op: "add", k };
    if (c.startsWith("take")) return { op: "take", k };
    if (c.startsWith("keep")) return { op: "keep", parity: c.includes("even") ? "even" : "odd" };
    return { op: c as "sort" | "reverse" };
  };
  let twoDigit = 0;
  for (const item of items.filter((i) => i.skill === "prog")) {
    const input = /input : (.*) \. A:$/.exec(item.prompt)![1]!.split(" , ").map(read);
    const code = /code : (.*?) \. trace/.exec(item.solution)![1]!.split(" | ");
    const program = code.map(parseOp);
    const trace = /trace : (.*) \. output/.exec(item.solution)![1]!.split(" ; ");
    const want = runProgram(program, input);
    assert.deepEqual(
      trace.map((l) => (l === "empty" ? [] : l.split(" , ").map(read))),
      want,
      item.solution,
    );
    twoDigit += want.flat().filter((v) => v >= 10).length;
  }
  assert.ok(twoDigit > 10, `${twoDigit} two-digit trace values`);
});

test("the lsb-first world is the default world with every number's digits reversed", () => {
  const msb = abacusItems(3, 40);
  let differ = 0;
  msb.forEach((m, i) => {
    const l = items[i]!;
    assert.deepEqual(
      {
        ...l,
        prompt: flipNumbers(l.prompt),
        answer: flipNumbers(l.answer),
        solution: flipNumbers(l.solution),
      },
      m,
    );
    if (l.answer !== m.answer) differ++;
  });
  assert.ok(differ > 100, `${differ} answers differ`);
  const base = abacusConfig({ tokens: 20_000 });
  const flipped = [...abacusCorpus({ ...base, notation: "lsb-first" })];
  const plain = [...abacusCorpus(base)];
  assert.equal(flipped.length, plain.length);
  flipped.forEach((d, i) => {
    assert.deepEqual(d.skills, plain[i]!.skills);
    assert.equal(flipNumbers(d.text), plain[i]!.text);
  });
});

test("the notation is validated, naming the field and the allowed values", () => {
  assert.equal(abacusConfig().notation, "msb-first");
  assert.equal(lsb.notation, "lsb-first");
  assert.deepEqual(lsb.chain, defaultChainShape);
  assert.throws(
    () => abacusConfig({ notation: "big-endian" as never }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.field === "notation" &&
      /abacus notation must be one of msb-first, lsb-first, got "big-endian"/.test(e.message),
  );
});
