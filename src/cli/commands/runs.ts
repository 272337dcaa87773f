import type { Command } from "commander";
import type { EvalRecord } from "../../evals/eval-record.ts";
import { reportMarkdown, summarize, writeReport } from "../../evals/eval-report.ts";
import { mergeRuns } from "../../runtime/merge-runs.ts";

const examples = `
Examples:
  # four shards of one eval, run anywhere (one per Kubernetes Indexed Job pod or Slurm array task)
  $ chorus eval cot --dataset gsm8k --model model.gguf --shard 0/4 --out runs/s0
  # ... shards 1/4, 2/4, 3/4 likewise; a killed shard continues with --resume runs/s<i> --shard <i>/4
  $ chorus runs merge runs/s0 runs/s1 runs/s2 runs/s3 --out runs/all

The merged folder holds what one process running every item would have written (config.json,
results.jsonl, events.jsonl, and for evals report.md and report.json). A merge refuses shards run
with different settings, a shard given twice or missing, and an unfinished shard.
`;

/** `chorus runs`: operations on run folders. */
export function register(program: Command): void {
  const runs = program.command("runs").description("operations on run folders (merge shards)");
  runs
    .command("merge")
    .description("join the run folders of `--shard i/N` runs into one run folder and report")
    .argument("<runs...>", "the shard run folders, one per shard")
    .requiredOption("--out <dir>", "the merged run folder to create")
    .option("--json", "the report as JSON on stdout")
    .addHelpText("after", examples)
    .action((dirs: string[], flags: { out: string; json?: boolean }) => {
      const merged = mergeRuns(dirs, flags.out);
      const config = merged.manifest.config as {
        command?: string;
        dataset?: string;
        split?: string;
        methods?: string[];
      };
      if (config.command === "eval") {
        const report = summarize(
          merged.results.map((r) => r.result as EvalRecord),
          {
            dataset: config.dataset ?? "",
            split: config.split ?? "",
            seed: merged.manifest.seed ?? 0,
            methods: config.methods ?? [],
          },
        );
        writeReport(merged.dir, report);
        process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : reportMarkdown(report));
      }
      process.stderr.write(
        `merged ${dirs.length} shard(s), ${merged.results.length} result(s) into ${merged.dir}\n`,
      );
    });
}
