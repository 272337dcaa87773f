import { Command, CommanderError } from "commander";
import { ChorusError, ConfigError, UsageError } from "../model/errors.ts";
import { registerFor } from "./commands/index.ts";
import { version } from "./version.ts";

/** Exit codes: 0 ok, 1 failure, 2 usage or configuration error. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command("chorus")
    .description(
      "LLMs that work together and are opened up: ten published methods on one substrate",
    )
    .version(version, "-V, --version")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .addHelpText(
      "after",
      `
Examples:
  chorus generate --model model.gguf --raw "Once upon a time"
  chorus generate --base-url http://127.0.0.1:8000/v1 --model my-model --n 4 --json "2+2?"
  chorus eval magicore --dataset gsm8k --limit 20 --model qwen.gguf
  chorus run adacad --model qwen.gguf --context @passage.txt --question "Who wrote it?"
  chorus train sft --model qwen.gguf --data sft.jsonl --out adapter.gguf
  chorus serve --model qwen=qwen.gguf --port 8080

Docs: docs/ in the chorus repository (one page per method).`,
    );
  await registerFor(program, argv);
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}

function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander already printed its one-line reason; help and version exit 0
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof UsageError || error instanceof ConfigError) {
    process.stderr.write(`chorus: ${error.message}\n`);
    return 2;
  }
  if (error instanceof ChorusError) {
    process.stderr.write(`chorus: ${error.message}\n`);
    return 1;
  }
  process.stderr.write(
    `chorus: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
}
