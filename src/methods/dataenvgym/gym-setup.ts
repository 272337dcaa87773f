import { loadDataset } from "../../evals/datasets/index.ts";
import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import { UsageError } from "../../model/errors.ts";
import { abacusItems } from "../../testbed/abacus/abacus-eval.ts";
import { abacusSkills } from "../../testbed/abacus/abacus-skills.ts";
import { defaultChainShape } from "../../testbed/abacus/chain-skill.ts";
import type { Notation } from "../../testbed/abacus/digits.ts";
import { AbacusTask, abacusPrompt } from "./abacus-task.ts";
import { CodeTask, mbppProblems } from "./code-task.ts";
import type { DataEngine } from "./data-engine.ts";
import { MathTask } from "./math-task.ts";
import { OpenEndedAgent } from "./open-ended-agent.ts";
import { LabelSkills } from "./skill-discovery.ts";
import { SkillListAgent } from "./skill-list-agent.ts";
import { SkillTreeAgent } from "./skill-tree-agent.ts";
import {
  AlternatingExploreExploit,
  FillBalancedSkillTree,
  RandomExploreExploit,
  type SkillTreePolicy,
  WeaknessPolicy,
} from "./skill-tree-policies.ts";
import type { DataGenerationAgent, SkillDiscovery, Task, TaskInstance } from "./types.ts";
import { UniformAgent } from "./uniform-agent.ts";

/** The environments (and the state-agnostic baseline) a run can use. */
export const gymEnvironments = ["open-ended", "skill-list", "skill-tree", "uniform"] as const;
export type GymEnvironmentName = (typeof gymEnvironments)[number];

export const skillTreePolicies = ["alternating", "fill-balanced", "random", "weakness"] as const;
export type SkillTreePolicyName = (typeof skillTreePolicies)[number];

/** A task's splits: validation (the feedback), test (held out), examples (what teachers imitate). */
export interface GymSplits {
  kind: "math" | "code" | "abacus";
  validation: Task;
  test?: Task;
  examples: TaskInstance[];
  /** The student's prompt for an instruction. */
  prompt: (instruction: string) => string;
  /** Where the student's answer ends besides EOS (Abacus: the next task's "Q:"). */
  stopAt?: string[];
}

export interface SplitOptions {
  validationN: number;
  testN: number;
  seed: number;
  /** Abacus: the eval seeds of validation and test (default 101 and 202). */
  evalSeeds?: [number, number];
  /** Abacus: how numbers are written, the student's own notation (default msb-first). */
  notation?: Notation;
}

/**
 * Splits of a task by name: `abacus` (the testbed world: validation and test drawn from two eval
 * seeds, n per skill = ⌈n / 8⌉, numbers in `notation`), `mbpp` (MBPP sanitized), or any math dataset `chorus eval` knows
 * (gsm8k, math500, a file): shuffled by the seed, then validation, test and 50 examples.
 */
export async function loadGymSplits(task: string, o: SplitOptions): Promise<GymSplits> {
  if (task === "abacus") {
    const [v, t] = o.evalSeeds ?? [101, 202];
    const per = (n: number) => Math.ceil(n / abacusSkills.length);
    const items = (seed: number, n: number) =>
      abacusItems(seed, n, defaultChainShape, o.notation ?? "msb-first");
    return {
      kind: "abacus",
      validation: new AbacusTask("abacus-validation", items(v, per(o.validationN))),
      ...(o.testN > 0 ? { test: new AbacusTask("abacus-test", items(t, per(o.testN))) } : {}),
      examples: new AbacusTask("abacus-examples", items(deriveSeed(o.seed, "examples"), 4))
        .instances,
      prompt: abacusPrompt,
      stopAt: ["Q:"],
    };
  }
  const rng = new SeededRandom(deriveSeed(o.seed, `gym-${task}`));
  const cut = <T>(items: readonly T[]) => {
    const all = rng.shuffle(items);
    const need = o.validationN + o.testN;
    if (all.length < need + 1)
      throw new UsageError(`${task} has ${all.length} items; validation + test need ${need} + 1`);
    return {
      val: all.slice(0, o.validationN),
      test: all.slice(o.validationN, need),
      ex: all.slice(need, need + 50),
    };
  };
  if (task === "mbpp") {
    const { val, test, ex } = cut(mbppProblems());
    return {
      kind: "code",
      validation: new CodeTask("mbpp-validation", val),
      ...(test.length > 0 ? { test: new CodeTask("mbpp-test", test) } : {}),
      examples: new CodeTask("mbpp-examples", ex).instances,
      prompt: (instruction) => `${instruction}\n`,
    };
  }
  const items = await loadDataset(task);
  const type = items[0]?.answerType;
  if (type !== "math" && type !== "number")
    throw new UsageError(`${task} has ${type} answers; gym math tasks need number or math answers`);
  const { val, test, ex } = cut(items);
  return {
    kind: "math",
    validation: new MathTask(`${task}-validation`, val),
    ...(test.length > 0 ? { test: new MathTask(`${task}-test`, test) } : {}),
    examples: new MathTask(`${task}-examples`, ex).instances,
    prompt: (instruction) => `Problem: ${instruction}\nSolution:`,
  };
}

