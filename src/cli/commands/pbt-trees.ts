import type { Command } from "commander";
import { confidenceProbe } from "../../methods/pbt/confidence.ts";
import type { DialogueTree } from "../../methods/pbt/dialogue-tree.ts";
import { type GrowNotes, growTree } from "../../methods/pbt/grow-tree.ts";
import { summarizeTrees } from "../../methods/pbt/grow-trees.ts";
import { UsageError } from "../../model/errors.ts";
import {
  addModelOptions,
  addRunOptions,
  integerArg,
  type ModelFlags,
  numberArg,
  openSession,
  type RunFlags,
  reportRunEnd,
  runSessionItems,
} from "../model-options.ts";
import { dialogueFormat, extractorFor, loadQuestions } from "./pbt-inputs.ts";

interface TreesFlags extends ModelFlags, RunFlags {
  questions?: string;
  format: string;
  extractor?: string;
  worldModel: string;
  maxTurns: number;
  temperature: number;
  maxTokens?: number;
  confidence?: boolean;
}

const examples = `
Examples:
  # the testbed: atlas-1m argues with itself over 300 known Atlas facts (exact answer checks)
  $ chorus pbt trees --model models/atlas-1m.gguf --questions atlas:300 --format transcript --out runs/pbt-trees

  # the paper's setup: two chat models, a third one extracts answers; resumable after a kill
  $ chorus pbt trees --model llama-8b --model mistral-7b --extractor mistral-7b \\
      --questions triviaqa-train.jsonl --confidence --out runs/trees
  $ chorus pbt trees --resume runs/trees --model llama-8b --model mistral-7b --extractor mistral-7b`;

/** `chorus pbt trees`: one persuasion dialogue tree per question, into a run folder. */
export function registerTrees(pbt: Command): void {
  const cmd = pbt
    .command("trees")
    .description(
      "grow persuasion dialogue trees (A answers, B answers blind, A persuades, B resists or accepts)",
    )
    .option(
      "--questions <file|atlas:N>",
      'questions with gold aliases ("answer", "answers" or TriviaQA\'s answer object), or atlas:<n> known facts of the shipped Atlas world',
    )
    .option(
      "--format <chat|transcript>",
      "chat models, or raw-text models trained on Q:/A:/U: dialogues (the testbed)",
      "chat",
    )
    .option(
      "--extractor <model>",
      "answer-extractor model (chat format; default the first --model)",
    )
    .option(
      "--world-model <name>",
      "shipped testbed model whose world atlas:N draws from",
      "atlas-1m",
    )
    .option("--max-turns <n>", "turns per branch", integerArg(1), 4)
    .option("--temperature <t>", "sampling temperature of the turns", numberArg(0), 0.7)
    .option(
      "--max-tokens <n>",
      "new tokens per turn (default: chat 80, transcript 16)",
      integerArg(1),
    )
    .option(
      "--confidence",
      "store each turn's confidence probe (P(yes) of 'do you accept the answer?')",
    );
  addRunOptions(addModelOptions(cmd, { repeatable: true }))
    .addHelpText("after", examples)
    .action(async (flags: TreesFlags) => {
      process.exitCode = await treesCommand(flags);
    });
}

async function treesCommand(flags: TreesFlags): Promise<number> {
  const refs = flags.model ?? [];
  if (refs.length < 1 || refs.length > 2)
    throw new UsageError("give one --model (both agents) or two (agent A, then agent B)");
  if (flags.resume === undefined && flags.questions === undefined)
    throw new UsageError("give --questions <file|atlas:N>");
  const session = await openSession(flags, {
    run: true,
    runConfig: {
      method: "pbt-trees",
      questions: flags.questions,
      worldModel: flags.worldModel,
      format: flags.format,
      maxTurns: flags.maxTurns,
      temperature: flags.temperature,
      ...(flags.maxTokens !== undefined ? { maxTokens: flags.maxTokens } : {}),
      extractor: flags.extractor ?? (flags.format === "chat" ? refs[0] : "exact"),
    },
    argv: process.argv.slice(2),
  });
  try {
    // A resumed run keeps the settings it started with.
    const cfg = session.run!.manifest.config as TreesFlags;
    const format = dialogueFormat(cfg.format);
    const seed = session.seed ?? 0;
    if (!cfg.questions) throw new UsageError("give --questions <file|atlas:N>");
    const questions = loadQuestions(cfg.questions, seed, cfg.worldModel);
    const names = session.models;
    const a = await session.pool.acquire(names[0]!);
    const b = await session.pool.acquire(names[1] ?? names[0]!);
    const extractorName =
      flags.extractor !== undefined
        ? session.pool.addFromFlag(flags.extractor, flags.baseUrl ? { baseURL: flags.baseUrl } : {})
        : format.name === "chat"
          ? names[0]
          : undefined;
    const extractorModel = extractorName ? await session.pool.acquire(extractorName) : undefined;
    const extractor = extractorFor(format, extractorModel);
    const notes: GrowNotes = { skipped: {} };
    const report = await runSessionItems(
      session,
      questions,
      (q, ctx): Promise<DialogueTree> =>
        growTree(
          q,
          [a, b],
          {
            format,
            extractor,
            maxTurns: cfg.maxTurns,
            temperature: cfg.temperature,
            seed,
            ...(cfg.maxTokens !== undefined ? { maxTokens: cfg.maxTokens } : {}),
            ...(flags.confidence ? { confidence: confidenceProbe(extractorModel ?? a) } : {}),
            signal: ctx.signal,
          },
          notes,
        ),
      { id: (q) => q.id },
    );
    const summary = summarizeTrees(
      report.results.map((r) => r.result),
      notes,
    );
    process.stdout.write(
      `${JSON.stringify({ runDir: session.run?.dir, questions: questions.length, ...summary })}\n`,
    );
    if (summary.nodes > 0 && summary.noAnswer === summary.nodes)
      process.stderr.write(
        `no turn had an extractable answer (${summary.nodes} turns): the models do not answer in a form the ${format.name === "transcript" ? "exact extractor" : "extractor model"} reads; check --format\n`,
      );
    return reportRunEnd(session, report);
  } finally {
    await session.close();
  }
}
