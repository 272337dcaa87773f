import { randomInt } from "node:crypto";
import { availableParallelism } from "node:os";
import { ConcurrencyGate } from "./concurrency-gate.ts";
import { ForkServer, type ForkServerOptions, ForkServerUnavailable } from "./fork-server.ts";
import {
  mainFileName,
  minimalEnvironment,
  pythonInstall,
  pythonInterpreter,
  runsInForkedInterpreter,
  targetCommand,
} from "./interpreters.ts";
import type { LaunchConfig, LaunchOutcome } from "./launch-outcome.ts";
import { launchProcess } from "./launch-process.ts";
import {
  type ResolvedSandboxOptions,
  resolveSandboxOptions,
  type SandboxRunOptions,
  sandboxDefaults,
} from "./sandbox-options.ts";
import { classifyRun, type SandboxResult } from "./sandbox-result.ts";

/**
 * uids for sandboxed programs are drawn at random from this range, one per run, so that
 * RLIMIT_NPROC (counted per uid across the whole host) never mixes two runs, even runs started
 * by different chorus processes. Far above the ranges Debian gives to users and subuids.
 */
const uidBase = 1_500_000_000;
const uidSpan = 1 << 24;

/** Sandbox-wide settings. */
export interface SandboxOptions {
  /** Runs at once (default: the number of CPU cores). */
  concurrency?: number;
  /** Refuse to run when namespaces cannot be created (default false: run with what exists). */
  requireIsolation?: boolean;
  /**
   * Start runs from the fork server, a warm zygote that forks a fresh, namespaced worker per
   * run (default true, or false when the environment sets CHORUS_SANDBOX_FORK_SERVER=0). false:
   * one launcher process per run. Where the fork server cannot start, runs use the launcher.
   * An object sets its time limits (and means true).
   */
  forkServer?: boolean | ForkServerOptions;
}

/** A sandbox dropped without close() still ends its zygote once it is collected. */
const zygoteReaper = new FinalizationRegistry<ForkServer>((forkServer) => forkServer.close());

/** How a sandbox starts its runs. */
export type SandboxStartMode = "fork-server" | "launcher";

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
  #forkServer: ForkServer | undefined;

  constructor(options: SandboxOptions = {}) {
    const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
    this.#gate = new ConcurrencyGate(concurrency);
    this.#requireIsolation = options.requireIsolation ?? false;
    const forkServer = options.forkServer ?? process.env["CHORUS_SANDBOX_FORK_SERVER"] !== "0";
    if (forkServer)
      this.#forkServer = new ForkServer({
        // a spare per run that may start at once, up to a few
        spares: Math.min(concurrency, 4),
        ...(forkServer === true ? {} : forkServer),
      });
    if (this.#forkServer) zygoteReaper.register(this, this.#forkServer);
  }

  /** How runs start now: "launcher" when switched off or when the fork server could not start. */
  get startMode(): SandboxStartMode {
    return this.#forkServer ? "fork-server" : "launcher";
  }

  /** The fork server's process id (it is started if it is not running), or undefined when runs
   * use the launcher: for diagnostics. */
  async forkServerPid(): Promise<number | undefined> {
    return this.#forkServer?.serverPid();
  }

  /** Ends the fork server's zygote (it also ends by itself when this process exits). */
  close(): void {
    this.#forkServer?.close();
  }

  /**
   * Runs one program; never throws for anything the program does.
   * @throws ConfigError for bad options or when Python (needed for the launcher) is missing.
   */
  async run(options: SandboxRunOptions): Promise<SandboxResult> {
    const resolved = resolveSandboxOptions(options);
    pythonInterpreter();
    return this.#gate.run(() =>
      runOnce(resolved, this.#requireIsolation, (config) => this.#launch(config, resolved)),
    );
  }

  async #launch(config: LaunchConfig, options: ResolvedSandboxOptions): Promise<LaunchOutcome> {
    const forkServer = this.#forkServer;
    if (forkServer) {
      try {
        return await forkServer.run(
          {
            ...config,
            inProcess: runsInForkedInterpreter(options),
            outputKillBytes: options.outputKillBytes,
          },
          options,
        );
      } catch (error) {
        if (!(error instanceof ForkServerUnavailable)) throw error;
        if (this.#forkServer === forkServer) {
          this.#forkServer = undefined;
          process.emitWarning(
            `the sandbox fork server cannot start (${error.message}); each run now starts its own launcher`,
            "ChorusSandbox",
          );
        }
      }
    }
    return launchProcess(config, options);
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
  launch: (config: LaunchConfig) => Promise<LaunchOutcome>,
): Promise<SandboxResult> {
  const started = performance.now();
  const { argv, addressSpaceBytes } = targetCommand(options);
  const config: LaunchConfig = {
    argv,
    env: minimalEnvironment(options.env),
    files: { ...options.files, [mainFileName(options.lang)]: options.code },
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
  const outcome = await launch(config);
  return toResult(outcome, options, performance.now() - started);
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
