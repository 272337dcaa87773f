import { deriveSeed, SeededRandom } from "../../math/seeded-random.ts";
import type { DebugTask } from "../../methods/utgen/debug-task.ts";
import { digitList, type Notation } from "../abacus/digits.ts";
import {
  type ProgOp,
  programCode,
  programSpec,
  randomProgram,
  runProgram,
} from "../abacus/prog-dsl.ts";

/** A buggy variant of a pipeline and the kind of its one perturbation. */
export interface Perturbation {
  kind: "constant" | "parity" | "sort-reverse" | "swap" | "drop";
  program: ProgOp[];
}

/**
 * Every single perturbation of `program` (design §5): a constant ±1 (staying in 1..6), even↔odd,
 * sort↔reverse, two adjacent operations swapped, one operation dropped (pipelines of ≥ 2 ops).
 * Only variants whose code differs from the gold code are listed.
 */
export function perturbations(program: readonly ProgOp[]): Perturbation[] {
  const out: Perturbation[] = [];
  const replaced = (i: number, op: ProgOp) => program.map((o, j) => (j === i ? op : o));
  program.forEach((op, i) => {
    if (op.op === "add" || op.op === "take")
      for (const k of [op.k - 1, op.k + 1])
        if (k >= 1 && k <= 6) out.push({ kind: "constant", program: replaced(i, { ...op, k }) });
    if (op.op === "keep")
      out.push({
        kind: "parity",
        program: replaced(i, { op: "keep", parity: op.parity === "even" ? "odd" : "even" }),
      });
    if (op.op === "sort" || op.op === "reverse")
      out.push({
        kind: "sort-reverse",
        program: replaced(i, { op: op.op === "sort" ? "reverse" : "sort" }),
      });
    if (i + 1 < program.length) {
      const swapped = [...program];
      [swapped[i], swapped[i + 1]] = [program[i + 1]!, op];
      out.push({ kind: "swap", program: swapped });
    }
    if (program.length >= 2) out.push({ kind: "drop", program: program.filter((_, j) => j !== i) });
  });
  const gold = programCode(program);
  return out.filter((p) => programCode(p.program) !== gold);
}

/** A random input list as the prog corpus draws them: 2–6 digits. */
export function randomInput(rng: SeededRandom): number[] {
  return Array.from({ length: 2 + rng.int(5) }, () => rng.int(10));
}

/** The program's output on `input`, as the world writes lists. */
export function outputOf(program: readonly ProgOp[], input: readonly number[]): string {
  return digitList(runProgram(program, input).at(-1) ?? [...input]);
}

/** Which bugs a world keeps, by the share of hidden tests the buggy code passes. */
export type BugRule = "hard" | "fails-all";

/** "hard" (MBPP+Fix-hard-like): passes ≥ 50% and < 100%; "fails-all" (the null world): 0%. */
export function keepsBug(rule: BugRule, passed: number, total: number): boolean {
  return rule === "hard" ? passed >= total / 2 && passed < total : passed === 0;
}

/** One debugging task of the testbed. */
export interface ProgDebugTask {
  id: string;
  gold: ProgOp[];
  buggy: ProgOp[];
  perturbation: Perturbation["kind"];
  spec: string;
  hidden: number[][];
  /** Hidden tests the buggy code passes. */
  buggyPasses: number;
}

/** Hidden tests the program passes (same output as gold). */
export function hiddenPasses(
  gold: readonly ProgOp[],
  program: readonly ProgOp[],
  hidden: readonly number[][],
): number {
  return hidden.filter((input) => outputOf(gold, input) === outputOf(program, input)).length;
}

/**
 * One task per draw: a gold pipeline, its spec, 20 hidden inputs, and the first perturbation (in
 * a shuffled order) the world's rule keeps; a gold pipeline none of whose perturbations qualify
 * is redrawn. Deterministic in (seed, purpose, index).
 */
export function drawProgTask(
  seed: number,
  purpose: string,
  index: number,
  rule: BugRule,
): ProgDebugTask {
  const rng = new SeededRandom(deriveSeed(seed, `utdebug-${purpose}-${index}`));
  for (;;) {
    const gold = randomProgram(rng, 4);
    const spec = programSpec(gold, rng);
    const hidden = Array.from({ length: 20 }, () => randomInput(rng));
    const candidates = rng.shuffle(perturbations(gold));
    for (const p of candidates) {
      const passes = hiddenPasses(gold, p.program, hidden);
      if (keepsBug(rule, passes, hidden.length))
        return {
          id: `${purpose}-${String(index).padStart(4, "0")}`,
          gold,
          buggy: p.program,
          perturbation: p.kind,
          spec,
          hidden,
          buggyPasses: passes,
        };
    }
  }
}

/** The task as the method sees it: language "prog", the spec as description, no Python. */
export function progDebugTask(task: ProgDebugTask, notation: Notation = "msb-first"): DebugTask {
  return {
    id: task.id,
    description: task.spec,
    codePrompt: task.spec,
    signature: "list -> list",
    entryPoint: "program",
    buggyCode: programCode(task.buggy),
    goldCode: programCode(task.gold),
    // read by the testbed's scorer, not the sandbox: the hidden inputs in the world's notation
    hiddenTest: task.hidden.map((input) => digitList(input, notation)).join(" ; "),
    language: "prog",
  };
}
