import { join } from "node:path";
import type { Command } from "commander";
import { loadLlamaCppModel } from "../../engines/llamacpp/index.ts";
import type { AnswerType } from "../../evals/answers/extract-answer.ts";
import { parseArmStrategy } from "../../methods/laser/arm-strategy.ts";
import { bestOfN } from "../../methods/laser/best-of-n.ts";
import { accuracyOf, evaluateGreedy, type ItemOutcome } from "../../methods/laser/evaluate.ts";
import { readLaserItems } from "../../methods/laser/laser-items.ts";
import { laserDefaults, laserTrain } from "../../methods/laser/laser-train.ts";
import { ServedPolicy } from "../../methods/laser/served-policy.ts";
import { TrainablePolicy } from "../../methods/laser/trainable-policy.ts";
import { UsageError } from "../../model/errors.ts";
import { Run } from "../../runtime/run.ts";
import { Trainable } from "../../train/trainable.ts";
import { collect, integerArg, numberArg } from "../model-options.ts";
import { loadArms, rmSpecHelp } from "./laser-arms.ts";

/** Everything a training run needs, kept in the run's config.json so `--resume` needs nothing else. */
interface TrainConfig {
  method: "laser";
  policy: string;
  data: string;
  rm: string[];
  strategy: string;
  iterations: number;
  batchSize: number;
  batching: "in-order" | "by-family";
  samples: number;
  temperature: number;
  maxTokens: number;
  pairs: number;
  alpha: number;
  contextDim: number;
  centre: boolean;
  firstReward: "raw" | "neutral";
  rewardScaling: "quantile" | "none";
  earlyStop: number;
  lr: number;
  beta: number;
  nll: number;
  loraRank: number;
  loraAlpha: number;
  loraDropout: number;
  loraTargets: string;
  eos: boolean;
  seed: number;
}

type TrainFlags = Partial<TrainConfig> & { out?: string; resume?: string; json?: boolean };

const oneOf = <T extends string>(v: string | undefined, allowed: readonly T[], flag: string): T => {
  if (v === undefined || !(allowed as readonly string[]).includes(v))
    throw new UsageError(`${flag} must be one of ${allowed.join(", ")}; got "${v}"`);
  return v as T;
};

const trainExamples = `
Examples:
  # LASeR on a local policy with two likelihood reward models (arms), resumable run folder
  $ chorus laser train --policy policy.gguf --data train.jsonl \\
      --rm tales=likelihood:rm-a.gguf \\
      --rm random=likelihood:rm-b.gguf \\
      --iterations 2 --batch-size 4 --samples 4 --max-tokens 24 --lr 1e-3 --no-eos --out runs/laser-1
  $ chorus laser train --resume runs/laser-1            # continue a killed run at its next batch

  # baselines: one RM throughout, a random arm per batch, the ensemble of all arms (K× RM calls)
  $ chorus laser train ... --strategy single:tales --out runs/single
  $ chorus laser train ... --strategy random --out runs/random
  $ chorus laser train ... --strategy ensemble --out runs/ensemble

  # reward models: an LLM yes/no judge, an RM adapter on a GGUF, a vLLM reward server
  $ chorus laser train ... --rm judge:judge.gguf --rm arith=judge:abacus-1m.gguf@rm-arith.gguf \\
      --rm http:http://127.0.0.1:8000#my-rm

train.jsonl lines: {"prompt"|"question", "answer"?, "family"?, "id"?}; gold answers are never used
in training. The run folder gets results.jsonl (one line per batch: arm, loss, reward),
selection.csv (the selection history for plots), laser-report.json (RM calls per arm, late-batch
choice per family) and adapter.gguf (the trained policy).`;

const evalExamples = `
Examples:
  # greedy accuracy of a trained policy (its run folder's adapter) on a test set, with 95% CIs
  $ chorus laser eval --policy model.gguf --run runs/laser-1 --data test.jsonl --answer-type number

  # best-of-n with RM selection (inference-time LASeR) and its baselines
  $ chorus laser eval --policy model.gguf --data test.jsonl --best-of-n 8 \\
      --rm a=likelihood:rm-a.gguf --rm b=judge:rm-b.gguf --strategy laser
  $ chorus laser eval ... --best-of-n 8 --strategy ensemble`;

