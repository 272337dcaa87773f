import { abacusFinalAnswer } from "../../testbed/abacus/abacus-answer.ts";
import type { AbacusItem } from "../../testbed/abacus/abacus-eval.ts";
import type { AbacusSkill } from "../../testbed/abacus/abacus-skills.ts";
import type { Task, TaskInstance } from "./types.ts";

/** The student's prompt for an Abacus question: the corpus's `Q: … A:` form. */
export const abacusPrompt = (instruction: string): string => `Q: ${instruction} A:`;

/** What follows `A:` in the corpus for a solution: ` <solution> .` */
export const abacusResponse = (solution: string): string =>
  ` ${solution.endsWith(" .") ? solution.slice(0, -2) : solution} .`;

/**
 * The testbed's task: Abacus problems (held out by their eval seed) scored by the exact final
 * answer, sliced by skill, with `prompt` the `Q: … A:` form the Abacus models were trained on.
 */
export class AbacusTask implements Task {
  readonly instances: TaskInstance[];

  constructor(
    readonly name: string,
    items: readonly AbacusItem[],
  ) {
    this.instances = items.map((item) => ({
      taskName: name,
      id: item.id,
      instruction: item.prompt.replace(/^Q: /, "").replace(/ A:$/, ""),
      gold: item.answer,
      skill: item.skill,
      meta: { solution: item.solution, difficulty: item.difficulty },
    }));
  }

  async score(instance: TaskInstance, response: string): Promise<boolean> {
    return this.answerOf(response, instance.skill) === instance.gold;
  }

  /** Chain and prog reasoning ends in the answer already (`answer : x`, `output : x`). */
  target(answer: string, reasoning?: string): string {
    return abacusResponse(reasoning && reasoning.trim() !== "" ? reasoning.trim() : answer);
  }

  answerOf(response: string, skill?: string): string | undefined {
    const answer = abacusFinalAnswer((skill ?? "add") as AbacusSkill, response);
    return answer === "" ? undefined : answer;
  }

  reference(instance: TaskInstance): string {
    return abacusResponse(String(instance.meta?.["solution"] ?? instance.gold));
  }
}
