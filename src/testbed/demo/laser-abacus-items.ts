/**
 * The prompts of LASeR's testbed measurement on abacus-1m (docs/laser.md, "Amendment 2"): two
 * families, list (sort, reverse, count) and prog, each drawn from its own seeded stream so the
 * loop's training prompts, the RM adapters' training prompts, the RM precondition's held-out
 * prompts and the test items never share a stream.
 */
import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import type { LaserItem } from "../../methods/laser/laser-items.ts";
import { abacusFinalAnswer } from "../abacus/abacus-answer.ts";
import { abacusItems } from "../abacus/abacus-eval.ts";
import { type AbacusSkill, abacusTask, taskText } from "../abacus/abacus-skills.ts";
import { defaultChainShape } from "../abacus/chain-skill.ts";

/** The two families and their skills. */
export const laserFamilies = { list: ["sort", "reverse", "count"], prog: ["prog"] } as const;
export type LaserFamily = keyof typeof laserFamilies;
export const laserFamilyNames = Object.keys(laserFamilies) as LaserFamily[];

/** A prompt `Q: <question> A:` with its skill and exact answer (read only by the gold RMs and eval). */
export interface AbacusLaserItem extends LaserItem {
  family: LaserFamily;
  skill: AbacusSkill;
  answer: string;
  /** The reference completion after `A:` (as the corpus writes it, ending in ` .`). */
  gold: string;
}

/** The streams prompts are drawn from; each has its own generator. */
export type LaserStream = "loop-train" | "rm-train" | "rm-heldout";

/**
 * `perFamily` prompts of each family from the `stream` of `seed`, the family's skills in turn
 * (list: sort, reverse, count, sort, …), in abacus-1m's world (default chains, msb-first).
 */
export function laserAbacusPrompts(
  seed: number,
  stream: LaserStream,
  perFamily: number,
): AbacusLaserItem[] {
  return laserFamilyNames.flatMap((family) => {
    const rng = new SeededRandom(deriveSeed(seed, `laser-abacus-${stream}-${family}`));
    const skills = laserFamilies[family];
    return Array.from({ length: perFamily }, (_, i) => {
      const skill = skills[i % skills.length]!;
      const task = abacusTask(skill, rng, defaultChainShape, "msb-first");
      return {
        id: `${stream}-${family}-${String(i).padStart(4, "0")}`,
        prompt: `Q: ${task.question} A:`,
        family,
        skill,
        answer: task.answer,
        gold: taskText(task).slice(taskText(task).indexOf(" A: ") + 3),
      };
    });
  });
}

/**
 * The registered test set: from `abacusItems(evalSeed, perFamily)`, `perFamily / 3` items of each
 * list skill and `perFamily` prog items (900 at the registered 450 per family, eval seed 1).
 */
export function laserAbacusTestItems(evalSeed: number, perFamily: number): AbacusLaserItem[] {
  const all = abacusItems(evalSeed, perFamily, defaultChainShape, "msb-first");
  return laserFamilyNames.flatMap((family) => {
    const skills = laserFamilies[family] as readonly AbacusSkill[];
    const each = Math.floor(perFamily / skills.length);
    return skills.flatMap((skill) =>
      all
        .filter((it) => it.skill === skill)
        .slice(0, each)
        .map((it) => ({
          id: `test-${it.id}`,
          prompt: it.prompt,
          family,
          skill,
          answer: it.answer,
          gold: it.solution.endsWith(" .") ? it.solution : `${it.solution} .`,
        })),
    );
  });
}

/** The first task of a completion after `A:`, on one line (a model may run on into a next `Q:`). */
export function firstTask(completion: string): string {
  return completion
    .split(/(?:^|\s)Q:/)[0]!
    .replace(/\s+/g, " ")
    .trim();
}

/** Whether `completion` answers `item` exactly (the skill's final answer, as the world writes it). */
export function isRight(item: Pick<AbacusLaserItem, "skill" | "answer">, completion: string) {
  return abacusFinalAnswer(item.skill, completion) === item.answer;
}

/** New tokens a sample may take: the longest prog rationale of the test set (113 tokens) and spare. */
export const laserSampleTokens = 120;
