/**
 * What the `chorus pbt` subcommands share: the question source, the dialogue format and its
 * extractor, and the pair files a `pairs` folder holds.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AnswerExtractor } from "../../methods/pbt/answer-extractor.ts";
import { llmExtractor, transcriptExtractor } from "../../methods/pbt/answer-extractor.ts";
import { chatFormat } from "../../methods/pbt/chat-format.ts";
import type { DialogueFormat } from "../../methods/pbt/dialogue-format.ts";
import type { PbtQuestion } from "../../methods/pbt/dialogue-tree.ts";
import { readQuestions } from "../../methods/pbt/questions.ts";
import type { PersuasionPair } from "../../methods/pbt/sibling-pairs.ts";
import { transcriptFormat } from "../../methods/pbt/transcript-format.ts";
import { UsageError } from "../../model/errors.ts";
import type { LanguageModel } from "../../model/language-model.ts";
import { readJsonl } from "../../runtime/jsonl-file.ts";
import { type AtlasConfig, atlasConfig } from "../../testbed/atlas/atlas-config.ts";
import { buildAtlasWorld } from "../../testbed/atlas/atlas-world.ts";
import { atlasPbtQuestions } from "../../testbed/atlas/pbt-questions.ts";
import { shippedModel } from "../../testbed/shipped-models.ts";

export const formats: Record<string, DialogueFormat> = {
  chat: chatFormat,
  transcript: transcriptFormat,
};

export function dialogueFormat(name: string): DialogueFormat {
  const f = formats[name];
  if (!f) throw new UsageError(`--format must be chat or transcript, got "${name}"`);
  return f;
}

/**
 * `atlas:<n>[:<set>]` draws n known facts of the shipped Atlas world (`--world-model`, default
 * atlas-1m) with the run seed; anything else is a questions file.
 */
export function loadQuestions(
  source: string,
  seed: number,
  worldModel = "atlas-1m",
): PbtQuestion[] {
  const atlas = /^atlas:(\d+)(?::([a-z0-9-]+))?$/.exec(source);
  if (!atlas) {
    if (!existsSync(source))
      throw new UsageError(`--questions ${source}: no such file (or use atlas:<n>)`);
    return readQuestions(source);
  }
  const { record } = shippedModel(worldModel);
  const world = buildAtlasWorld(atlasConfig(record.worldConfig as Partial<AtlasConfig>));
  return atlasPbtQuestions(world, seed, Number(atlas[1]), atlas[2] ?? "pbt");
}

/** The exact extractor for transcripts; an LLM extractor for chat (default: the given model). */
export function extractorFor(format: DialogueFormat, model?: LanguageModel): AnswerExtractor {
  if (format.name === "transcript" && !model) return transcriptExtractor;
  if (!model) throw new UsageError("the chat format needs an extractor model (--extractor)");
  return llmExtractor(model);
}

/** The pairs of one file of a `chorus pbt pairs` folder (train-<variant>, dev, test). */
export function readPairFile(dir: string, name: string): PersuasionPair[] {
  const path = join(dir, `${name}.jsonl`);
  if (!existsSync(path))
    throw new UsageError(`${path} not found: --pairs takes a folder written by chorus pbt pairs`);
  return readJsonl<PersuasionPair>(path);
}
