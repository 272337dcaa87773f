import type { Command } from "commander";
import { importAnswers } from "../../runtime/batch/import-answers.ts";

const examples = `
Examples:
  # round 1: write the run's model requests in the Batch input format and exit
  $ chorus eval self-refine --dataset gsm8k --limit 100 --model Qwen/Qwen2.5-7B-Instruct \\
      --base-url http://127.0.0.1:8000/v1 --batch offline --out runs/sr
  # answer them with any runner of that format, e.g. vLLM (or upload to an OpenAI-style Batch API)
  #   vllm run-batch -i runs/sr/batch/round-001.jsonl -o out-001.jsonl --model Qwen/Qwen2.5-7B-Instruct
  $ chorus batch import runs/sr out-001.jsonl
  # resume: items whose answers are all there finish; the next round's requests are written
  $ chorus eval self-refine --dataset gsm8k --limit 100 --model Qwen/Qwen2.5-7B-Instruct \\
      --base-url http://127.0.0.1:8000/v1 --batch offline --resume runs/sr

Output lines of vLLM run-batch (in input order, failures inline with status 400) and of the OpenAI
Batch API (any order; pass the error file too) are both taken. Importing a file twice changes nothing.
A resume without --batch answers from the imported results and calls the server for the rest.
`;

/** `chorus batch`: offline Batch rounds of a run. */
export function register(program: Command): void {
  const batch = program
    .command("batch")
    .description(
      "offline Batch rounds: take a Batch output file into a run (see chorus eval --batch)",
    );
  batch
    .command("import")
    .description("take Batch output or error files (OpenAI or vLLM run-batch lines) into a run")
    .argument("<run>", "the run folder that exported the requests")
    .argument("<output.jsonl...>", "output and error files of the Batch runner")
    .addHelpText("after", examples)
    .action(async (run: string, files: string[]) => {
      const counts = await importAnswers(run, files);
      process.stderr.write(
        `imported ${counts.answered} answer(s) and ${counts.failed} failed request(s)` +
          (counts.repeated > 0 ? ` (${counts.repeated} line(s) taken in before, skipped)` : "") +
          `; ${counts.unanswered} exported request(s) still without an answer\n` +
          `continue with the same chorus eval command and --resume ${run}\n`,
      );
    });
}
