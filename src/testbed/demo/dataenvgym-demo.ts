import { join } from "node:path";
import { deriveSeed } from "../../math/seeded-random.ts";
import { AbacusDataEngine } from "../../methods/dataenvgym/abacus-engine.ts";
import { AbacusTask, abacusPrompt } from "../../methods/dataenvgym/abacus-task.ts";
import { LoraStudent } from "../../methods/dataenvgym/lora-student.ts";
import { OpenEndedAgent } from "../../methods/dataenvgym/open-ended-agent.ts";
import type { CycleRecord } from "../../methods/dataenvgym/run-folder.ts";
import { LabelSkills } from "../../methods/dataenvgym/skill-discovery.ts";
import { SkillListAgent } from "../../methods/dataenvgym/skill-list-agent.ts";
import { SkillTreeAgent } from "../../methods/dataenvgym/skill-tree-agent.ts";
import { WeaknessPolicy } from "../../methods/dataenvgym/skill-tree-policies.ts";
import {
  type ComparisonReport,
  compareTeachers,
  type TeacherArm,
} from "../../methods/dataenvgym/teacher-comparison.ts";
import { UniformAgent } from "../../methods/dataenvgym/uniform-agent.ts";
import { abacusItems } from "../abacus/abacus-eval.ts";
import { abacusSkills } from "../abacus/abacus-skills.ts";
import { type ChainShape, defaultChainShape } from "../abacus/chain-skill.ts";
import type { Notation } from "../abacus/digits.ts";

/** The claim `chorus demo dataenvgym` measures (pre-registered in docs/dataenvgym.md). */
export const dataEnvGymClaim =
  "feedback-driven teachers (open-ended, skill-list, skill-tree) beat uniform data by >= 5 points at equal budget, with gains on the weakest skills, and the student's accuracy rises across cycles";

export interface GymDemoSettings {
  /** The evaluation draw and run seed. */
  seed: number;
  /** Test problems per skill (validation: half, at least 2). */
  n: number;
  cycles: number;
  /** Data per cycle, every teacher. */
  budget: number;
  wrongLabelRate: number;
  chain?: ChainShape;
  /** How the student's world writes numbers (its record's; default msb-first). */
  notation?: Notation;
  /** Longest student answer in tokens (default: the longest reference solution's words + 3). */
  maxTokens?: number;
  /** Episode folders go under it. */
  dir: string;
  onCycle?: (arm: string, record: CycleRecord) => void;
}

/** The smoke settings: one seed, 2 cycles × 40 data, 8 test problems per skill. */
export const gymDemoDefaults = { n: 8, cycles: 2, budget: 40, wrongLabelRate: 0.1 };

/**
 * The smoke's Abacus world, in the student's chain shape and notation: validation (half the test
 * size, at least 2 per skill) and test problems from the seed's own streams, and the engine every
 * teacher draws its data from.
 */
export function gymDemoWorld(
  s: Pick<GymDemoSettings, "seed" | "n" | "wrongLabelRate" | "chain" | "notation">,
) {
  const chain = s.chain ?? defaultChainShape;
  const notation = s.notation ?? "msb-first";
  const items = (purpose: string, n: number) =>
    abacusItems(deriveSeed(s.seed, purpose), n, chain, notation);
  return {
    validation: new AbacusTask(
      "abacus-validation",
      items("gym-validation", Math.max(2, Math.ceil(s.n / 2))),
    ),
    test: new AbacusTask("abacus-test", items("gym-test", s.n)),
    engine: (seed: number) =>
      new AbacusDataEngine({ seed, wrongLabelRate: s.wrongLabelRate, chain, notation }),
  };
}

/**
 * The DataEnvGym smoke on an Abacus model: the four teachers of the testbed claim (the world
 * generator as their engine, 10% wrong labels) each run one episode from the same base at the
 * same budget, with a LoRA student retrained from the base each cycle; the comparison with
 * uniform uses the pre-registered checks. One seed and few cycles: it shows the machinery and
 * the direction, not the measurement (`chorus gym compare`, 5 seeds × 5 cycles × 200 data).
 */
export async function runDataEnvGymDemo(
  modelPath: string,
  s: GymDemoSettings,
): Promise<ComparisonReport> {
  const { validation, test, engine } = gymDemoWorld(s);
  const skills = new LabelSkills([...abacusSkills].sort());
  const arms: TeacherArm[] = [
    { name: "uniform", agent: (seed) => new UniformAgent(engine(seed), skills.skills, s.budget) },
    {
      name: "open-ended",
      agent: (seed) =>
        new OpenEndedAgent(engine(seed), validation.instances, { budget: s.budget, seed }),
    },
    {
      name: "skill-list",
      agent: (seed) => new SkillListAgent(engine(seed), skills, { budget: s.budget }),
    },
    {
      name: "skill-tree",
      agent: (seed) =>
        new SkillTreeAgent(engine(seed), skills, validation, new WeaknessPolicy(), {
          budget: s.budget,
        }),
    },
  ];
  const longest = Math.max(
    ...[...validation.instances, ...test.instances].map(
      (x) => String(x.meta?.["solution"]).split(" ").length,
    ),
  );
  return compareTeachers({
    arms,
    baseline: "uniform",
    seeds: [s.seed],
    cycles: s.cycles,
    validation,
    test,
    student: (seed) =>
      LoraStudent.load(modelPath, {
        lora: {
          rank: 8,
          alpha: 16,
          targets: ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"],
          seed,
        },
        lr: 1e-3,
        epochs: 3,
        batchSize: 1,
        gradientAccumulation: 4,
        maxTokens: s.maxTokens ?? longest + 3,
        prompt: abacusPrompt,
        stopAt: ["Q:"],
        seed,
      }),
    dir: join(s.dir, "arms"),
    onCycle: (arm, _seed, r) => s.onCycle?.(arm, r),
  });
}
