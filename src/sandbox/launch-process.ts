import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { CappedOutput } from "./capped-output.ts";
import { pythonInterpreter } from "./interpreters.ts";
import {
  backstopGraceMs,
  killGroup,
  type LaunchConfig,
  type LaunchOutcome,
  parseReport,
} from "./launch-outcome.ts";
import type { ResolvedSandboxOptions } from "./sandbox-options.ts";

const launcherPath = fileURLToPath(new URL("./launcher.py", import.meta.url));

/**
 * Runs one program through its own launcher process (`python3 launcher.py`): the path without
 * the fork server, two interpreter starts per Python run.
 */
export async function launchProcess(
  config: LaunchConfig,
  options: ResolvedSandboxOptions,
): Promise<LaunchOutcome> {
  // the launcher copies the files from a host directory into the private /tmp
  const inputDir = await mkdtemp(join(tmpdir(), "chorus-sandbox-"));
  try {
    for (const [name, content] of Object.entries(config.files))
      await writeFile(join(inputDir, name), content);
    const { files: _, ...rest } = config;
    return await launch({ ...rest, inputDir }, options);
  } finally {
    await rm(inputDir, { recursive: true, force: true });
  }
}

function launch(
  config: Omit<LaunchConfig, "files"> & { inputDir: string },
  options: ResolvedSandboxOptions,
): Promise<LaunchOutcome> {
  return new Promise((resolve) => {
    const child = spawn(
      pythonInterpreter(),
      ["-I", "-S", "-B", launcherPath, JSON.stringify(config)],
      {
        stdio: ["pipe", "pipe", "pipe", "pipe"],
        // its own process group, so the backstop can kill the launcher and supervisor together
        detached: true,
        env: {},
      },
    );
    let outputLimitHit = false;
    let backstopKilled = false;
    const stdout = new CappedOutput(options.outputLimitBytes);
    const stderr = new CappedOutput(options.outputLimitBytes);
    const collect = (output: CappedOutput) => (chunk: Buffer) => {
      output.add(chunk);
      if (outputLimitHit || stdout.total + stderr.total <= options.outputKillBytes) return;
      // closing our read ends makes the next write fail with EPIPE; the program ends and the
      // supervisor still reports its exit status and usage
      outputLimitHit = true;
      child.stdout.destroy();
      child.stderr.destroy();
    };
    child.stdout.on("data", collect(stdout));
    child.stderr.on("data", collect(stderr));
    const resultPipe = child.stdio[3] as Readable;
    const resultChunks: Buffer[] = [];
    resultPipe.on("data", (chunk: Buffer) => resultChunks.push(chunk));
    child.stdin.on("error", () => {
      // the program may exit without reading its stdin
    });
    child.stdin.end(options.stdin ?? Buffer.alloc(0));
    const backstop = setTimeout(() => {
      backstopKilled = true;
      killGroup(child.pid);
    }, options.timeoutMs + backstopGraceMs);
    const onAbort = () => killGroup(child.pid);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    let spawnError: string | undefined;
    child.on("error", (error) => {
      spawnError = error.message;
    });
    child.on("close", () => {
      clearTimeout(backstop);
      options.signal?.removeEventListener("abort", onAbort);
      // strays outside a PID namespace may still hold the group; end them with the launcher
      killGroup(child.pid);
      const text = Buffer.concat(resultChunks).toString("utf8").trim();
      let { report, launcherError } = text
        ? parseReport(text)
        : { report: undefined, launcherError: undefined };
      launcherError ??= spawnError;
      if (!text && !launcherError && !backstopKilled)
        launcherError = `the sandbox launcher ended without a report: ${stderr.text().slice(-500)}`;
      resolve({ report, launcherError, backstopKilled, outputLimitHit, stdout, stderr });
    });
  });
}
