import type { Command } from "commander";
import type { Framing } from "../../../methods/mamm-refine/collaborate.ts";
import {
  type MammRefineConfig,
  type MammRefineInput,
  mammRefine,
} from "../../../methods/mamm-refine/mamm-refine.ts";
import { readSourceSummaryPairs } from "../../../methods/mamm-refine/source-summary-file.ts";
import { UsageError } from "../../../model/errors.ts";
import type { LanguageModel } from "../../../model/language-model.ts";
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
  type Session,
} from "../../model-options.ts";
import { textArgument } from "./text-argument.ts";

interface MammFlags extends ModelFlags, RunFlags {
  source?: string;
  summary?: string;
  input?: string;
  topic?: string;
  task?: string;
  maxRounds?: number;
  framing?: string;
  critiqueFraming?: string;
  refineFraming?: string;
  singleAgent?: boolean;
  maxTokens?: number;
  temperature?: number;
}

const examples = `
Examples:
  # the recipe with two model families: detect = a + b, critique = a × 2, refine = b × 2
  $ chorus run mamm-refine --source article.txt --summary summary.txt --model a.gguf --model b.gguf

  # one model, GENERATE framing (the ablation), at most 3 debate rounds, full trace as JSON
  $ chorus run mamm-refine --source doc.txt --summary sum.txt --model m.gguf --framing generate --max-rounds 3 --json

  # many (source, summary) pairs from JSONL (fields source|document, summary|text, topic?, id?),
  # recorded in a run folder and resumable
  $ chorus run mamm-refine --input pairs.jsonl --model a.gguf --model b.gguf --out runs/refine-1
`;

/** `chorus run mamm-refine`. */
export function register(run: Command): void {
  const command = run
    .command("mamm-refine")
    .description("detect, critique and refine unfaithful sentences with several agents and models");
  addRunOptions(addModelOptions(command, { repeatable: true }))
    .option("--source <file>", "the grounding document (a file, - for stdin)")
    .option("--summary <file>", "the text to refine (a file)")
    .option(
      "--input <file>",
      "JSONL/JSON/CSV of (source, summary) pairs instead of --source/--summary",
    )
    .option("--topic <text>", "topic of a topic-focused summary")
    .option("--task <text>", "the original instruction, shown to the refine reranker")
    .option("--max-rounds <n>", "debate rounds in all, first included (default 10)", integerArg(1))
    .option("--framing <f>", "rerank (the recipe) or generate, for critique and refine")
    .option("--critique-framing <f>", "rerank or generate for CRITIQUE only")
    .option("--refine-framing <f>", "rerank or generate for REFINE only")
    .option("--single-agent", "one agent per stage (no debate, no reranking)")
    .option("--max-tokens <n>", "most tokens per model call (default 1000)", integerArg(1))
    .option("--temperature <t>", "sampling temperature of every call (default 1)", numberArg(0))
    .addHelpText("after", examples)
    .action(async (flags: MammFlags) => {
      process.exitCode = await mamm(flags);
    });
}

function framing(value: string | undefined, flag: string): Framing | undefined {
  if (value === undefined || value === "rerank" || value === "generate") return value;
  throw new UsageError(`${flag} must be rerank or generate, got "${value}"`);
}

function inputs(flags: MammFlags): Array<MammRefineInput & { id: string }> {
  if (flags.input !== undefined) {
    if (flags.source !== undefined || flags.summary !== undefined)
      throw new UsageError("give --input or --source/--summary, not both");
    return readSourceSummaryPairs(flags.input);
  }
  if (flags.source === undefined || flags.summary === undefined)
    throw new UsageError(
      "run mamm-refine needs --source <file> and --summary <file> (or --input pairs.jsonl)",
    );
  return [
    {
      id: "0",
      document: textArgument(flags.source === "-" ? "-" : `@${flags.source}`, "--source"),
      text: textArgument(`@${flags.summary}`, "--summary").trim(),
      ...(flags.topic !== undefined ? { topic: flags.topic } : {}),
      ...(flags.task !== undefined ? { task: flags.task } : {}),
    },
  ];
}

/**
 * Stage agents from the --model list, as in the recipe: with models a and b, DETECT debates
 * a vs b, CRITIQUE samples a twice, REFINE samples b twice; with one model, two samples of it.
 */
function configFrom(
  models: LanguageModel[],
  flags: MammFlags,
  seed: number | undefined,
): MammRefineConfig {
  const a = models[0]!;
  const b = models[1] ?? a;
  const one = flags.singleAgent === true;
  const shared = framing(flags.framing, "--framing");
  const critiqueFraming = framing(flags.critiqueFraming, "--critique-framing") ?? shared;
  const refineFraming = framing(flags.refineFraming, "--refine-framing") ?? shared;
  return {
    detect: { agents: one ? [a] : models.length > 1 ? models : [a, a] },
    critique: {
      agents: one ? [a] : [a, a],
      ...(critiqueFraming ? { framing: critiqueFraming } : {}),
    },
    refine: { agents: one ? [b] : [b, b], ...(refineFraming ? { framing: refineFraming } : {}) },
    ...(flags.maxRounds !== undefined ? { maxRounds: flags.maxRounds } : {}),
    ...(flags.maxTokens !== undefined ? { maxTokens: flags.maxTokens } : {}),
    ...(flags.temperature !== undefined ? { temperature: flags.temperature } : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

/** Borrows every named model from the pool at once (nested `use`), then runs `fn`. */
function withModels<T>(
  session: Session,
  names: readonly string[],
  fn: (models: LanguageModel[]) => Promise<T>,
): Promise<T> {
  const borrow = (i: number, held: LanguageModel[]): Promise<T> =>
    i === names.length ? fn(held) : session.pool.use(names[i]!, (m) => borrow(i + 1, [...held, m]));
  return borrow(0, []);
}

async function mamm(flags: MammFlags): Promise<number> {
  if ((flags.model ?? []).length === 0)
    throw new UsageError("run mamm-refine needs --model <m> (repeat it for several models)");
  const items = inputs(flags);
  const batch = flags.input !== undefined;
  const session = await openSession(flags, {
    run: batch,
    runConfig: { command: "run mamm-refine", flags },
    argv: process.argv.slice(2),
  });
  try {
    return await withModels(session, session.models, async (models) => {
      const config = configFrom(models, flags, session.seed);
      if (!batch) {
        const result = await mammRefine(items[0]!, config);
        process.stdout.write(
          flags.json ? `${JSON.stringify(result)}\n` : `${result.refinedText}\n`,
        );
        return 0;
      }
      const report = await runSessionItems(
        session,
        items,
        async (item) => {
          const result = await mammRefine(item, config);
          const line = flags.json
            ? JSON.stringify({ id: item.id, ...result })
            : `${item.id}\t${result.refinedText}`;
          process.stdout.write(`${line}\n`);
          return {
            id: item.id,
            refinedText: result.refinedText,
            labels: result.labels,
            critiques: result.critiques,
            usage: result.usage,
          };
        },
        { id: (item) => item.id },
      );
      return reportRunEnd(session, report);
    });
  } finally {
    await session.close();
  }
}
