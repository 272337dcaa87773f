import assert from "node:assert/strict";
import { test } from "node:test";
import type { LanguageModel } from "../../model/language-model.ts";
import { MathShepherdPrm } from "../../scoring/math-shepherd-prm.ts";
import { laserAbacusPrompts } from "./laser-abacus-items.ts";
import { ormExamples } from "./laser-abacus-rm-data.ts";
import { FamilyRoutedRm, GoldRm, LengthRm, NoiseRm, ormTag, ormText } from "./laser-abacus-rms.ts";

const items = laserAbacusPrompts(3, "rm-train", 6);
const list = items.find((it) => it.family === "list")!;
const prog = items.find((it) => it.family === "prog")!;

test("the ORM's training text is exactly the text its reader scores (MathShepherdPrm, one step)", () => {
  const reader = new MathShepherdPrm({ id: "x" } as LanguageModel, { stepTag: ormTag });
  for (const completion of [" 1 , 2 .\nQ: more", "", "  code : sort . output : 1 ."])
    assert.equal(
      ormText(list.prompt, completion),
      reader.taggedText({
        question: list.prompt,
        steps: [completion.split("\nQ:")[0]!.replace(/\s+/g, " ").trim()],
      }),
    );
});

test("ORM examples: samples and gold, + exactly when the final answer is right", () => {
  const ex = ormExamples([list], [[" wrong .", ` ${list.gold}`]]);
  assert.deepEqual(
    ex.map((e) => e.completion),
    [" -", " +", " +"],
  );
  assert.ok(ex[0]!.prompt.endsWith(`wrong . ${ormTag}`));
});

test("RM_len scores longer first tasks higher; RM_noise is a fixed function of the text", async () => {
  const len = await new LengthRm().scoreOutcomes(
    ["", "1 .", "1 , 2 , 3 .", "1 , 2 , 3 , 4 , 5 , 6 .\nQ: a b c d e f g h"].map((solution) => ({
      question: "q",
      solution,
    })),
  );
  assert.ok(len[0] === 0 && len[1]! < len[2]! && len[2]! < len[3]!, String(len));
  const noise = new NoiseRm();
  const inputs = Array.from({ length: 200 }, (_, i) => ({ question: "q", solution: String(i) }));
  const a = await noise.scoreOutcomes(inputs);
  assert.deepEqual(await noise.scoreOutcomes(inputs), a);
  const mean = a.reduce((s, x) => s + x, 0) / a.length;
  assert.ok(mean > 0.4 && mean < 0.6, `uniform: mean ${mean}`);
});

test("gold RM: exact labels; the null world's flip rate; unknown questions are errors", async () => {
  const gold = new GoldRm("rm-gold", items);
  assert.deepEqual(
    await gold.scoreOutcomes([
      { question: list.prompt, solution: ` ${list.gold}` },
      { question: list.prompt, solution: " 0 ." },
    ]),
    [1, 0],
  );
  const inputs = Array.from({ length: 1000 }, (_, i) => ({
    question: prog.prompt,
    solution: i % 2 === 0 ? ` ${prog.gold}${" ".repeat(i)}` : ` wrong ${i} .`,
  }));
  const truth = await gold.scoreOutcomes(inputs);
  assert.equal(truth.filter((s) => s === 1).length, 500);
  const noisy = await new GoldRm("null-a", items, 0.2).scoreOutcomes(inputs);
  const flips = noisy.filter((s, i) => s !== truth[i]).length / inputs.length;
  assert.ok(flips > 0.15 && flips < 0.25, `flip rate ${flips}`);
  const other = await new GoldRm("null-b", items, 0.2).scoreOutcomes(inputs);
  assert.notDeepEqual(other, noisy, "arms flip independently");
  await assert.rejects(
    gold.scoreOutcomes([{ question: "Q: ? A:", solution: "" }]),
    /no gold answer/,
  );
});

test("the oracle arm scores each prompt with its family's RM", async () => {
  const byFamily = {
    list: { name: "l", scoreOutcomes: async (xs: readonly unknown[]) => xs.map(() => 0.25) },
    prog: { name: "p", scoreOutcomes: async (xs: readonly unknown[]) => xs.map(() => 0.75) },
  };
  const oracle = new FamilyRoutedRm("rm-oracle", byFamily, items);
  assert.deepEqual(
    await oracle.scoreOutcomes([
      { question: prog.prompt, solution: "a" },
      { question: list.prompt, solution: "b" },
      { question: prog.prompt, solution: "c" },
    ]),
    [0.75, 0.25, 0.75],
  );
  await assert.rejects(oracle.scoreOutcomes([{ question: "nope", solution: "" }]), /no family/);
});
