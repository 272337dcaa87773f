export { ConcurrencyGate } from "./concurrency-gate.ts";
export { pythonInterpreter } from "./interpreters.ts";
export {
  runSandboxed,
  Sandbox,
  type SandboxOptions,
  type SandboxStartMode,
} from "./sandbox.ts";
export {
  resolveSandboxOptions,
  type SandboxLanguage,
  type SandboxRunOptions,
  sandboxDefaults,
} from "./sandbox-options.ts";
export type {
  SandboxIsolation,
  SandboxLimit,
  SandboxResult,
  SandboxStatus,
} from "./sandbox-result.ts";
