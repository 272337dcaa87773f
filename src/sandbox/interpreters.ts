import { spawnSync } from "node:child_process";
import { ConfigError } from "../model/errors.ts";
import type { ResolvedSandboxOptions, SandboxLanguage } from "./sandbox-options.ts";

/**
 * Extra address space a JS run gets above its heap limit: V8 reserves far more virtual memory
 * than it uses (node does not start under 1 GiB of address space), so for JS the memory limit
 * is V8's heap limit and the rlimit only stops runaway native allocations.
 */
const jsAddressSpaceHeadroomMb = 2048;

/** The Python that runs programs (and the launcher), and the directories it needs. */
export interface PythonInstall {
  executable: string;
  /** sys.prefix and sys.base_prefix, resolved: made reachable inside the sandbox. */
  prefixes: string[];
}

let python: PythonInstall | undefined;

/**
 * The real Python interpreter (shims such as pyenv's need environment variables the sandbox does
 * not pass on): `$CHORUS_PYTHON`, else what `python3` on PATH reports as `sys.executable`.
 * @throws ConfigError when no Python 3 can be started.
 */
export function pythonInstall(): PythonInstall {
  if (python) return python;
  const candidate = process.env["CHORUS_PYTHON"] ?? "python3";
  const script =
    "import json, os, sys; print(json.dumps([os.path.realpath(sys.executable)," +
    " sorted({os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)})]))";
  const probe = spawnSync(candidate, ["-c", script], { encoding: "utf8", timeout: 30_000 });
  let parsed: [string, string[]] | undefined;
  try {
    parsed = JSON.parse(probe.stdout ?? "") as [string, string[]];
  } catch {
    parsed = undefined;
  }
  if (probe.status !== 0 || !parsed)
    throw new ConfigError(
      `cannot start Python ("${candidate}": ${probe.error?.message ?? probe.stderr?.trim() ?? "no output"}); install Python 3 or set CHORUS_PYTHON to its path`,
      "python",
    );
  python = { executable: parsed[0], prefixes: parsed[1] };
  return python;
}

/** The real Python executable (see `pythonInstall`). */
export function pythonInterpreter(): string {
  return pythonInstall().executable;
}

/** The program's file name in the working directory. */
export function mainFileName(lang: SandboxLanguage): string {
  return lang === "python" ? "main.py" : "main.js";
}

/** Command line and address-space limit for running `main.*` in the working directory. */
export function targetCommand(options: ResolvedSandboxOptions): {
  argv: string[];
  addressSpaceBytes: number;
} {
  const mb = 1024 * 1024;
  if (options.lang === "python")
    return {
      // -s: no user site-packages; -B: no .pyc files (the tmpfs is small)
      argv: [pythonInterpreter(), "-s", "-B", mainFileName("python")],
      addressSpaceBytes: Math.floor(options.memoryMb * mb),
    };
  return {
    argv: [
      process.execPath,
      // V8 starts one worker thread per core; each counts against the process limit
      "--v8-pool-size=2",
      `--max-old-space-size=${Math.max(16, Math.floor(options.memoryMb))}`,
      mainFileName("js"),
    ],
    addressSpaceBytes: Math.floor((options.memoryMb + jsAddressSpaceHeadroomMb) * mb),
  };
}

/**
 * Variables that act when a process or interpreter starts (locale, Python's own settings, the
 * dynamic loader, malloc): a Python program whose `env` sets one must start its own interpreter.
 */
const startupVariable = /^(PYTHON|LC_|LANG$|LANGUAGE$|LD_|MALLOC_|GLIBC_TUNABLES$)/;

/**
 * Whether the fork server may run this program in its forked interpreter (no new interpreter
 * start): Python programs whose extra environment changes nothing an interpreter reads at start.
 */
export function runsInForkedInterpreter(options: ResolvedSandboxOptions): boolean {
  return (
    options.lang === "python" && !Object.keys(options.env).some((k) => startupVariable.test(k))
  );
}

/** The whole environment the program sees: no variable of the parent is passed on. */
export function minimalEnvironment(
  extra: Readonly<Record<string, string>>,
): Record<string, string> {
  return {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    LANG: "C.UTF-8",
    LC_ALL: "C.UTF-8",
    PYTHONHASHSEED: "0",
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONIOENCODING: "utf-8",
    // numeric libraries start one thread per core, each counted against the process limit
    OPENBLAS_NUM_THREADS: "1",
    OMP_NUM_THREADS: "1",
    MKL_NUM_THREADS: "1",
    UV_THREADPOOL_SIZE: "2",
    ...extra,
  };
}
