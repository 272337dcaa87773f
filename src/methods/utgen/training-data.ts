import { writeFile } from "node:fs/promises";
import type { DebugTask } from "./debug-task.ts";
import { unitTestPrompt } from "./prompts.ts";
import type { Mutant, UtHarness } from "./ut-harness.ts";

/** A problem with a correct solution and inputs to probe it with. */
export interface TrainingProblem {
  id: string;
  description: string;
  signature: string;
  entryPoint: string;
  goldCode: string;
  /** Call arguments (the text inside `f(...)`), e.g. the inputs of the problem's tests. */
  inputs: string[];
  setCompare?: boolean;
}

/** One SFT line in the trainer's format, plus where it came from. */
export interface UtgenExample {
  prompt: string;
  completion: string;
  meta: { problem: string; mutation: string; kind: string; input: string; output: string };
}

/** Options for `generateUtgenExamples`. */
export interface TrainingDataOptions {
  /** Mutants tried per problem (default 8). */
  mutantsPerProblem?: number;
  /** Examples kept per mutant: its first revealing inputs (default 1). */
  examplesPerMutant?: number;
  log?: (message: string) => void;
}

/**
 * The UTGen target for one revealing input: the response layout of the UT prompt, with a
 * hypothesis that names the injected bug, the input, and the gold output.
 */
export function utgenCompletion(
  problem: TrainingProblem,
  mutant: Mutant,
  input: string,
  goldOutput: string,
  buggyOutput: string,
): string {
  return `### Hypothesis
Reading the code line by line against the task, line ${mutant.line} looks wrong: ${mutant.description}. For some inputs this changes the result, so a test on such an input exposes it.
Error Pattern: ${mutant.kind}

### Unit Test
#### Input Arguments
Choose arguments that reach line ${mutant.line} with values where the changed ${mutant.kind === "off-by-one constant" ? "constant" : "operator"} matters; the given code then returns ${buggyOutput}.
Arguments:
\`\`\`
${problem.entryPoint}(${input})
\`\`\`

### Output
A correct ${problem.entryPoint} follows the task description for these arguments and returns ${goldOutput}.
Output:
\`\`\`
${goldOutput}
\`\`\`
`;
}

/**
 * UTGen training data from correct code (spec 3.1, with deterministic mutations instead of an
 * LLM perturbation and the problems' own test inputs instead of LLM-proposed ones): each
 * mutant of the gold code is kept when some input is valid for the gold code and makes the
 * mutant's result differ (so it fails the hidden tests); the example's target is the UT response
 * with that input and the gold code's output.
 */
export async function generateUtgenExamples(
  problems: readonly TrainingProblem[],
  harness: UtHarness,
  options: TrainingDataOptions = {},
): Promise<UtgenExample[]> {
  const perProblem = options.mutantsPerProblem ?? 8;
  const perMutant = options.examplesPerMutant ?? 1;
  const examples: UtgenExample[] = [];
  for (const problem of problems) {
    const mutants = await harness.mutants(problem.goldCode, perProblem);
    let kept = 0;
    for (const mutant of mutants) {
      const revealed = await harness.reveal(
        problem.goldCode,
        mutant.code,
        problem.entryPoint,
        problem.inputs,
        { setCompare: problem.setCompare ?? false },
      );
      const hits = revealed
        .map((r, i) => ({ ...r, input: problem.inputs[i]! }))
        .filter((r) => r.valid && r.revealing)
        .slice(0, perMutant);
      if (hits.length > 0) kept++;
      const task: DebugTask = {
        id: problem.id,
        language: "python",
        description: problem.description,
        codePrompt: problem.description,
        signature: problem.signature,
        entryPoint: problem.entryPoint,
        buggyCode: mutant.code,
        hiddenTest: "",
      };
      const prompt = unitTestPrompt(task, mutant.code, "adversarial")[0]!.content;
      for (const hit of hits)
        examples.push({
          prompt,
          completion: utgenCompletion(problem, mutant, hit.input, hit.goldOutput, hit.buggyOutput),
          meta: {
            problem: problem.id,
            mutation: mutant.description,
            kind: mutant.kind,
            input: hit.input,
            output: hit.goldOutput,
          },
        });
    }
    options.log?.(`${problem.id}: ${kept}/${mutants.length} mutants fail the tests`);
  }
  return examples;
}

/** Writes examples as SFT JSONL (`{"prompt","completion"}` per line) for `chorus train`. */
export async function writeSftJsonl(
  path: string,
  examples: readonly UtgenExample[],
): Promise<void> {
  const lines = examples.map((e) => JSON.stringify({ prompt: e.prompt, completion: e.completion }));
  await writeFile(path, lines.join("\n") + (lines.length > 0 ? "\n" : ""));
}