/** `chorus laser train | eval`. */
export function register(program: Command): void {
  const laser = program
    .command("laser")
    .description("LASeR: a LinUCB bandit picks the reward model per batch for iterative DPO");
  laser
    .command("train")
    .description("iterative DPO+NLL where a bandit picks one reward model per batch")
    .option("--policy <gguf>", "the policy to train (LoRA)")
    .option("--data <jsonl>", "training prompts")
    .option("--rm <spec>", rmSpecHelp, collect)
    .option("--strategy <s>", "laser | random | ensemble | sequential | single:<arm>", "laser")
    .option("--iterations <n>", "iterations M", integerArg(1), laserDefaults.iterations)
    .option("--batch-size <n>", "prompts per batch", integerArg(1), laserDefaults.batchSize)
    .option("--batching <mode>", "in-order | by-family (one family per batch)", "in-order")
    .option("--samples <n>", "responses per prompt n", integerArg(2), laserDefaults.samples)
    .option("--temperature <x>", "sampling temperature", numberArg(0), laserDefaults.temperature)
    .option("--max-tokens <n>", "new tokens per response", integerArg(1), laserDefaults.maxTokens)
    .option(
      "--pairs <n>",
      "preference pairs per prompt P",
      integerArg(1),
      laserDefaults.pairsPerPrompt,
    )
    .option("--alpha <x>", "LinUCB exploration α", numberArg(0), laserDefaults.alpha)
    .option(
      "--context-dim <n>",
      "bandit context dimension (random projection)",
      integerArg(1),
      laserDefaults.contextDim,
    )
    .option("--no-centre", "do not subtract the training batches' mean context")
    .option("--first-reward <raw|neutral>", "first bandit reward unscaled (official) or 0.5", "raw")
    .option("--reward-scaling <quantile|none>", "20/80-percentile scaling of −loss", "quantile")
    .option(
      "--early-stop <x>",
      "stop after an iteration with mean loss below x (0 = never)",
      numberArg(0),
      laserDefaults.earlyStopLoss,
    )
    .option("--lr <x>", "Adam learning rate", numberArg(0), 5e-6)
    .option("--beta <x>", "DPO β", numberArg(0), 0.1)
    .option("--nll <x>", "NLL weight λ on the chosen response", numberArg(0), 1)
    .option("--lora-rank <n>", "LoRA rank", integerArg(1), 16)
    .option("--lora-alpha <x>", "LoRA alpha", numberArg(0), 32)
    .option("--lora-dropout <x>", "LoRA dropout", numberArg(0, 1), 0.1)
    .option("--lora-targets <list>", "LoRA targets", "q_proj,v_proj")
    .option("--no-eos", "do not end trained responses with EOS (models that never saw it)")
    .option("--seed <n>", "seed", integerArg(0), 0)
    .option("--out <dir>", "run folder (default runs/<id>)")
    .option(
      "--resume <dir>",
      "continue the run in this folder (its config.json holds the settings)",
    )
    .option("--json", "print the report as one JSON line")
    .addHelpText("after", trainExamples)
    .action(async (flags: TrainFlags) => {
      await train(flags);
    });
  laser
    .command("eval")
    .description("greedy test accuracy of a policy, or best-of-n with RM selection")
    .requiredOption("--policy <gguf>", "the base policy GGUF")
    .requiredOption("--data <jsonl>", "test items with gold answers")
    .option("--adapter <gguf>", "a LoRA adapter for the policy")
    .option("--run <dir>", "a `laser train` run folder: use its adapter.gguf")
    .option("--answer-type <t>", "text | number | math | choice", "text")
    .option("--max-tokens <n>", "new tokens per response", integerArg(1), 512)
    .option("--best-of-n <n>", "sample n per query and let the chosen RM pick", integerArg(2))
    .option("--rm <spec>", rmSpecHelp, collect)
    .option("--strategy <s>", "laser | random | ensemble | sequential | single:<arm>", "laser")
    .option("--alpha <x>", "LinUCB exploration α", numberArg(0), 0.1)
    .option("--temperature <x>", "sampling temperature for best-of-n", numberArg(0), 0.8)
    .option("--seed <n>", "seed", integerArg(0), 0)
    .option("--out <dir>", "run folder (default runs/<id>)")
    .option("--resume <dir>", "continue an evaluation run")
    .option("--json", "print the report as one JSON line")
    .addHelpText("after", evalExamples)
    .action(async (flags: EvalFlags) => {
      await evaluate(flags);
    });
}

