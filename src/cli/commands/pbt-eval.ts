import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { type AreYouSureOutcome, areYouSure } from "../../methods/pbt/are-you-sure.ts";
import type { PbtQuestion } from "../../methods/pbt/dialogue-tree.ts";
import {
  summarizeAreYouSure,
  summarizeDebate,
  summarizePersuasion,
} from "../../methods/pbt/eval-summary.ts";
import { type PersuasionOutcome, persuasionItem } from "../../methods/pbt/persuasion-eval.ts";
import type { PersuasionPair } from "../../methods/pbt/sibling-pairs.ts";
import { type TeamDebateOutcome, teamDebate } from "../../methods/pbt/team-debate.ts";
import { UsageError } from "../../model/errors.ts";
import type { ModelPool } from "../../runtime/model-pool.ts";
import {
  addModelOptions,
  addRunOptions,
  type ModelFlags,
  openSession,
  type RunFlags,
  reportRunEnd,
  runSessionItems,
} from "../model-options.ts";
import { dialogueFormat, extractorFor, loadQuestions, readPairFile } from "./pbt-inputs.ts";
import { renderPbtReport } from "./pbt-report.ts";

interface EvalFlags extends ModelFlags, RunFlags {
  lora?: string;
  pairs?: string;
  split: string;
  questions?: string;
  partner?: string;
  partnerLora?: string;
  extractor?: string;
  format: string;
  worldModel: string;
  evals: string;
}

/**
 * The debate partner's pool name. A local partner gets its own entry ("partner"), so it never
 * shares the evaluated model's entry and its `--lora` even when both are the same file.
 */
function addPartner(flags: EvalFlags, pool: ModelPool): string {
  const ref = flags.partner!;
  if (flags.baseUrl) return pool.addFromFlag(ref, { baseURL: flags.baseUrl });
  const base = pool.has(ref) ? pool.entry(ref) : { engine: "llamacpp" as const, file: ref };
  pool.add("partner", {
    ...base,
    ...(flags.partnerLora ? { lora: [{ path: flags.partnerLora }] } : { lora: [] }),
  });
  return "partner";
}

type Item =
  | { kind: "persuasion"; pair: PersuasionPair }
  | { kind: "are-you-sure"; question: PbtQuestion }
  | { kind: "debate"; order: 0 | 1; question: PbtQuestion };

type Outcome = PersuasionOutcome | AreYouSureOutcome | TeamDebateOutcome;

const examples = `
Examples:
  # a PBT adapter on the testbed: balanced persuasion (test pairs), "are you sure?", team debate
  $ chorus pbt eval --model models/atlas-1m.gguf --lora pbt.gguf --format transcript \\
      --pairs pairs/ --questions atlas:300:pbt-eval --partner models/atlas-mini.gguf --out runs/pbt-eval

  # the base model, persuasion eval only
  $ chorus pbt eval --model models/atlas-1m.gguf --format transcript --pairs pairs/ --evals persuasion

  # chat models through a server, Mistral as the answer extractor
  $ chorus pbt eval --base-url http://127.0.0.1:8000/v1 --model pbt-8b --extractor mistral-7b \\
      --pairs pairs/ --questions triviaqa-validation.jsonl --partner llama-70b`;

/** `chorus pbt eval`: PBT's evaluations in a run folder, with a report and bootstrap CIs. */
export function registerEval(pbt: Command): void {
  const cmd = pbt
    .command("eval")
    .description(
      'balanced persuasion accuracy (CtI/ItC), "are you sure?" flip rate, team debate in both orders',
    )
    .option("--lora <adapter.gguf>", "LoRA adapter of the evaluated local model")
    .option("--pairs <dir>", "a chorus pbt pairs folder: its balanced test (or --split dev) pairs")
    .option("--split <test|dev>", "which balanced pairs the persuasion eval uses", "test")
    .option("--questions <file|atlas:N[:set]>", 'questions for "are you sure?" and the team debate')
    .option("--partner <model>", "the other team member of the debate (both speaking orders)")
    .option("--partner-lora <adapter.gguf>", "LoRA adapter of a local partner")
    .option(
      "--extractor <model>",
      "answer-extractor model (chat format; default the evaluated model)",
    )
    .option("--format <chat|transcript>", "dialogue format", "chat")
    .option(
      "--world-model <name>",
      "shipped testbed model whose world atlas:N draws from",
      "atlas-1m",
    )
    .option(
      "--evals <list>",
      "persuasion,are-you-sure,debate (default: those the inputs allow)",
      "",
    );
  addRunOptions(addModelOptions(cmd))
    .addHelpText("after", examples)
    .action(async (flags: EvalFlags) => {
      process.exitCode = await evalCommand(flags);
    });
}

