import type { Command } from "commander";
import type { AnswerType } from "../../evals/answers/extract-answer.ts";
import { findDatasetLoader, loadDataset, parseFieldMapping } from "../../evals/datasets/index.ts";
import { evalMethods, loadEvalMethod } from "../../evals/eval-methods.ts";
import { reportMarkdown, writeReport } from "../../evals/eval-report.ts";
import { poolModelSource } from "../../evals/pool-model-source.ts";
import { runEval } from "../../evals/run-eval.ts";
import { UsageError } from "../../model/errors.ts";
import {
  type BatchMode,
  type BatchSession,
  hasBatches,
} from "../../runtime/batch/batch-session.ts";
import { openBatchSession } from "../../runtime/batch/open-batch-session.ts";
import { formatShard, parseShard } from "../../runtime/shard.ts";
import { addDataOptions, type DataFlags, dataLoadOptions } from "../data-options.ts";
import {
  addModelOptions,
  addRunOptions,
  collect,
  integerArg,
  type ModelFlags,
  openSession,
  type RunFlags,
} from "../model-options.ts";
import { readSteerOption } from "../steer-option.ts";

interface EvalFlags extends ModelFlags, RunFlags, DataFlags {
  dataset: string;
  split?: string;
  limit?: number;
  baselines?: string;
  set?: string[];
  role?: string[];
  field?: string;
  answerType?: string;
  steer?: string;
  shard?: string;
  batch?: string;
  batchMaxLines?: number;
  batchPollMs?: number;
  batchFlushMs?: number;
}

const answerTypes: AnswerType[] = ["math", "number", "choice", "text", "none"];
const batchModes: BatchMode[] = ["offline", "online"];

const examples = `
Examples:
  # MAgICoRe on 20 GSM8K problems with a local model, compared with two baselines on the same samples
  $ chorus eval magicore --dataset gsm8k --limit 20 --model model.gguf --baselines self-consistency,rm-vote --set k=8

  # Symbolic-MoE over two experts, with profiles from 'chorus moe profile'
  $ chorus eval symbolic-moe --dataset mmlu-pro --limit 50 --model a.gguf --model b.gguf --set profiles=moe.json

  # MAMM-Refine on 5 XSum summaries: models a and b refine, a third model judges faithfulness;
  # compared with single-agent DCR and the summaries as given (the score is the mean faithfulness)
  $ chorus eval mamm-refine --dataset xsum --limit 5 --model a.gguf --model b.gguf --model judge.gguf \\
      --role judge=judge.gguf --baselines dcr,no-refine

  # TruthfulQA MC1 with a MAT-Steer steerer applied to the model (cached apart from unsteered calls)
  $ chorus eval cot --dataset truthfulqa-mc1 --limit 50 --model model.gguf --steer steer.json

  # a named dataset not on this machine is downloaded from the hub into the cache first
  # (chorus data pull gsm8k does it ahead of time; --offline fails instead)
  $ chorus eval self-consistency --dataset gsm8k --limit 20 --model model.gguf

  # one of four shards (a Kubernetes Indexed Job or Slurm array task each); then
  # chorus runs merge runs/s0 runs/s1 runs/s2 runs/s3 --out runs/all
  $ chorus eval cot --dataset gsm8k --model model.gguf --shard 2/4 --out runs/s2

  # model calls as OpenAI Batch requests: offline rounds for vllm run-batch (then chorus batch
  # import and --resume; see chorus batch import --help), or online through /v1/files + /v1/batches
  $ chorus eval self-refine --dataset gsm8k --limit 100 --model qwen --base-url http://127.0.0.1:8000/v1 --batch offline --out runs/sr
  $ chorus eval cot --dataset gsm8k --model gpt-4o-mini --base-url https://api.openai.com/v1 --batch online --out runs/b

  # one model served by three vLLM replicas: 64 items at once, each item's calls kept on one
  # replica, failover and 429/503 backpressure handled per replica (docs/engines-openai.md)
  $ chorus eval self-consistency --dataset gsm8k --model qwen --concurrency 64 \
      --base-url http://10.0.0.1:8000/v1 --base-url http://10.0.0.2:8000/v1 --base-url http://10.0.0.3:8000/v1

  # your own file: fields mapped, answers compared as LaTeX math
  $ chorus eval self-consistency --dataset mine.jsonl --field question=problem,answer=solution --answer-type math

Methods: ${evalMethods.map((m) => m.name).join(", ")}.
Roles (--role solver=<model>; reviewer, refiner, orm, prm for MAgICoRe; annotator for Symbolic-MoE;
judge for MAMM-Refine and AdaCAD; generator for AdaCAD; utgen, debugger for UTDebug) default to the
first --model; <model> is a --model value or a configured name. Method settings go in
--set key=value (see docs/evals.md and the method docs).
The run folder holds config.json, events.jsonl, results.jsonl, report.md and report.json.
`;

