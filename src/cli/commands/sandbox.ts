import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { UsageError } from "../../model/errors.ts";
import { Sandbox } from "../../sandbox/sandbox.ts";

/**
 * `chorus sandbox run --lang python|js <file>`: runs one file in the sandbox and prints the
 * result as JSON; exit code 0 when the program passed, 1 otherwise.
 */
export function register(program: Command): void {
  const sandbox = program
    .command("sandbox")
    .description("run code in the sandbox used for code evaluation (see docs/sandbox.md)");
  sandbox
    .command("run")
    .description("run one Python or JavaScript file and print the result as JSON")
    .argument("<file>", "program to run")
    .requiredOption("--lang <lang>", "python or js")
    .option("--timeout <s>", "wall-clock limit in seconds", "10")
    .option("--memory <MB>", "memory limit in MiB", "512")
    .option("--stdin <file>", "file fed to the program's stdin")
    .addHelpText(
      "after",
      "\nExamples:\n  chorus sandbox run --lang python solution.py --timeout 2 --memory 256\n  chorus sandbox run --lang js main.js --stdin input.txt",
    )
    .action(
      async (
        file: string,
        opts: { lang: string; timeout: string; memory: string; stdin?: string },
      ) => {
        if (opts.lang !== "python" && opts.lang !== "js")
          throw new UsageError(`--lang must be "python" or "js", got "${opts.lang}"`);
        const timeout = number(opts.timeout, "--timeout");
        const memory = number(opts.memory, "--memory");
        const code = await readInput(file, "program");
        const stdin = opts.stdin === undefined ? undefined : await readInput(opts.stdin, "--stdin");
        const result = await new Sandbox({ concurrency: 1 }).run({
          lang: opts.lang,
          code,
          timeoutMs: timeout * 1000,
          memoryMb: memory,
          ...(stdin === undefined ? {} : { stdin }),
        });
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        process.exitCode = result.status === "pass" ? 0 : 1;
      },
    );
}

function number(value: string, flag: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0)
    throw new UsageError(`${flag} must be a positive number, got "${value}"`);
  return parsed;
}

async function readInput(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${what} file "${path}": ${(error as Error).message}`);
  }
}