async function evalCommand(flags: EvalFlags): Promise<number> {
  if ((flags.model ?? []).length !== 1)
    throw new UsageError("give the evaluated model with --model");
  const format = dialogueFormat(flags.format);
  const wanted = new Set(
    flags.evals
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const want = (k: string, possible: boolean) => (wanted.size === 0 ? possible : wanted.has(k));
  const doPersuasion = want("persuasion", flags.pairs !== undefined);
  const doSure = want("are-you-sure", flags.questions !== undefined);
  const doDebate = want("debate", flags.questions !== undefined && flags.partner !== undefined);
  if (doPersuasion && !flags.pairs) throw new UsageError("the persuasion eval needs --pairs <dir>");
  if ((doSure || doDebate) && !flags.questions)
    throw new UsageError("are-you-sure and debate need --questions");
  if (doDebate && !flags.partner) throw new UsageError("the debate needs --partner <model>");
  if (!doPersuasion && !doSure && !doDebate)
    throw new UsageError(
      "nothing to evaluate: give --pairs, --questions (and --partner for the debate)",
    );
  if (flags.split !== "test" && flags.split !== "dev")
    throw new UsageError("--split must be test or dev");

  const session = await openSession(flags, {
    run: true,
    runConfig: {
      method: "pbt-eval",
      format: format.name,
      lora: flags.lora,
      partner: flags.partner,
      partnerLora: flags.partnerLora,
      pairs: flags.pairs,
      split: flags.split,
      questions: flags.questions,
      evals: { persuasion: doPersuasion, areYouSure: doSure, debate: doDebate },
    },
    argv: process.argv.slice(2),
    ...(flags.lora ? { extra: { lora: [{ path: flags.lora }] } } : {}),
  });
  try {
    const seed = session.seed ?? 0;
    const pool = session.pool;
    const model = await pool.acquire(session.models[0]!);
    const partner = doDebate ? await pool.acquire(addPartner(flags, pool)) : model;
    const extractorModel =
      flags.extractor !== undefined
        ? await pool.acquire(
            pool.addFromFlag(flags.extractor, flags.baseUrl ? { baseURL: flags.baseUrl } : {}),
          )
        : format.name === "chat"
          ? model
          : undefined;
    const settings = { format, extractor: extractorFor(format, extractorModel), seed };
    const items: Item[] = [];
    if (doPersuasion)
      for (const pair of readPairFile(flags.pairs!, flags.split))
        items.push({ kind: "persuasion", pair });
    const questions =
      doSure || doDebate ? loadQuestions(flags.questions!, seed, flags.worldModel) : [];
    if (doSure) for (const question of questions) items.push({ kind: "are-you-sure", question });
    if (doDebate)
      for (const order of [0, 1] as const)
        for (const question of questions) items.push({ kind: "debate", order, question });
    if (items.length === 0)
      throw new UsageError("no evaluation items (empty pairs file or questions)");
    const report = await runSessionItems(
      session,
      items,
      async (item, ctx): Promise<Outcome> => {
        const s = { ...settings, signal: ctx.signal };
        if (item.kind === "persuasion") return persuasionItem(model, item.pair, s);
        if (item.kind === "are-you-sure") return areYouSure(model, item.question, s);
        const agents = item.order === 0 ? ([model, partner] as const) : ([partner, model] as const);
        return teamDebate(item.question, agents, s);
      },
      {
        id: (item) =>
          item.kind === "persuasion"
            ? `persuasion:${item.pair.id}`
            : item.kind === "debate"
              ? `debate-${item.order}:${item.question.id}`
              : `are-you-sure:${item.question.id}`,
      },
    );
    const of = (prefix: string) =>
      report.results.filter((r) => r.id.startsWith(prefix)).map((r) => r.result);
    const summary = {
      ...(doPersuasion
        ? { persuasion: summarizePersuasion(of("persuasion:") as PersuasionOutcome[], seed) }
        : {}),
      ...(doSure
        ? { areYouSure: summarizeAreYouSure(of("are-you-sure:") as AreYouSureOutcome[], seed) }
        : {}),
      ...(doDebate
        ? {
            debate: summarizeDebate(
              of("debate-0:") as TeamDebateOutcome[],
              of("debate-1:") as TeamDebateOutcome[],
              seed,
            ),
          }
        : {}),
    };
    const dir = session.run!.dir;
    writeFileSync(join(dir, "report.json"), `${JSON.stringify(summary, null, 2)}\n`);
    const markdown = renderPbtReport(summary);
    writeFileSync(join(dir, "report.md"), markdown);
    if (flags.json) process.stdout.write(`${JSON.stringify({ runDir: dir, ...summary })}\n`);
    else process.stdout.write(markdown);
    return reportRunEnd(session, report);
  } finally {
    await session.close();
  }
}
