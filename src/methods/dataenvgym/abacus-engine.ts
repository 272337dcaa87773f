import { SeededRandom } from "../../math/seeded-random.ts";
import {
  type AbacusSkill,
  type AbacusTask,
  abacusSkills,
  abacusTask,
} from "../../testbed/abacus/abacus-skills.ts";
import { type ChainShape, defaultChainShape } from "../../testbed/abacus/chain-skill.ts";
import type { Notation } from "../../testbed/abacus/digits.ts";
import { abacusSubskills, subskillOf } from "./abacus-subskills.ts";
import { abacusResponse } from "./abacus-task.ts";
import { allocate } from "./allocate.ts";
import type { DataEngine, DraftDatum } from "./data-engine.ts";
import type { TaskInstance } from "./types.ts";

export interface AbacusEngineOptions {
  seed?: number;
  /** Share of data whose answer is replaced by another problem's (default 0; the testbed: 0.1). */
  wrongLabelRate?: number;
  chain?: ChainShape;
  /** How the world writes numbers: the student's own notation (default msb-first, abacus-1m's). */
  notation?: Notation;
  /** Draws per datum before a subskill is given up as unreachable (default 400). */
  maxTries?: number;
}

/** A validation instance as the generator's task (what the subskill predicates read). */
const asTask = (skill: AbacusSkill, x: TaskInstance): AbacusTask => ({
  skill,
  question: x.instruction,
  answer: x.gold,
  solution: String(x.meta?.["solution"] ?? x.gold),
  difficulty: Number(x.meta?.["difficulty"] ?? 1),
});

const isSkill = (s: string | undefined): s is AbacusSkill =>
  (abacusSkills as readonly string[]).includes(s ?? "");

/**
 * The testbed's data generation engine: the Abacus world generator instead of an LLM (design §5,
 * DataEnvGym). The policies are unchanged; the engine perturbs an error into a new problem of the
 * same skill and subskill, hypothesises an error-heavy skill's weak subskills from its errors
 * (the hardest ones when there are none), proposes the next unexplored subskills, and draws
 * problems of a subskill by rejection. `wrongLabelRate` mislabels data, as a careless teacher
 * would. Its instructions are questions without the `Q:`/`A:` frame (the task adds it).
 */
export class AbacusDataEngine implements DataEngine {
  private rng: SeededRandom;

  private readonly notation: Notation;

  constructor(private readonly options: AbacusEngineOptions = {}) {
    this.rng = new SeededRandom(options.seed ?? 0);
    this.notation = options.notation ?? "msb-first";
  }

  private task(skill: AbacusSkill): AbacusTask {
    return abacusTask(skill, this.rng, this.options.chain ?? defaultChainShape, this.notation);
  }

  state(): unknown {
    return { rng: this.rng.state };
  }

  restore(state: unknown): void {
    this.rng.state = (state as { rng: number }).rng;
  }

  private draw(skill: AbacusSkill, subskill?: string): DraftDatum | undefined {
    const want = subskill ? abacusSubskills[skill].find((s) => s.name === subskill) : undefined;
    if (subskill && !want) return undefined;
    for (let i = 0; i < (this.options.maxTries ?? 400); i++) {
      const task = this.task(skill);
      if (want && !want.has(task, this.notation)) continue;
      let solution = task.solution;
      if (this.rng.next() < (this.options.wrongLabelRate ?? 0)) {
        const other = this.task(skill);
        if (other.answer !== task.answer) {
          const at = solution.lastIndexOf(task.answer);
          solution = solution.slice(0, at) + other.answer + solution.slice(at + task.answer.length);
        }
      }
      return {
        instruction: task.question,
        response: abacusResponse(solution),
        skill,
        subskill: subskill ?? subskillOf(task, this.notation),
      };
    }
    return undefined;
  }

  private many(skill: AbacusSkill, count: number, subskill?: string): DraftDatum[] {
    const out: DraftDatum[] = [];
    for (let i = 0; i < count; i++) {
      const d = this.draw(skill, subskill);
      if (d) out.push(d);
    }
    return out;
  }

  async likeErrors(request: Parameters<DataEngine["likeErrors"]>[0]): Promise<DraftDatum[]> {
    const sources =
      request.errors.length > 0 ? request.errors.map((e) => e.instance) : request.examples;
    const out: DraftDatum[] = [];
    for (let i = 0; i < request.count && sources.length > 0; i++) {
      const source = sources[i % sources.length]!;
      if (!isSkill(source.skill)) continue;
      // perturb: a new problem of the source's skill and subskill
      const d = this.draw(source.skill, subskillOf(asTask(source.skill, source), this.notation));
      if (d) out.push(d);
    }
    return out;
  }

  async forSkill(request: Parameters<DataEngine["forSkill"]>[0]): Promise<DraftDatum[]> {
    const { skill, errors, hypotheses, count } = request;
    if (!isSkill(skill)) return [];
    const tally = new Map<string, number>();
    for (const e of errors) {
      const name = subskillOf(asTask(skill, e.instance), this.notation);
      tally.set(name, (tally.get(name) ?? 0) + 1);
    }
    // hypotheses: the subskills with most errors; without errors, the hardest subskills
    const weak =
      tally.size > 0
        ? [...tally].sort((a, b) => b[1] - a[1]).slice(0, hypotheses)
        : abacusSubskills[skill].slice(-hypotheses).map((s) => [s.name, 1] as [string, number]);
    const shares = allocate(
      count,
      weak.map(([, n]) => n),
    );
    return weak.flatMap(([name], i) => this.many(skill, shares[i]!, name));
  }

  async proposeSubskills(
    request: Parameters<DataEngine["proposeSubskills"]>[0],
  ): Promise<string[]> {
    if (!isSkill(request.skill)) return [];
    const taken = new Set(request.existing);
    return abacusSubskills[request.skill]
      .map((s) => s.name)
      .filter((n) => !taken.has(n))
      .slice(0, request.count);
  }

  async forSubskill(request: Parameters<DataEngine["forSubskill"]>[0]): Promise<DraftDatum[]> {
    if (!isSkill(request.skill)) return [];
    return this.many(request.skill, request.count, request.subskill);
  }

  async forSkillBlind(request: { skill: string; count: number }): Promise<DraftDatum[]> {
    return isSkill(request.skill) ? this.many(request.skill, request.count) : [];
  }
}
