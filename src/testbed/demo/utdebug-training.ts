import { join } from "node:path";
import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import { digitList } from "../abacus/digits.ts";
import { programCode, programRationale } from "../abacus/prog-dsl.ts";
import { type LoraSftResult, trainLoraAdapter } from "./lora-sft.ts";
import { debugQuestion, rewriteQuestion, unitTestQuestion } from "./utdebug-format.ts";
import { type BugRule, drawProgTask, outputOf, randomInput } from "./utdebug-tasks.ts";

/** The adapters of abacus-1m the UTDebug demo trains (design §5). */
export const utdebugRoles = ["utgen", "random-ut", "debugger", "no-ut-debugger"] as const;
export type UtdebugRole = (typeof utdebugRoles)[number];

/** Sizes and optimiser of every role adapter (pre-registered in docs/utgen-utdebug.md). */
export interface UtdebugTraining {
  examples: number;
  epochs: number;
  lr: number;
  rank: number;
  seed: number;
}

export const utdebugSmokeTraining: UtdebugTraining = {
  examples: 320,
  epochs: 2,
  lr: 3e-3,
  rank: 8,
  seed: 1,
};

export const utdebugFullTraining: UtdebugTraining = {
  ...utdebugSmokeTraining,
  examples: 960,
  epochs: 3,
};

/**
 * The first of up to 50 random inputs on which gold and buggy code differ (the paper's
 * adversarial selection); undefined when none does.
 */
function revealingInput(
  rng: SeededRandom,
  gold: Parameters<typeof outputOf>[0],
  buggy: Parameters<typeof outputOf>[0],
): number[] | undefined {
  for (let i = 0; i < 50; i++) {
    const input = randomInput(rng);
    if (outputOf(gold, input) !== outputOf(buggy, input)) return input;
  }
  return undefined;
}

/**
 * `n` training pairs for `role`, from tasks of the training stream (never the eval tasks'), with
 * bugs kept by the world's `rule`:
 * - utgen: spec + buggy code → an input where gold ≠ buggy, then the gold code's trace and output;
 * - random-ut: spec → a random input, then the same rationale (no adversarial selection);
 * - debugger: spec + buggy code + a failing test (input, buggy output, gold output) → gold code;
 * - no-ut-debugger: spec + buggy code → gold code.
 */
export function roleTrainingData(
  role: UtdebugRole,
  n: number,
  seed: number,
  rule: BugRule,
): { prompt: string; completion: string }[] {
  const rng = new SeededRandom(deriveSeed(seed, `utdebug-train-inputs-${role}`));
  const out: { prompt: string; completion: string }[] = [];
  for (let i = 0; out.length < n; i++) {
    const task = drawProgTask(seed, `train-${role}`, i, rule);
    const spec = { description: task.spec };
    const buggy = programCode(task.buggy);
    const gold = programCode(task.gold);
    if (role === "random-ut") {
      const input = randomInput(rng);
      out.push({
        prompt: unitTestQuestion(spec),
        completion: ` ${digitList(input)} . A: ${programRationale(task.gold, input)}`,
      });
      continue;
    }
    if (role === "no-ut-debugger") {
      out.push({ prompt: rewriteQuestion(spec, buggy), completion: ` code : ${gold} .` });
      continue;
    }
    const input = revealingInput(rng, task.gold, task.buggy);
    if (!input) continue;
    if (role === "utgen")
      out.push({
        prompt: unitTestQuestion(spec, buggy),
        completion: ` ${digitList(input)} . A: ${programRationale(task.gold, input)}`,
      });
    else
      out.push({
        prompt: debugQuestion(
          task.spec,
          buggy,
          digitList(input),
          outputOf(task.buggy, input),
          outputOf(task.gold, input),
        ),
        completion: ` code : ${gold} .`,
      });
  }
  return out;
}

/** A trained role adapter. */
export interface TrainedRole extends LoraSftResult {
  role: UtdebugRole;
}

/** Trains `role`'s adapter of `basePath` into `<dir>/<role>.lora.gguf`. */
export async function trainRole(
  basePath: string,
  role: UtdebugRole,
  training: UtdebugTraining,
  rule: BugRule,
  dir: string,
): Promise<TrainedRole> {
  const index = utdebugRoles.indexOf(role);
  const data = roleTrainingData(role, training.examples, training.seed, rule);
  const result = await trainLoraAdapter(
    basePath,
    data,
    { ...training, seed: training.seed + index },
    join(dir, `${role}.lora.gguf`),
  );
  return { role, ...result };
}