/** `chorus eval`: a method (and baselines) over a dataset, with a report. */
export function register(program: Command): void {
  const command = program
    .command("eval")
    .description("evaluate a method (and baselines) on a dataset; writes a run folder and a report")
    .argument("<method>", `one of: ${evalMethods.map((m) => m.name).join(", ")}`);
  addModelOptions(command, { repeatable: true })
    .requiredOption("--dataset <name|file>", "a named dataset or a .jsonl/.json/.csv(.gz) file")
    .option("--split <split>", "dataset split (default: the dataset's first)")
    .option("--limit <n>", "evaluate the first n items", integerArg(1))
    .option("--baselines <a,b>", "other methods to run on the same items, comma-separated")
    .option("--set <key=value>", "method setting (repeatable), e.g. --set k=8", collect)
    .option("--role <role=model>", "which model plays a role (repeatable)", collect)
    .option("--field <mapping>", "for files: question=<f>,answer=<f>,id=<f>,choices=<f>|<f>...")
    .option("--answer-type <type>", `for files: ${answerTypes.join(", ")}`)
    .option(
      "--steer <steer.json>",
      "steer every model with a MAT-Steer steerer (from `chorus steer train`; local GGUF only)",
    )
    .option(
      "--shard <i/N>",
      "run only items whose position modulo N is i (join: chorus runs merge)",
    )
    .option(
      "--batch <mode>",
      "send model calls as Batch requests: offline (write <run>/batch/round-*.jsonl and exit; see chorus batch import) or online (/v1/files + /v1/batches)",
    )
    .option("--batch-max-lines <n>", "requests per Batch file (default 5000)", integerArg(1))
    .option(
      "--batch-poll-ms <ms>",
      "online: how often to ask a batch's status (default 30000)",
      integerArg(1),
    )
    .option(
      "--batch-flush-ms <ms>",
      "online: submit a partial batch after this wait (default 15000)",
      integerArg(1),
    );
  addDataOptions(addRunOptions(command)).addHelpText("after", examples);
  command.action(async (methodName: string, flags: EvalFlags) => {
    process.exitCode = await evalCommand(methodName, flags);
  });
}

function keyValues(values: readonly string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values ?? []) {
    const at = value.indexOf("=");
    if (at <= 0) throw new UsageError(`${flag} ${value}: expected key=value`);
    out[value.slice(0, at).trim()] = value.slice(at + 1).trim();
  }
  return out;
}

