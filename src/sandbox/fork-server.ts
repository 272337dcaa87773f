import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CappedOutput } from "./capped-output.ts";
import { FrameReader, frameChannel } from "./fork-frames.ts";
import { minimalEnvironment, pythonInterpreter } from "./interpreters.ts";
import {
  backstopGraceMs,
  killGroup,
  type LaunchConfig,
  type LaunchOutcome,
  parseReport,
} from "./launch-outcome.ts";
import type { ResolvedSandboxOptions } from "./sandbox-options.ts";

const zygotePath = fileURLToPath(new URL("./zygote.py", import.meta.url));

/** A run's config for the fork server: launcher.py's, plus what its worker does itself. */
export interface ForkRunConfig extends LaunchConfig {
  /** Run the Python program in the forked interpreter instead of exec'ing a new one. */
  inProcess: boolean;
  /** The worker closes the program's pipes past this many output bytes. */
  outputKillBytes: number;
}

export interface ForkServerOptions {
  /** How long the zygote may take to start and listen (default 30 s: a loaded machine). */
  startTimeoutMs?: number;
  /** How long a run may wait for its worker to answer before the zygote counts as hung. */
  answerTimeoutMs?: number;
  /** Workers kept forked and waiting, in fresh namespaces, for the next runs (default 1). */
  spares?: number;
}

/** The zygote could not be started: runs must start some other way on this machine. */
export class ForkServerUnavailable extends Error {}

interface Zygote {
  child: ChildProcess;
  socketPath: string;
  dir: string;
  stderr: CappedOutput;
}

type Attempt = { outcome: LaunchOutcome } | { unanswered: string };

/**
 * The sandbox's fork server: one warm, clean Python process (zygote.py) that forks a fresh,
 * namespaced worker per run, so that a Python program starts without a new interpreter. A
 * zygote that dies is started again for the next run; one that does not answer is killed and
 * replaced, and the run is retried once (no worker took it, so nothing of it ran).
 */
export class ForkServer {
  readonly #startTimeoutMs: number;
  readonly #answerTimeoutMs: number;
  readonly #spares: number;
  #zygote: Promise<Zygote> | undefined;
  #current: Zygote | undefined;

  constructor(options: ForkServerOptions = {}) {
    this.#startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.#answerTimeoutMs = options.answerTimeoutMs ?? 10_000;
    this.#spares = Math.max(1, Math.floor(options.spares ?? 1));
  }

  /**
   * Runs one program through a worker of the zygote.
   * @throws ForkServerUnavailable when the zygote cannot be started.
   */
  async run(config: ForkRunConfig, options: ResolvedSandboxOptions): Promise<LaunchOutcome> {
    const reasons: string[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const zygote = await this.#started();
      const result = await attemptRun(zygote, config, options, this.#answerTimeoutMs);
      if ("outcome" in result) return result.outcome;
      reasons.push(result.unanswered);
      this.#discard(zygote);
    }
    return failedOutcome(
      `the sandbox fork server did not take the run, twice (${reasons.join("; ")})`,
      new CappedOutput(0),
      new CappedOutput(0),
    );
  }

  /** The zygote's pid (started if it is not running): for diagnostics and tests. */
  async serverPid(): Promise<number> {
    return (await this.#started()).child.pid!;
  }

  /** Ends the zygote (its spares follow) and removes its socket; a later run starts a new one. */
  close(): void {
    if (this.#current) this.#discard(this.#current);
  }

  #started(): Promise<Zygote> {
    this.#zygote ??= startZygote(this.#startTimeoutMs, this.#spares).then(
      (zygote) => {
        this.#current = zygote;
        zygote.child.on("exit", () => {
          this.#forget(zygote);
          // a zygote that is killed cannot remove its socket itself
          void rm(zygote.dir, { recursive: true, force: true });
        });
        return zygote;
      },
      (error: unknown) => {
        this.#zygote = undefined;
        throw error;
      },
    );
    return this.#zygote;
  }

  #forget(zygote: Zygote): void {
    if (this.#current !== zygote) return;
    this.#current = undefined;
    this.#zygote = undefined;
  }

  #discard(zygote: Zygote): void {
    this.#forget(zygote);
    zygote.child.kill("SIGKILL");
    void rm(zygote.dir, { recursive: true, force: true });
  }
}

