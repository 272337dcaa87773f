import type { Command } from "commander";
import { contextDecode } from "../../../methods/adacad/context-decode.ts";
import type {
  ContextDecodeResult,
  ContextDecoding,
} from "../../../methods/adacad/context-decoding.ts";
import { qaPrompts, summaryPrompts } from "../../../methods/adacad/context-prompts.ts";
import { UsageError } from "../../../model/errors.ts";
import {
  addModelOptions,
  integerArg,
  type ModelFlags,
  numberArg,
  openSession,
} from "../../model-options.ts";
import { textArgument } from "./text-argument.ts";

interface AdacadFlags extends ModelFlags {
  context: string;
  question?: string;
  summarize?: boolean;
  method: string;
  alpha?: number;
  alphaFloor?: number;
  maxTokens?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  approximate?: boolean;
  json?: boolean;
}

const examples = `
Examples:
  # answer from a passage that contradicts what the model memorised
  $ chorus run adacad --model model.gguf --context @passage.txt --question "Who wrote it?"

  # the CAD baseline with a fixed α, and every step's α as JSON
  $ chorus run adacad --model model.gguf --context @passage.txt --question "Who wrote it?" --method cad --alpha 1 --json

  # a faithful one-sentence summary (floor 0.3, 100 tokens by default)
  $ chorus run adacad --model model.gguf --context @article.txt --summarize

  # an OpenAI-compatible server: the top-k logprob approximation (marked "approximate")
  $ chorus run adacad --base-url http://127.0.0.1:8000/v1 --model my-base-model --context @p.txt --question "Q?"
`;

/** `chorus run adacad`. */
export function register(run: Command): void {
  const command = run
    .command("adacad")
    .description("answer (or summarize) from a context with AdaCAD, CAD or greedy decoding");
  addModelOptions(command)
    .requiredOption("--context <text|@file>", "the grounding passage (@file reads a file, - stdin)")
    .option("--question <text|@file>", "the question (QA mode)")
    .option("--summarize", "summarize the context instead of answering a question")
    .option("--method <m>", "adacad, cad or greedy", "adacad")
    .option("--alpha <a>", "CAD's fixed α (default 1 for QA, 0.5 for summaries)", numberArg(0))
    .option(
      "--alpha-floor <x>",
      "AdaCAD's α floor (default 0 for QA, 0.3 for summaries)",
      numberArg(0, 1),
    )
    .option(
      "--max-tokens <n>",
      "most tokens to generate (default 32 QA, 100 summaries)",
      integerArg(1),
    )
    .option(
      "--top-p <p>",
      "nucleus sampling on the combined scores (default 0 = greedy)",
      numberArg(0, 1),
    )
    .option("--seed <n>", "sampling seed (with --top-p)", integerArg())
    .option(
      "--top-k <k>",
      "alternatives per step on servers without full logits (default 20)",
      integerArg(1),
    )
    .option("--approximate", "use the top-k logprob path even when full logits are available")
    .option("--json", "one JSON object: text, tokens and the α of every step")
    .addHelpText("after", examples)
    .action(async (flags: AdacadFlags) => {
      await adacad(flags);
    });
}

function decodingFrom(flags: AdacadFlags): ContextDecoding {
  const sampling = {
    ...(flags.topP !== undefined ? { topP: flags.topP } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
  };
  switch (flags.method) {
    case "adacad":
      if (flags.alpha !== undefined)
        throw new UsageError("--alpha is CAD's; AdaCAD takes --alpha-floor");
      return {
        kind: "adacad",
        alphaFloor: flags.alphaFloor ?? (flags.summarize ? 0.3 : 0),
        ...sampling,
      };
    case "cad":
      return { kind: "cad", alpha: flags.alpha ?? (flags.summarize ? 0.5 : 1), ...sampling };
    case "greedy":
      return { kind: "greedy" };
    default:
      throw new UsageError(`--method must be adacad, cad or greedy, got "${flags.method}"`);
  }
}

async function adacad(flags: AdacadFlags): Promise<void> {
  const name = flags.model?.[0];
  if (name === undefined)
    throw new UsageError(
      "run adacad needs --model <m> (a GGUF path, configured name, or a server's model)",
    );
  if (Boolean(flags.summarize) === (flags.question !== undefined))
    throw new UsageError(
      "give either --question <text|@file> (QA) or --summarize, not both or neither",
    );
  const decoding = decodingFrom(flags);
  const context = textArgument(flags.context, "--context");
  const prompts = flags.summarize
    ? summaryPrompts(context)
    : qaPrompts(context, textArgument(flags.question!, "--question"));
  const session = await openSession(flags);
  try {
    const result = await session.pool.use(session.models[0]!, (model) =>
      contextDecode(
        model,
        { ...prompts, maxTokens: flags.maxTokens ?? (flags.summarize ? 100 : 32) },
        decoding,
        {
          approximate: flags.approximate ? "always" : "auto",
          ...(flags.topK !== undefined ? { topK: flags.topK } : {}),
        },
      ),
    );
    process.stdout.write(
      flags.json ? `${JSON.stringify(jsonResult(decoding, result))}\n` : `${result.text.trim()}\n`,
    );
  } finally {
    await session.close();
  }
}

/** The `--json` object: the answer, then one entry per generated step. */
function jsonResult(decoding: ContextDecoding, result: ContextDecodeResult) {
  return {
    method: decoding.kind,
    ...(decoding.kind === "cad" ? { alpha: decoding.alpha } : {}),
    ...(decoding.kind === "adacad" ? { alphaFloor: decoding.alphaFloor ?? 0 } : {}),
    text: result.text,
    finishReason: result.finishReason,
    approximate: result.approximate,
    alphas: result.steps.map((s) => s.alpha),
    tokens: result.steps.map((s) => ({
      ...(s.token >= 0 ? { id: s.token } : {}),
      text: s.text,
      alpha: s.alpha,
      ...(Number.isNaN(s.jsd) ? {} : { jsd: s.jsd }),
      contextArgmax: s.contextArgmaxText,
    })),
    ...("certified" in result ? { certified: result.certified } : {}),
  };
}
