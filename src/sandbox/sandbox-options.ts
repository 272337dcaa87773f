import { ConfigError } from "../model/errors.ts";

/** Languages the sandbox runs. */
export type SandboxLanguage = "python" | "js";

/** What to run and under which limits. Every limit has a default (see `sandboxDefaults`). */
export interface SandboxRunOptions {
  lang: SandboxLanguage;
  /** The program text; written to `main.py` / `main.js` in the run's working directory. */
  code: string;
  /** Bytes fed to the program's stdin (default: none, stdin is at EOF). */
  stdin?: string | Uint8Array;
  /** Extra files next to the program (name -> content); names must be plain file names. */
  files?: Readonly<Record<string, string>>;
  /** Wall-clock limit in milliseconds. */
  timeoutMs?: number;
  /** CPU-time limit in seconds (RLIMIT_CPU); default: the wall limit rounded up. */
  cpuSeconds?: number;
  /** Memory limit in MiB: the address-space rlimit for Python, V8's heap limit for JS. */
  memoryMb?: number;
  /** Processes and threads the run's uid may have at once (RLIMIT_NPROC). */
  maxProcesses?: number;
  /** Bytes of stdout and of stderr kept in the result; the rest is counted and dropped. */
  outputLimitBytes?: number;
  /** When stdout+stderr exceed this, the pipes are closed and the run ends as an error. */
  outputKillBytes?: number;
  /** Size of the private /tmp (tmpfs) in MiB; also the largest file the program may write. */
  diskMb?: number;
  /** Extra environment variables, on top of the minimal one the sandbox builds. */
  env?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

/** Defaults for every limit. */
export const sandboxDefaults = {
  timeoutMs: 10_000,
  memoryMb: 512,
  maxProcesses: 16,
  outputLimitBytes: 64 * 1024,
  outputKillBytes: 8 * 1024 * 1024,
  diskMb: 64,
  openFiles: 64,
} as const;

/** Options with every limit filled in. */
export interface ResolvedSandboxOptions {
  lang: SandboxLanguage;
  code: string;
  stdin: Uint8Array | undefined;
  files: Readonly<Record<string, string>>;
  timeoutMs: number;
  cpuSeconds: number;
  memoryMb: number;
  maxProcesses: number;
  outputLimitBytes: number;
  outputKillBytes: number;
  diskMb: number;
  env: Readonly<Record<string, string>>;
  signal: AbortSignal | undefined;
}

/**
 * Fills in defaults and checks every value.
 * @throws ConfigError naming the bad field and what it must be.
 */
export function resolveSandboxOptions(options: SandboxRunOptions): ResolvedSandboxOptions {
  if (options.lang !== "python" && options.lang !== "js")
    throw new ConfigError(
      `sandbox language must be "python" or "js", got "${options.lang}"`,
      "lang",
    );
  const timeoutMs = positive(options.timeoutMs ?? sandboxDefaults.timeoutMs, "timeoutMs");
  const files = options.files ?? {};
  for (const name of Object.keys(files)) {
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith(".") || /^main\.(py|js)$/.test(name))
      throw new ConfigError(
        `sandbox file name "${name}" must be a plain name (letters, digits, _ . -), not hidden and not main.py/main.js`,
        "files",
      );
  }
  const stdin =
    options.stdin === undefined
      ? undefined
      : typeof options.stdin === "string"
        ? Buffer.from(options.stdin)
        : options.stdin;
  return {
    lang: options.lang,
    code: options.code,
    stdin,
    files,
    timeoutMs,
    cpuSeconds: Math.ceil(positive(options.cpuSeconds ?? timeoutMs / 1000, "cpuSeconds")),
    memoryMb: positive(options.memoryMb ?? sandboxDefaults.memoryMb, "memoryMb"),
    maxProcesses: Math.ceil(
      positive(options.maxProcesses ?? sandboxDefaults.maxProcesses, "maxProcesses"),
    ),
    outputLimitBytes: positive(
      options.outputLimitBytes ?? sandboxDefaults.outputLimitBytes,
      "outputLimitBytes",
    ),
    outputKillBytes: positive(
      options.outputKillBytes ?? sandboxDefaults.outputKillBytes,
      "outputKillBytes",
    ),
    diskMb: Math.ceil(positive(options.diskMb ?? sandboxDefaults.diskMb, "diskMb")),
    env: options.env ?? {},
    signal: options.signal,
  };
}

function positive(value: number, field: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new ConfigError(`sandbox option ${field} must be a positive number, got ${value}`, field);
  return value;
}
