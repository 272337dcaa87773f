import { spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { CappedOutput } from "./capped-output.ts";
import { ConcurrencyGate } from "./concurrency-gate.ts";
import {
  mainFileName,
  minimalEnvironment,
  pythonInstall,
  pythonInterpreter,
  targetCommand,
} from "./interpreters.ts";
import {
  type ResolvedSandboxOptions,
  resolveSandboxOptions,
  type SandboxRunOptions,
  sandboxDefaults,
} from "./sandbox-options.ts";
import { classifyRun, type LauncherReport, type SandboxResult } from "./sandbox-result.ts";

const launcherPath = fileURLToPath(new URL("./launcher.py", import.meta.url));

/**
 * uids for sandboxed programs are drawn at random from this range, one per run, so that
 * RLIMIT_NPROC (counted per uid across the whole host) never mixes two runs, even runs started
 * by different chorus processes. Far above the ranges Debian gives to users and subuids.
 */
const uidBase = 1_500_000_000;
const uidSpan = 1 << 24;

/** Time the host allows after the program's own limit for setup and teardown. */
const backstopGraceMs = 5_000;

/** Sandbox-wide settings. */
export interface SandboxOptions {
  /** Runs at once (default: the number of CPU cores). */
  concurrency?: number;
  /** Refuse to run when namespaces cannot be created (default false: run with what exists). */
  requireIsolation?: boolean;
}

/**
 * Runs untrusted Python or JavaScript in a child process with time, memory, process, output and
 * disk limits, no network, a private /tmp and a minimal environment (see docs/sandbox.md for
 * exactly what is and is not isolated).
 *
 * @example
 * const sandbox = new Sandbox({ concurrency: 2 });
 * const result = await sandbox.run({ lang: "python", code: "assert 1 + 1 == 2", timeoutMs: 2000 });
 * result.status; // "pass"
 */
export class Sandbox {
  readonly #gate: ConcurrencyGate;
  readonly #requireIsolation: boolean;

  constructor(options: SandboxOptions = {}) {
    this.#gate = new ConcurrencyGate(Math.max(1, options.concurrency ?? availableParallelism()));
    this.#requireIsolation = options.requireIsolation ?? false;
  }

  /**
   * Runs one program; never throws for anything the program does.
   * @throws ConfigError for bad options or when Python (needed for the launcher) is missing.
   */
  async run(options: SandboxRunOptions): Promise<SandboxResult> {
    const resolved = resolveSandboxOptions(options);
    pythonInterpreter();
    return this.#gate.run(() => runOnce(resolved, this.#requireIsolation));
  }
}

let defaultSandbox: Sandbox | undefined;

/** Runs one program in a process-wide sandbox (concurrency = CPU cores). */
export function runSandboxed(options: SandboxRunOptions): Promise<SandboxResult> {
  defaultSandbox ??= new Sandbox();
  return defaultSandbox.run(options);
}

async function runOnce(
  options: ResolvedSandboxOptions,
  requireIsolation: boolean,
): Promise<SandboxResult> {
  const started = performance.now();
  const inputDir = await mkdtemp(join(tmpdir(), "chorus-sandbox-"));
  try {
    await writeFile(join(inputDir, mainFileName(options.lang)), options.code);
    for (const [name, content] of Object.entries(options.files))
      await writeFile(join(inputDir, name), content);
    const { argv, addressSpaceBytes } = targetCommand(options);
    const config = {
      argv,
      env: minimalEnvironment(options.env),
      inputDir,
      exposePaths: options.lang === "python" ? pythonInstall().prefixes : [],
      namespaces: true,
      requireIsolation,
      uid: uidBase + randomInt(uidSpan),
      diskMb: options.diskMb,
      timeoutMs: options.timeoutMs,
      limits: {
        cpuSeconds: options.cpuSeconds,
        addressSpaceBytes,
        fileSizeBytes: options.diskMb * 1024 * 1024,
        openFiles: sandboxDefaults.openFiles,
        processes: options.maxProcesses,
      },
    };
    const outcome = await launch(config, options);
    const totalMs = performance.now() - started;
    return toResult(outcome, options, totalMs);
  } finally {
    await rm(inputDir, { recursive: true, force: true });
  }
}

interface LaunchOutcome {
  report: LauncherReport | undefined;
  launcherError: string | undefined;
  backstopKilled: boolean;
  outputLimitHit: boolean;
  stdout: CappedOutput;
  stderr: CappedOutput;
}

function launch(config: unknown, options: ResolvedSandboxOptions): Promise<LaunchOutcome> {
  return new Promise((resolve) => {
    const child = spawn(pythonInterpreter(), ["-I", "-S", launcherPath, JSON.stringify(config)], {
      stdio: ["pipe", "pipe", "pipe", "pipe"],
      // its own process group, so the backstop can kill the launcher and supervisor together
      detached: true,
      env: {},
    });
    let outputLimitHit = false;
    let backstopKilled = false;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const onData = () => {
      if (outputLimitHit || stdout.total + stderr.total <= options.outputKillBytes) return;
      // closing our read ends makes the next write fail with EPIPE; the program ends and the
      // supervisor still reports its exit status and usage
      outputLimitHit = true;
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const stdout = new CappedOutput(child.stdout, options.outputLimitBytes, onData);
    const stderr = new CappedOutput(child.stderr, options.outputLimitBytes, onData);
    const resultPipe = child.stdio[3] as Readable;
    const resultChunks: Buffer[] = [];
    resultPipe.on("data", (chunk: Buffer) => resultChunks.push(chunk));
    child.stdin.on("error", () => {
      // the program may exit without reading its stdin
    });
    child.stdin.end(options.stdin ?? Buffer.alloc(0));
    const backstop = setTimeout(() => {
      backstopKilled = true;
      killGroup();
    }, options.timeoutMs + backstopGraceMs);
    const onAbort = () => killGroup();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    let spawnError: string | undefined;
    child.on("error", (error) => {
      spawnError = error.message;
    });
    child.on("close", () => {
      clearTimeout(backstop);
      options.signal?.removeEventListener("abort", onAbort);
      // strays outside a PID namespace may still hold the group; end them with the launcher
      killGroup();
      const text = Buffer.concat(resultChunks).toString("utf8").trim();
      let report: LauncherReport | undefined;
      let launcherError = spawnError;
      if (text) {
        const parsed = JSON.parse(text) as LauncherReport | { launcherError: string };
        if ("launcherError" in parsed) launcherError = parsed.launcherError;
        else report = parsed;
      } else if (!launcherError && !backstopKilled) {
        launcherError = `the sandbox launcher ended without a report: ${stderr.text().slice(-500)}`;
      }
      resolve({ report, launcherError, backstopKilled, outputLimitHit, stdout, stderr });
    });
  });
}

function toResult(
  outcome: LaunchOutcome,
  options: ResolvedSandboxOptions,
  totalMs: number,
): SandboxResult {
  const { report, stdout, stderr } = outcome;
  const output = {
    stdout: stdout.text(),
    stderr: stderr.text(),
    stdoutBytes: stdout.total,
    stderrBytes: stderr.total,
    stdoutTruncated: stdout.truncated || outcome.outputLimitHit,
    stderrTruncated: stderr.truncated || outcome.outputLimitHit,
  };
  if (!report) {
    const timedOut = outcome.backstopKilled;
    return {
      status: timedOut ? "timeout" : "error",
      reason: timedOut
        ? "the sandbox did not finish within the wall-clock limit plus its grace time"
        : `sandbox failure: ${outcome.launcherError ?? "unknown"}`,
      limit: timedOut ? "wall" : null,
      exitCode: null,
      signal: null,
      wallMs: totalMs,
      totalMs,
      cpuMs: null,
      peakMemoryKb: null,
      ...output,
      isolation: null,
    };
  }
  const verdict = classifyRun({
    lang: options.lang,
    report,
    stderr: output.stderr,
    outputLimitHit: outcome.outputLimitHit,
    cpuSeconds: options.cpuSeconds,
    memoryMb: options.memoryMb,
  });
  return {
    ...verdict,
    exitCode: report.exitCode,
    signal: report.signal,
    wallMs: report.wallMs,
    totalMs,
    cpuMs: report.cpuMs,
    peakMemoryKb: report.peakMemoryKb,
    ...output,
    isolation: report.isolation,
  };
}
