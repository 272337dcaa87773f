import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../../model/errors.ts";
import type {
  ChatMessage,
  GenerateRequest,
  GenerateResult,
  TokenLogprob,
} from "../../model/language-model.ts";
import {
  addModelOptions,
  collect,
  integerArg,
  type ModelFlags,
  numberArg,
  openSession,
} from "../model-options.ts";
import { readSteerOption } from "../steer-option.ts";

interface GenerateFlags extends ModelFlags {
  n?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  maxTokens?: number;
  logprobs?: number;
  system?: string;
  raw?: boolean;
  stop?: string[];
  lora?: string[];
  loraScale?: number[];
  json?: boolean;
  out?: string;
  steer?: string;
}

const examples = `
Examples:
  # a local GGUF file, greedy
  $ chorus generate --model model.gguf --raw --temperature 0 "Once upon a time"

  # three samples with top-5 logprobs, one JSON object per sample
  $ chorus generate --model model.gguf --n 3 --temperature 0.8 --seed 1 --logprobs 5 --json "Hi"

  # an OpenAI-compatible server (API key from OPENAI_API_KEY)
  $ chorus generate --base-url http://127.0.0.1:8000/v1 --model qwen2.5-7b \\
      --system "Answer briefly." "What is 2+2?"

  # a model named in chorus.config.json, with a LoRA adapter, prompt from stdin
  $ echo "Tell me a story" | chorus generate --model writer --lora adapter.gguf --lora-scale 0.5 -

Greedy (--temperature 0) and seeded calls are cached in <cache-dir>/calls.sqlite; --no-cache skips it.
`;

/** `chorus generate`: one prompt, one or more completions. */
export function register(program: Command): void {
  const command = program
    .command("generate")
    .description("generate completions for a prompt with a local GGUF model or a server")
    .argument("<prompt>", 'the prompt text, or "-" to read it from stdin');
  addModelOptions(command)
    .option("--system <text>", "system message (chat models)")
    .option("--raw", "send the prompt as raw text, without the chat template")
    .option("--n <k>", "number of samples", integerArg(1), 1)
    .option("--temperature <t>", "sampling temperature (0 = greedy)", numberArg(0))
    .option("--top-p <p>", "nucleus sampling mass", numberArg(0, 1))
    .option("--top-k <k>", "sample among the k most likely tokens", integerArg(0))
    .option("--seed <n>", "sampling seed", integerArg())
    .option("--max-tokens <n>", "most tokens to generate per sample", integerArg(1))
    .option("--stop <text>", "stop at this text (repeatable)", collect)
    .option(
      "--logprobs <k>",
      "per-token logprobs with k alternatives (0 = chosen token only)",
      integerArg(0),
    )
    .option("--lora <adapter.gguf>", "LoRA adapter for a local model (repeatable)", collect)
    .option(
      "--lora-scale <s>",
      "adapter scale; one value for all adapters or one per --lora (repeatable)",
      (value: string, previous: number[] | undefined) => [...(previous ?? []), numberArg()(value)],
    )
    .option(
      "--steer <steer.json>",
      "apply a MAT-Steer steerer (from `chorus steer train`; local GGUF only)",
    )
    .option("--out <dir>", "also record the call in a run folder (config.json, events.jsonl)")
    .option("--json", "one JSON object per sample: text, finishReason, logprobs, usage")
    .addHelpText("after", examples)
    .action(async (prompt: string, flags: GenerateFlags) => {
      await generate(prompt, flags);
    });
}

