import type { CappedOutput } from "./capped-output.ts";
import type { LauncherReport } from "./sandbox-result.ts";

/** One run's instructions to the Python side (launcher.py, or the fork server's worker). */
export interface LaunchConfig {
  argv: string[];
  env: Record<string, string>;
  /** The program (main.*) and its extra files, name -> content: the working directory. */
  files: Record<string, string>;
  /** Directories under a private one that the interpreter needs (see isolation.py `expose`). */
  exposePaths: string[];
  namespaces: boolean;
  requireIsolation: boolean;
  uid: number;
  diskMb: number;
  timeoutMs: number;
  limits: {
    cpuSeconds: number;
    addressSpaceBytes: number;
    fileSizeBytes: number;
    openFiles: number;
    processes: number;
  };
}

/** What came back from one run, whichever way it was started. */
export interface LaunchOutcome {
  report: LauncherReport | undefined;
  launcherError: string | undefined;
  backstopKilled: boolean;
  outputLimitHit: boolean;
  stdout: CappedOutput;
  stderr: CappedOutput;
}

/** Time the host allows after the program's own limit for setup and teardown. */
export const backstopGraceMs = 5_000;

/** Kills a process group; a group already gone is not an error. */
export function killGroup(pid: number | undefined): void {
  try {
    if (pid !== undefined) process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** The launcher's JSON line: a report, or why there is none. */
export function parseReport(text: string): Pick<LaunchOutcome, "report" | "launcherError"> {
  const parsed = JSON.parse(text) as LauncherReport | { launcherError: string };
  if ("launcherError" in parsed) return { report: undefined, launcherError: parsed.launcherError };
  return { report: parsed, launcherError: undefined };
}