function trainConfig(flags: TrainFlags): TrainConfig {
  if (!flags.policy || !flags.data || !flags.rm?.length)
    throw new UsageError(
      "laser train needs --policy, --data and at least one --rm (or --resume <dir>)",
    );
  return {
    method: "laser",
    policy: flags.policy,
    data: flags.data,
    rm: flags.rm,
    strategy: flags.strategy!,
    iterations: flags.iterations!,
    batchSize: flags.batchSize!,
    batching: oneOf(flags.batching, ["in-order", "by-family"], "--batching"),
    samples: flags.samples!,
    temperature: flags.temperature!,
    maxTokens: flags.maxTokens!,
    pairs: flags.pairs!,
    alpha: flags.alpha!,
    contextDim: flags.contextDim!,
    centre: flags.centre !== false,
    firstReward: oneOf(flags.firstReward, ["raw", "neutral"], "--first-reward"),
    rewardScaling: oneOf(flags.rewardScaling, ["quantile", "none"], "--reward-scaling"),
    earlyStop: flags.earlyStop!,
    lr: flags.lr!,
    beta: flags.beta!,
    nll: flags.nll!,
    loraRank: flags.loraRank!,
    loraAlpha: flags.loraAlpha!,
    loraDropout: flags.loraDropout!,
    loraTargets: flags.loraTargets!,
    eos: flags.eos !== false,
    seed: flags.seed!,
  };
}