async function generate(promptArg: string, flags: GenerateFlags): Promise<void> {
  const model = flags.model?.[0];
  if (model === undefined)
    throw new UsageError(
      "generate needs --model <m> (a GGUF path, a cached or configured name, or a server's model with --base-url)",
    );
  if (flags.raw && flags.system !== undefined)
    throw new UsageError("--system needs the chat template; drop --raw or --system");
  const lora = loraAdapters(flags);
  if (lora && flags.baseUrl !== undefined)
    throw new UsageError("--lora works with local GGUF models only; drop --base-url or --lora");
  const steer = await readSteerOption(flags.steer, flags.baseUrl);
  const prompt = promptArg === "-" ? readFileSync(0, "utf8") : promptArg;

  const request: GenerateRequest = {
    ...(flags.raw ? { prompt } : { messages: messages(prompt, flags.system) }),
    n: flags.n ?? 1,
    ...(flags.temperature !== undefined ? { temperature: flags.temperature } : {}),
    ...(flags.topP !== undefined ? { topP: flags.topP } : {}),
    ...(flags.topK !== undefined ? { topK: flags.topK } : {}),
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    ...(flags.maxTokens !== undefined ? { maxTokens: flags.maxTokens } : {}),
    ...(flags.stop ? { stop: flags.stop } : {}),
    ...(flags.logprobs !== undefined ? { logprobs: flags.logprobs } : {}),
  };
  // The progress line (stderr, same terminal) is drawn after the call with "\r" + erase-line: it
  // would wipe a streamed answer's last line. One call needs no progress line, so drop it then.
  const streaming = streamsToTerminal(flags, process.stdout.isTTY);
  const session = await openSession(flags, {
    ...(streaming ? { progress: false } : {}),
    ...(lora ? { extra: { lora } } : {}),
    ...(steer ? { wrapLoaded: steer.wrapLoaded } : {}),
    runConfig: { command: "generate", request, ...(steer ? { steer: steer.record } : {}) },
    argv: process.argv.slice(2),
  });
  try {
    // On a terminal, one plain sample is printed as the engine produces it; a cached answer (or an
    // engine that does not stream) sends no deltas, and then the whole text is printed at the end,
    // as when stdout is a file or a pipe.
    let shown = "";
    const streamed: GenerateRequest = streaming
      ? {
          ...request,
          onText: (index, delta) => {
            if (index !== 0) return;
            shown += delta;
            process.stdout.write(delta);
          },
        }
      : request;
    let result: GenerateResult;
    try {
      result = await session.pool.use(session.models[0]!, (m) => m.generate(streamed));
    } catch (error) {
      if (shown !== "") process.stdout.write("\n");
      throw error;
    }
    // a progress line left open (stdout a terminal, --json or --n > 1) ends before the output
    if (session.progress.open) session.progress.finish();
    process.stdout.write(flags.json ? jsonLines(result) : plainText(result, shown));
  } finally {
    await session.close();
  }
}

function messages(prompt: string, system: string | undefined): ChatMessage[] {
  return [
    ...(system !== undefined ? [{ role: "system" as const, content: system }] : []),
    { role: "user", content: prompt },
  ];
}

function loraAdapters(flags: GenerateFlags): { path: string; scale?: number }[] | undefined {
  const paths = flags.lora ?? [];
  const scales = flags.loraScale ?? [];
  if (scales.length > 0 && paths.length === 0)
    throw new UsageError("--lora-scale needs --lora <adapter.gguf>");
  if (scales.length > 1 && scales.length !== paths.length)
    throw new UsageError(
      `got ${scales.length} --lora-scale values for ${paths.length} --lora adapters; give one scale, or one per adapter`,
    );
  if (paths.length === 0) return undefined;
  return paths.map((path, i) => {
    const scale = scales.length === 1 ? scales[0] : scales[i];
    return scale !== undefined ? { path, scale } : { path };
  });
}

function jsonLines(result: GenerateResult): string {
  return result.generations
    .map(
      (g, index) =>
        `${JSON.stringify({
          index,
          text: g.text,
          finishReason: g.finishReason,
          ...(g.logprobs ? { logprobs: g.logprobs } : {}),
          usage: result.usage,
          cached: result.meta?.cached === true,
        })}\n`,
    )
    .join("");
}

/**
 * Whether `chorus generate` prints text as it is generated: only for people watching a terminal
 * (stdout a TTY), plain output (not --json) and one sample (several would interleave).
 */
export function streamsToTerminal(
  flags: Pick<GenerateFlags, "json" | "n">,
  isTTY: boolean | undefined,
): boolean {
  return isTTY === true && flags.json !== true && (flags.n ?? 1) === 1;
}

/**
 * The plain output: each sample's text and a newline (a header per sample when there are several,
 * the logprob table when asked). `shown` is the first sample's text already printed while it was
 * streamed: only the rest of it is returned, so nothing is printed twice.
 */
export function plainText(result: GenerateResult, shown = ""): string {
  const many = result.generations.length > 1;
  return result.generations
    .map((g, i) => {
      const head = many ? `--- sample ${i + 1} of ${result.generations.length} ---\n` : "";
      const logprobs = g.logprobs ? `\n${logprobTable(g.logprobs)}` : "";
      if (i === 0 && shown !== "")
        // the streamed text is a prefix of the final text; should it not be, print the final text
        // on a line of its own rather than lose it
        return g.text.startsWith(shown)
          ? `${g.text.slice(shown.length)}\n${logprobs}`
          : `\n${head}${g.text}\n${logprobs}`;
      return `${head}${g.text}\n${logprobs}`;
    })
    .join("");
}

function logprobTable(logprobs: TokenLogprob[]): string {
  return logprobs
    .map((t) => {
      const top = t.top.map((a) => `${JSON.stringify(a.token)} ${a.logprob.toFixed(3)}`).join(", ");
      return `${JSON.stringify(t.token)}\t${t.logprob.toFixed(3)}${top ? `\t[${top}]` : ""}\n`;
    })
    .join("");
}