async function evalCommand(methodName: string, flags: EvalFlags): Promise<number> {
  if (flags.answerType !== undefined && !answerTypes.includes(flags.answerType as AnswerType))
    throw new UsageError(`--answer-type: expected one of ${answerTypes.join(", ")}`);
  const mapping = {
    ...(flags.field ? parseFieldMapping(flags.field) : {}),
    ...(flags.answerType ? { answerType: flags.answerType as AnswerType } : {}),
  };
  const names = [
    methodName,
    ...(flags.baselines ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  ];
  const steer = await readSteerOption(flags.steer, flags.baseUrl);
  const methods = await Promise.all(names.map(loadEvalMethod));
  const items = await loadDataset(flags.dataset, {
    ...dataLoadOptions(flags),
    ...(flags.split ? { split: flags.split } : {}),
    ...(flags.limit !== undefined ? { limit: flags.limit } : {}),
    mapping,
  });
  if (items.length === 0) throw new UsageError(`dataset "${flags.dataset}" has no items`);
  const loader = findDatasetLoader(flags.dataset);
  const split = flags.split ?? loader?.splits[0] ?? "file";
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : undefined;
  if (flags.batch !== undefined && !batchModes.includes(flags.batch as BatchMode))
    throw new UsageError(`--batch: expected one of ${batchModes.join(", ")}, got "${flags.batch}"`);
  const batchMode = flags.batch as BatchMode | undefined;
  if (batchMode && flags.out === undefined && flags.resume === undefined)
    throw new UsageError(
      `--batch ${batchMode} needs --out <run> (or --resume <run>): its requests and answers live in the run folder`,
    );
  const options = keyValues(flags.set, "--set");
  const roleFlags = keyValues(flags.role, "--role");
  // set once the run folder is open; models load (and get wrapped) only after that
  let batch: BatchSession | undefined;
  const session = await openSession(flags, {
    run: true,
    wrapLoaded: (model, loaded) => {
      const steered = steer ? steer.wrapLoaded(model) : model;
      return batch ? batch.wrap(steered, loaded) : steered;
    },
    runConfig: {
      command: "eval",
      methods: names,
      dataset: flags.dataset,
      split,
      limit: flags.limit,
      options,
      roles: roleFlags,
      ...(steer ? { steer: steer.record } : {}),
      // what `chorus runs merge` checks: same settings, all shards, each complete
      ...(shard ? { shard: { ...shard, items: items.length } } : {}),
      ...(batchMode ? { batch: batchMode } : {}),
    },
    argv: process.argv.slice(2),
  });
  try {
    if (session.run && (batchMode || hasBatches(session.run.dir)))
      batch = await openBatchSession(session.run.dir, batchMode, {
        maxLines: flags.batchMaxLines ?? 5000,
        runId: session.run.id,
        ...(flags.batchPollMs !== undefined ? { pollMs: flags.batchPollMs } : {}),
        ...(flags.batchFlushMs !== undefined ? { flushAfterMs: flags.batchFlushMs } : {}),
        log: (message) => process.stderr.write(`${message}\n`),
      });
    // --role values may name a --model value as typed (a path) or its pool name
    const refs = flags.model ?? [];
    const roles = Object.fromEntries(
      Object.entries(roleFlags).map(([role, value]) => {
        const at = refs.indexOf(value);
        return [role, at >= 0 ? session.models[at]! : value];
      }),
    );
    // a resumed run keeps its steerer: mixing steered and unsteered items would mislead
    const recorded = (session.run?.manifest.config as { steer?: { fingerprint?: string } })?.steer
      ?.fingerprint;
    if (flags.resume !== undefined && recorded !== steer?.record.fingerprint)
      throw new UsageError(
        `--resume ${flags.resume}: that run was made ${recorded ? `with --steer (fingerprint ${recorded.slice(0, 16)})` : "without --steer"}; resume it with the same steerer`,
      );
    const recordedShard = (
      session.run?.manifest.config as { shard?: { index: number; count: number } }
    )?.shard;
    if (
      flags.resume !== undefined &&
      (recordedShard ? formatShard(recordedShard) : undefined) !==
        (shard ? formatShard(shard) : undefined)
    )
      throw new UsageError(
        `--resume ${flags.resume}: that run was made ${recordedShard ? `with --shard ${formatShard(recordedShard)}` : "without --shard"}; resume it with the same shard`,
      );
    // a steerer that does not fit a model (hidden size, layer) fails here, before any item runs
    if (steer) for (const name of session.models) await session.pool.use(name, async () => {});
    const seed = session.seed ?? 0;
    const result = await runEval({
      methods,
      items,
      dataset: { name: flags.dataset, split, answerType: items[0]!.answerType },
      models: poolModelSource(session.pool, session.models, roles),
      seed,
      options,
      // online, a waiting item is only a pending promise: let a batch window's worth wait at once
      concurrency:
        batchMode === "online" && flags.concurrency === undefined
          ? Math.max(session.concurrency, 50_000)
          : session.concurrency,
      ...(shard ? { shard } : {}),
      // each offline round replays an item's answered calls: log them once, when it finishes
      ...(batchMode === "offline" ? { holdCalls: true } : {}),
      ...(session.run ? { run: session.run } : {}),
      stats: session.stats,
      ...(session.cache ? { callCache: session.cache } : {}),
      progress: session.progress,
      log: (message) => process.stderr.write(`${message}\n`),
    });
    session.progress.finish();
    const deferred = result.runReports.reduce((sum, r) => sum + r.deferred, 0);
    if (batch && deferred > 0) {
      const files = await batch.finishRound();
      process.stderr.write(
        `${deferred} item(s) wait for batch answers; ${batch.pending.size} request(s) written to:\n` +
          files.map((f) => `  ${f}\n`).join("") +
          "run them (e.g. vllm run-batch -i <file> -o <out.jsonl> --model <model>), then\n" +
          `  chorus batch import ${session.run!.dir} <out.jsonl>...\n` +
          `and run this command again with --resume ${session.run!.dir} instead of --out\n`,
      );
      return 0;
    }
    if (session.run) writeReport(session.run.dir, result.report);
    process.stdout.write(
      flags.json ? `${JSON.stringify(result.report)}\n` : reportMarkdown(result.report),
    );
    let code = 0;
    for (const report of result.runReports) {
      if (report.stopped || report.failed.length > 0) code = 1;
      for (const failure of report.failed.slice(0, 3))
        process.stderr.write(`failed: ${failure.id}: ${failure.error}\n`);
      if (report.stopped) process.stderr.write(`stopped: ${report.stopped.message}\n`);
    }
    if (session.run) process.stderr.write(`report: ${session.run.dir}/report.md\n`);
    return code;
  } finally {
    await batch?.close();
    await session.close();
  }
}
