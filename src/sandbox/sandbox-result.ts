import type { SandboxLanguage } from "./sandbox-options.ts";

/**
 * pass: exit code 0. fail: the program ran and failed (assertion, exception, non-zero exit,
 * killed by a signal). error: it could not be judged (syntax error, could not start, output
 * limit, sandbox failure). timeout: wall-clock or CPU limit. memory: memory limit.
 */
export type SandboxStatus = "pass" | "fail" | "error" | "timeout" | "memory";

/** Which limit ended the run, if one did. */
export type SandboxLimit = "wall" | "cpu" | "memory" | "output" | null;

/** What the sandbox could put in place for this run (it depends on the host; see docs/sandbox.md). */
export interface SandboxIsolation {
  /** A fresh network namespace: only a loopback device that is down. */
  network: boolean;
  pidNamespace: boolean;
  mountNamespace: boolean;
  /** An unprivileged user namespace (used when the host process is not root). */
  userNamespace: boolean;
  /** /tmp, /var/tmp, /dev/shm, /run/lock are one private tmpfs, gone after the run. */
  privateTmp: boolean;
  /** The unprivileged uid the program ran as (null: it kept the caller's uid). */
  uid: number | null;
  /** RLIMIT_NPROC is enforced (for the run's own uid, or per user namespace without root). */
  processLimit: boolean;
  /** Why an isolation step was skipped. */
  note: string | null;
}

/** The outcome of one sandboxed run. */
export interface SandboxResult {
  status: SandboxStatus;
  /** One line saying why this status. */
  reason: string;
  limit: SandboxLimit;
  exitCode: number | null;
  /** Signal name that ended the program (e.g. "SIGKILL"), or null. */
  signal: string | null;
  /** Wall time of the program itself, in ms (without the sandbox's setup). */
  wallMs: number;
  /** Wall time including sandbox setup and teardown, in ms. */
  totalMs: number;
  /** User + system CPU time of the program and the children it waited for; null if unknown. */
  cpuMs: number | null;
  /** Peak resident memory (ru_maxrss) in KiB; null if unknown. */
  peakMemoryKb: number | null;
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  isolation: SandboxIsolation | null;
}

/** What the launcher reports about the finished program. */
export interface LauncherReport {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  wallMs: number;
  cpuMs: number;
  peakMemoryKb: number;
  execError: string | null;
  isolation: SandboxIsolation;
  /** The fork server's worker closed the program's pipes at the output kill limit. */
  outputLimitHit?: boolean;
}

/** Facts the classification looks at. */
export interface ClassifyInput {
  lang: SandboxLanguage;
  report: LauncherReport;
  stderr: string;
  outputLimitHit: boolean;
  cpuSeconds: number;
  memoryMb: number;
}

/** Status, limit and reason for a finished run. */
export function classifyRun(input: ClassifyInput): {
  status: SandboxStatus;
  limit: SandboxLimit;
  reason: string;
} {
  const { report, stderr, lang } = input;
  if (report.execError)
    return { status: "error", limit: null, reason: `could not start: ${report.execError}` };
  if (report.timedOut)
    return { status: "timeout", limit: "wall", reason: "wall-clock limit reached" };
  if (
    report.signal === "SIGXCPU" ||
    (report.signal === "SIGKILL" && report.cpuMs >= input.cpuSeconds * 1000 * 0.95)
  )
    return {
      status: "timeout",
      limit: "cpu",
      reason: `CPU limit of ${input.cpuSeconds} s reached`,
    };
  if (outOfMemory(lang, stderr, report, input.memoryMb))
    return {
      status: "memory",
      limit: "memory",
      reason: `memory limit of ${input.memoryMb} MiB reached`,
    };
  if (input.outputLimitHit)
    return {
      status: "error",
      limit: "output",
      reason: "output limit reached; the pipes were closed",
    };
  if (report.exitCode === 0) return { status: "pass", limit: null, reason: "exit code 0" };
  if (isSyntaxError(lang, stderr))
    return { status: "error", limit: null, reason: "the program does not compile (syntax error)" };
  if (report.signal) return { status: "fail", limit: null, reason: `killed by ${report.signal}` };
  return { status: "fail", limit: null, reason: `exit code ${report.exitCode}` };
}

function lastLine(text: string): string {
  const lines = text.trimEnd().split("\n");
  return lines[lines.length - 1] ?? "";
}

function outOfMemory(
  lang: SandboxLanguage,
  stderr: string,
  report: LauncherReport,
  memoryMb: number,
): boolean {
  if (lang === "python" && /^MemoryError\b/.test(lastLine(stderr))) return true;
  if (
    lang === "js" &&
    /heap out of memory|Fatal process out of memory|Allocation failed/.test(stderr)
  )
    return true;
  // a native allocation failure aborts or segfaults; near the limit that is memory, not a bug
  const nearLimit = report.peakMemoryKb >= memoryMb * 1024 * 0.9;
  return (report.signal === "SIGABRT" || report.signal === "SIGSEGV") && nearLimit;
}

/**
 * A compile error of the program itself, not a SyntaxError raised at run time (eval, JSON.parse):
 * Python prints no "Traceback" header for the main file's own syntax errors, and node reports
 * them from its module loader.
 */
function isSyntaxError(lang: SandboxLanguage, stderr: string): boolean {
  if (lang === "python")
    return (
      !stderr.includes("Traceback (most recent call last)") &&
      /^(SyntaxError|IndentationError|TabError)\b/.test(lastLine(stderr))
    );
  const match = /^SyntaxError: .*\n((?:\s+at .*\n?){1,3})/m.exec(stderr);
  return (
    match !== null &&
    /wrapSafe|internalCompileFunction|compileFunction|ModuleLoader/.test(match[1] ?? "")
  );
}
