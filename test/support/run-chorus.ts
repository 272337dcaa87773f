import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** What a finished `chorus` process left: exit code (0 when it succeeded) and its output. */
export interface ChorusRun {
  code: number;
  stdout: string;
  stderr: string;
}

const bin = fileURLToPath(new URL("../../bin/chorus.js", import.meta.url));

/**
 * Runs the real CLI (`bin/chorus.js`) in a child process, as a user would, with CI=1 so no
 * progress line is drawn. Never rejects: a failing command resolves with its exit code.
 */
export function runChorus(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<ChorusRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        ...(options.cwd ? { cwd: options.cwd } : {}),
        env: { ...process.env, CI: "1", ...options.env },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * Runs the CLI in this process (`main` from src/cli/main.ts), capturing stderr; the exit code is
 * returned and `process.exitCode` left unset, so a failing command does not fail the test run.
 */
export async function runChorusInProcess(
  args: readonly string[],
): Promise<{ code: number; stderr: string }> {
  // loaded on first use: the child-process helper above should not pull in every command
  const { main } = await import("../../src/cli/main.ts");
  const write = process.stderr.write.bind(process.stderr);
  let stderr = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main([...args]);
    process.exitCode = undefined;
    return { code, stderr };
  } finally {
    process.stderr.write = write;
  }
}