async function train(flags: TrainFlags): Promise<void> {
  const run = flags.resume
    ? Run.resume(flags.resume)
    : Run.create({
        ...(flags.out ? { dir: flags.out } : {}),
        config: trainConfig(flags),
        seed: flags.seed ?? 0,
        argv: process.argv.slice(2),
      });
  const c = run.manifest.config as TrainConfig;
  const items = readLaserItems(c.data);
  const { arms, close } = await loadArms(c.rm);
  const trainable = await Trainable.load(c.policy, {
    lora: {
      rank: c.loraRank,
      alpha: c.loraAlpha,
      dropout: c.loraDropout,
      targets: c.loraTargets.split(","),
      seed: c.seed,
    },
  });
  const served = await loadLlamaCppModel({ modelPath: c.policy });
  try {
    const strategy = parseArmStrategy(
      c.strategy,
      arms.map((a) => a.name),
    );
    const policy = new TrainablePolicy(trainable, served, {
      maxPairsPerStep: c.batchSize * c.pairs,
      lr: c.lr,
      beta: c.beta,
      nllWeight: c.nll,
      appendEos: c.eos,
      seed: c.seed,
      workDir: join(run.dir, "adapters"),
    });
    const report = await laserTrain(policy, arms, items, run, {
      strategy,
      iterations: c.iterations,
      batchSize: c.batchSize,
      batching: c.batching,
      samples: c.samples,
      temperature: c.temperature,
      maxTokens: c.maxTokens,
      pairsPerPrompt: c.pairs,
      alpha: c.alpha,
      contextDim: c.contextDim,
      centreContexts: c.centre,
      firstReward: c.firstReward,
      rewardScaling: c.rewardScaling,
      earlyStopLoss: c.earlyStop,
      seed: c.seed,
      onBatch: (r, g, total) =>
        process.stderr.write(
          `batch ${g + 1}/${total} it ${r.iteration} ${r.family || "-"}: ${r.chosen ?? "ensemble"} loss ${r.loss?.toFixed(4) ?? "-"} pairs ${r.pairs}\n`,
        ),
    });
    await trainable.saveAdapter(join(run.dir, "adapter.gguf"));
    const out = { runDir: run.dir, adapter: join(run.dir, "adapter.gguf"), ...report };
    if (flags.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else {
      process.stdout.write(
        `run folder: ${run.dir}\nstrategy ${report.strategy}, ${report.batches} batches, ${report.iterations} iterations${report.stoppedEarly ? " (stopped early)" : ""}\n`,
      );
      for (const [arm, calls] of Object.entries(report.rmCalls))
        process.stdout.write(`  ${arm}: ${calls.batches} batches, ${calls.responses} RM calls\n`);
      for (const [family, l] of Object.entries(report.selection.lateChoice))
        process.stdout.write(
          `  late batches, family ${family || "-"}: ${l.arm} ${(100 * l.share).toFixed(0)}% of ${l.batches}\n`,
        );
      process.stdout.write(
        `  loss per iteration: ${report.lossByIteration.map((x) => x.toFixed(4)).join(" ")}\n`,
      );
    }
  } finally {
    run.close();
    await served.close();
    await trainable.close();
    await close();
  }
}

interface EvalFlags {
  policy: string;
  data: string;
  adapter?: string;
  run?: string;
  answerType: string;
  maxTokens: number;
  bestOfN?: number;
  rm?: string[];
  strategy: string;
  alpha: number;
  temperature: number;
  seed: number;
  out?: string;
  resume?: string;
  json?: boolean;
}

async function evaluate(flags: EvalFlags): Promise<void> {
  const answerType = oneOf(
    flags.answerType,
    ["text", "number", "math", "choice"],
    "--answer-type",
  ) as AnswerType;
  if (flags.adapter && flags.run) throw new UsageError("give --adapter or --run, not both");
  const adapter = flags.adapter ?? (flags.run ? join(flags.run, "adapter.gguf") : undefined);
  if (flags.bestOfN !== undefined && !flags.rm?.length)
    throw new UsageError("--best-of-n needs at least one --rm");
  const items = readLaserItems(flags.data);
  const run = flags.resume
    ? Run.resume(flags.resume)
    : Run.create({
        ...(flags.out ? { dir: flags.out } : {}),
        config: { method: "laser-eval", ...flags, adapter },
        seed: flags.seed,
        argv: process.argv.slice(2),
      });
  const model = await loadLlamaCppModel({
    modelPath: flags.policy,
    ...(adapter ? { lora: [{ path: adapter }] } : {}),
  });
  const arms = flags.bestOfN !== undefined ? await loadArms(flags.rm!) : undefined;
  try {
    const policy = new ServedPolicy(model);
    let outcomes: ItemOutcome[];
    let extra: Record<string, unknown> = {};
    if (arms) {
      const r = await bestOfN(policy, arms.arms, items, run, {
        strategy: parseArmStrategy(
          flags.strategy,
          arms.arms.map((a) => a.name),
        ),
        n: flags.bestOfN!,
        temperature: flags.temperature,
        maxTokens: flags.maxTokens,
        alpha: flags.alpha,
        seed: flags.seed,
        answerType,
      });
      outcomes = r.outcomes;
      extra = { strategy: r.strategy, bestOfN: flags.bestOfN, rmCalls: r.rmCalls };
    } else {
      const todo = items.filter((it) => !run.finished.has(it.id));
      let index = run.finished.size;
      await evaluateGreedy(policy, todo, {
        answerType,
        maxTokens: flags.maxTokens,
        onItem: (o) => run.appendResult({ id: o.id, index: index++, result: o }),
      });
      outcomes = run.results<ItemOutcome>().map((r) => r.result);
    }
    const report = {
      runDir: run.dir,
      adapter: adapter ?? null,
      ...extra,
      ...accuracyOf(outcomes, flags.seed),
    };
    if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      const pct = (x: number) => (100 * x).toFixed(1);
      const a = report.accuracy;
      process.stdout.write(
        `run folder: ${run.dir}\naccuracy ${pct(a.mean)}% [${pct(a.low)}, ${pct(a.high)}] on ${report.n} items\n`,
      );
      for (const [family, f] of Object.entries(report.byFamily))
        process.stdout.write(
          `  ${family || "-"}: ${pct(f.mean)}% [${pct(f.low)}, ${pct(f.high)}] (n ${f.n})\n`,
        );
    }
  } finally {
    run.close();
    await model.close();
    await arms?.close();
  }
}
