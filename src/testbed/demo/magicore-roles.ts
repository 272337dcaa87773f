/**
 * Trains MAgICoRe's four roles live (LoRA adapters of abacus-1m, chorus's trainer): solver
 * samples of training chains plus their gold solutions give the ORM and PRM examples; the PRM,
 * once trained, scores the wrong samples the Reviewer and Refiner learn from.
 */
import { join } from "node:path";
import type { ModelSource } from "../../evals/model-source.ts";
import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import type { ChainShape } from "../abacus/chain-skill.ts";
import { trainLoraAdapter } from "./lora-sft.ts";
import { chainAgents } from "./magicore-agents.ts";
import {
  chainProblems,
  critiqueExamples,
  type Example,
  ormExamples,
  prmExamples,
  type Sample,
} from "./magicore-data.ts";
import { chainAnswer, solutionSteps } from "./magicore-format.ts";

/** How the roles are trained (pre-registered in docs/magicore.md). */
export interface RoleTraining {
  problems: number;
  samplesPerProblem: number;
  /** Examples per role at most (a seeded subset when there are more). */
  maxExamples: number;
  epochs: number;
  lr: number;
  rank: number;
  seed: number;
}

export const roleTraining: RoleTraining = {
  problems: 200,
  samplesPerProblem: 4,
  maxExamples: 400,
  // one epoch: the smoke's CPU budget (examples are ~250 tokens, ~2 s per step under load)
  epochs: 1,
  lr: 3e-3,
  rank: 8,
  seed: 1,
};

export const roleNames = ["orm", "prm", "reviewer", "refiner"] as const;
export type RoleName = (typeof roleNames)[number];

/** What training one role did. */
export interface TrainedRole {
  name: RoleName;
  adapter: string;
  examples: number;
  /** Share of examples whose completion is `+` (reward models only). */
  positives?: number;
  steps: number;
  firstLoss: number;
  loss: number;
  seconds: number;
}

/** What training the four roles gave (a run's `roles/roles.json`). */
export interface TrainedRoles {
  roles: TrainedRole[];
  /** Solver samples of the training chains, and the share of them with the right answer. */
  trainSamples: number;
  trainSampleAccuracy: number;
}

/** Fine-tunes one LoRA adapter (all linear layers) on `examples`, saved in `dir`. */
export async function trainRole(
  basePath: string,
  name: RoleName,
  examples: readonly Example[],
  t: RoleTraining,
  dir: string,
): Promise<TrainedRole> {
  const index = roleNames.indexOf(name);
  const rng = new SeededRandom(deriveSeed(t.seed, `magicore-${name}`));
  const data = rng.shuffle([...examples]).slice(0, t.maxExamples);
  const plus = data.filter((d) => d.completion === " +").length;
  const trained = await trainLoraAdapter(
    basePath,
    data,
    { epochs: t.epochs, lr: t.lr, rank: t.rank, seed: t.seed + index },
    join(dir, `${name}.lora.gguf`),
  );
  return {
    name,
    adapter: trained.adapter,
    examples: data.length,
    ...(name === "orm" || name === "prm" ? { positives: plus / Math.max(1, data.length) } : {}),
    steps: trained.steps,
    firstLoss: trained.firstLoss,
    loss: trained.loss,
    seconds: trained.seconds,
  };
}

/**
 * Trains the four roles. `models` must hold the solver (role `solver`); `addAdapter` makes a
 * trained adapter usable under its role's name (the PRM scores the Reviewer's inputs).
 */
export async function trainRoles(
  basePath: string,
  models: ModelSource,
  addAdapter: (role: TrainedRole) => void,
  o: {
    shape: ChainShape;
    training: RoleTraining;
    dir: string;
    stage: (line: string) => void;
    /** Sampling and scoring calls in flight at once (outputs do not depend on it). */
    concurrency?: number;
  },
): Promise<TrainedRoles> {
  const t = o.training;
  const problems = chainProblems(t.seed, "train", t.problems, o.shape);
  const agents = chainAgents({
    models,
    temperature: 0.8,
    topP: 0.95,
    seed: t.seed,
    ...(o.concurrency ? { concurrency: o.concurrency } : {}),
  });
  o.stage(`solver samples of ${problems.length} training chains × ${t.samplesPerProblem}`);
  const texts = await agents.solve(
    problems.map((p) => ({
      problemId: p.id,
      value: { question: p.question, k: t.samplesPerProblem },
    })),
  );
  const solverSamples: Sample[] = problems.flatMap((problem, i) =>
    texts[i]!.map((text) => ({ problem, text })),
  );
  const withGold = [
    ...solverSamples,
    ...problems.map((problem) => ({ problem, text: problem.gold })),
  ];
  const rng = new SeededRandom(deriveSeed(t.seed, "magicore-prm-steps"));
  const roles: TrainedRole[] = [];
  const train = async (name: RoleName, examples: Example[]) => {
    o.stage(`training ${name} adapter (${Math.min(examples.length, t.maxExamples)} examples)`);
    const role = await trainRole(basePath, name, examples, t, o.dir);
    roles.push(role);
    addAdapter(role);
  };
  await train("orm", ormExamples(withGold));
  await train("prm", prmExamples(withGold, rng));
  o.stage("PRM scores of the training samples (the Reviewer's inputs)");
  const scores = await agents.prm(
    solverSamples.map(({ problem, text }) => ({
      problemId: problem.id,
      value: { question: problem.question, steps: solutionSteps(text) },
    })),
  );
  const critique = critiqueExamples(solverSamples, scores);
  await train("reviewer", critique.reviewer);
  await train("refiner", critique.refiner);
  const right = solverSamples.filter((s) => chainAnswer(s.text) === s.problem.answer).length;
  return {
    roles,
    trainSamples: solverSamples.length,
    trainSampleAccuracy: right / Math.max(1, solverSamples.length),
  };
}