/** The skills a task labels its instances with (MATH types, Abacus skills); undefined: none. */
export function labelledSkills(splits: GymSplits): SkillDiscovery | undefined {
  const names = [...new Set(splits.validation.instances.map((x) => x.skill))];
  if (names.some((n) => n === undefined)) return undefined;
  return new LabelSkills((names as string[]).sort());
}

export interface AgentSettings {
  env: GymEnvironmentName;
  engine: DataEngine;
  splits: GymSplits;
  /** Skill environments and the uniform baseline need skills. */
  skills?: SkillDiscovery;
  /**
   * Data per step: open-ended and uniform (default 120); skill-list (split ∝ errors) and
   * skill-tree (allocations rescaled to it) when set.
   */
  budget?: number;
  perCall?: number;
  hypotheses?: number;
  perHypothesis?: number;
  onlyErrors?: boolean;
  policy?: SkillTreePolicyName;
  explore?: number;
  allocation?: number;
  maxDataPerSkill?: number;
  seed?: number;
}

function policyOf(s: AgentSettings): SkillTreePolicy {
  const explore = s.explore ?? 2;
  const allocation = s.allocation ?? 30;
  switch (s.policy ?? "alternating") {
    case "alternating":
      return new AlternatingExploreExploit({
        explore,
        allocation,
        maxDataPerSkill: s.maxDataPerSkill ?? 200,
      });
    case "fill-balanced":
      return new FillBalancedSkillTree({ explore, perSubskill: allocation });
    case "random":
      return new RandomExploreExploit({ explore, allocation, seed: s.seed ?? 0 });
    case "weakness":
      return new WeaknessPolicy({ explore, allocation });
  }
}

/** The baseline teacher of an environment (the uniform baseline for "uniform"). */
export function makeAgent(s: AgentSettings): DataGenerationAgent {
  const needSkills = () => {
    if (!s.skills)
      throw new UsageError(
        `--env ${s.env} needs skills: the task has no skill labels; discover them (--discover-skills) or give a frozen file (--skills)`,
      );
    return s.skills;
  };
  switch (s.env) {
    case "open-ended":
      return new OpenEndedAgent(s.engine, s.splits.examples, {
        budget: s.budget ?? 120,
        ...(s.perCall !== undefined ? { perCall: s.perCall } : {}),
        seed: s.seed ?? 0,
      });
    case "skill-list":
      return new SkillListAgent(s.engine, needSkills(), {
        ...(s.hypotheses !== undefined ? { hypotheses: s.hypotheses } : {}),
        ...(s.perHypothesis !== undefined ? { perHypothesis: s.perHypothesis } : {}),
        ...(s.onlyErrors !== undefined ? { onlyErrors: s.onlyErrors } : {}),
        ...(s.budget !== undefined ? { budget: s.budget } : {}),
      });
    case "skill-tree":
      return new SkillTreeAgent(
        s.engine,
        needSkills(),
        s.splits.validation,
        policyOf(s),
        s.budget !== undefined ? { budget: s.budget } : {},
      );
    case "uniform":
      return new UniformAgent(s.engine, needSkills().skills, s.budget ?? 120);
  }
}
