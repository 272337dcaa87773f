import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import { wordCount } from "../atlas/atlas-corpus.ts";
import { nextByDeficit } from "../token-mix.ts";
import type { AbacusConfig } from "./abacus-config.ts";
import { type AbacusSkill, abacusSkills, abacusTask, taskText } from "./abacus-skills.ts";

/** One Abacus document: tasks of mixed skills (so a task's skill must be read from its wording). */
export interface AbacusDocument {
  text: string;
  skills: AbacusSkill[];
}

/**
 * The Abacus pretraining corpus, streamed: each next task is of the skill furthest below its token
 * share, tasks are joined into documents of at least `documentWords` words, and the corpus stops
 * at `tokens` words. Same config → same bytes.
 */
export function* abacusCorpus(
  config: AbacusConfig,
  tokens: number = config.tokens,
): Generator<AbacusDocument> {
  const rng = new SeededRandom(deriveSeed(config.seed, "abacus-corpus"));
  const produced = Object.fromEntries(abacusSkills.map((s) => [s, 0])) as Record<
    AbacusSkill,
    number
  >;
  let total = 0;
  while (total < tokens) {
    const parts: string[] = [];
    const skills: AbacusSkill[] = [];
    let words = 0;
    while (words < config.documentWords && total < tokens) {
      const skill = nextByDeficit(config.mix, produced, total);
      const text = taskText(abacusTask(skill, rng, config.chain, config.notation, config.working));
      const n = wordCount(text);
      produced[skill] += n;
      total += n;
      words += n;
      parts.push(text);
      skills.push(skill);
    }
    yield { text: parts.join(" "), skills };
  }
}