async function startZygote(timeoutMs: number, spares: number): Promise<Zygote> {
  const dir = await mkdtemp(join(tmpdir(), "chorus-zygote-"));
  const socketPath = join(dir, "socket");
  // the programs' own interpreter, flags and environment: a Python program runs in a fork of it
  const child = spawn(pythonInterpreter(), ["-s", "-B", zygotePath, socketPath, String(spares)], {
    cwd: "/",
    // HOME too: without it, start-up looks the user up and imports a module a program would not
    env: { ...minimalEnvironment({}), HOME: "/tmp", TMPDIR: "/tmp" },
    stdio: ["pipe", "pipe", "pipe"],
    // its own process group: a terminal's Ctrl-C reaches node, and the zygote ends on stdin EOF
    detached: true,
  });
  const stderr = new CappedOutput(4096);
  child.stderr.on("data", (chunk: Buffer) => stderr.add(chunk));
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new ForkServerUnavailable(`the zygote did not start within ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.stdout.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("ready\n")) resolve();
      });
      child.on("error", (error) => reject(new ForkServerUnavailable(error.message)));
      child.on("exit", (code, signal) =>
        reject(
          new ForkServerUnavailable(
            `the zygote exited at start (${code ?? signal}): ${stderr.text().trim().slice(-500)}`,
          ),
        ),
      );
    }).finally(() => {
      clearTimeout(timer);
      child.removeAllListeners("exit");
    });
  } catch (error) {
    child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  // node may exit while the zygote runs: its stdin then reaches EOF and it ends
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as Socket).unref();
  return { child, socketPath, dir, stderr };
}

/** One try at a run on one zygote: an outcome, or why no worker took it. */
function attemptRun(
  zygote: Zygote,
  config: ForkRunConfig,
  options: ResolvedSandboxOptions,
  answerTimeoutMs: number,
): Promise<Attempt> {
  return new Promise((resolve) => {
    const stdin = Buffer.from(options.stdin ?? Buffer.alloc(0));
    const stdout = new CappedOutput(options.outputLimitBytes);
    const stderr = new CappedOutput(options.outputLimitBytes);
    let worker: number | undefined;
    let parsed: Pick<LaunchOutcome, "report" | "launcherError"> | undefined;
    let socketError: string | undefined;
    let backstopKilled = false;
    let backstop: NodeJS.Timeout | undefined;
    let settled = false;
    const socket = connect(zygote.socketPath);
    const finish = (attempt: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(unanswered);
      clearTimeout(backstop);
      options.signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve(attempt);
    };
    const unanswered = setTimeout(
      () => finish({ unanswered: `no worker answered within ${answerTimeoutMs} ms` }),
      answerTimeoutMs,
    );
    const reader = new FrameReader((channel, data) => {
      if (channel === frameChannel.pid) {
        worker = Number(data.toString());
        clearTimeout(unanswered);
        backstop = setTimeout(() => {
          backstopKilled = true;
          killGroup(worker);
        }, options.timeoutMs + backstopGraceMs);
      } else if (channel === frameChannel.stdout) stdout.add(data);
      else if (channel === frameChannel.stderr) stderr.add(data);
      else if (channel === frameChannel.report) parsed = parseReport(data.toString("utf8"));
    });
    const onAbort = () => {
      if (worker !== undefined) killGroup(worker);
      else finish({ outcome: failedOutcome("aborted before the run started", stdout, stderr) });
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    socket.on("data", (chunk: Buffer) => reader.push(chunk));
    socket.on("error", (error) => {
      socketError = error.message;
    });
    socket.on("close", () => {
      if (worker === undefined) {
        finish({
          unanswered: socketError ?? "the zygote closed the connection without answering",
        });
        return;
      }
      const report = parsed?.report;
      let launcherError = parsed?.launcherError;
      if (!parsed && !backstopKilled)
        launcherError = `the sandbox worker ended without a report${socketError ? ` (${socketError})` : ""}: ${zygote.stderr.text().trim().slice(-500)}`;
      finish({
        outcome: {
          report,
          launcherError,
          backstopKilled,
          outputLimitHit: report?.outputLimitHit ?? false,
          stdout,
          stderr,
        },
      });
    });
    const request = JSON.stringify({ ...config, stdinBytes: stdin.length });
    socket.end(Buffer.concat([Buffer.from(`${request}\n`), stdin]));
  });
}

function failedOutcome(
  launcherError: string,
  stdout: CappedOutput,
  stderr: CappedOutput,
): LaunchOutcome {
  return {
    report: undefined,
    launcherError,
    backstopKilled: false,
    outputLimitHit: false,
    stdout,
    stderr,
  };
}
