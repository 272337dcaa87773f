/**
 * What sampling gives a correctness reward model to work with on an Abacus model: per skill, the
 * mean accuracy of n samples at temperature T, pass@n, and the share of prompts whose n samples
 * are mixed (some right, some wrong). A preference loop trained on a correctness RM (LASeR's
 * RM_arith / RM_list) only gets informative pairs from mixed prompts; a family with almost none
 * cannot show which RM is reliable. Read before LASeR's testbed measurement (docs/laser.md).
 * The prompts are in the model's own world (chain shape and notation from its build record beside
 * the GGUF, e.g. models/abacus-lsb-1m.json; without one, the default world).
 *
 *   node --import tsx scripts/abacus-sample-mix.ts models/abacus-1m.gguf [perSkill=40] [n=8] [T=0.8] [evalSeed=11]
 */
import { loadLlamaCppModel } from "../src/engines/llamacpp/index.ts";
import { abacusFinalAnswer, abacusProbeTokens } from "../src/testbed/abacus/abacus-answer.ts";
import { type AbacusConfig, abacusConfig } from "../src/testbed/abacus/abacus-config.ts";
import { abacusItems } from "../src/testbed/abacus/abacus-eval.ts";
import { abacusSkills } from "../src/testbed/abacus/abacus-skills.ts";
import { recordBeside } from "../src/testbed/shipped-models.ts";

const [path, perSkillArg, nArg, tArg, seedArg] = process.argv.slice(2);
if (!path)
  throw new Error("usage: abacus-sample-mix.ts <model.gguf> [perSkill] [n] [T] [evalSeed]");
const perSkill = Number(perSkillArg ?? 40);
const n = Number(nArg ?? 8);
const temperature = Number(tArg ?? 0.8);
const evalSeed = Number(seedArg ?? 11);

const record = recordBeside(path);
const world = abacusConfig(
  record?.world === "abacus" ? (record.worldConfig as Partial<AbacusConfig>) : {},
);
const model = await loadLlamaCppModel({ modelPath: path, threads: 1 });
try {
  const items = abacusItems(evalSeed, perSkill, world.chain, world.notation);
  console.log(
    `${path}: ${perSkill} prompts per skill, n ${n}, T ${temperature}, eval seed ${evalSeed}, ${world.notation} numbers (${record ? `record of ${record.name}` : "no record: the default world"})`,
  );
  for (const skill of abacusSkills) {
    let right = 0;
    let anyRight = 0;
    let mixed = 0;
    const mine = items.filter((item) => item.skill === skill);
    for (const [i, item] of mine.entries()) {
      const r = await model.generate({
        prompt: item.prompt,
        n,
        temperature,
        maxTokens: abacusProbeTokens(item),
        stop: ["\nQ:"],
        seed: 1000 * evalSeed + i,
      });
      const k = r.generations.filter(
        (g) => abacusFinalAnswer(skill, g.text) === item.answer,
      ).length;
      right += k;
      if (k > 0) anyRight++;
      if (k > 0 && k < n) mixed++;
    }
    const pct = (x: number, of: number) => `${((100 * x) / of).toFixed(1)}%`;
    console.log(
      `${skill.padEnd(8)} sample acc ${pct(right, mine.length * n).padStart(6)}  pass@${n} ${pct(anyRight, mine.length).padStart(6)}  mixed prompts ${pct(mixed, mine.length).padStart(6)}`,
    );
  }
} finally {
  await model.close();
}
