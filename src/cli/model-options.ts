import { existsSync } from "node:fs";
import { type Command, InvalidArgumentError, Option } from "commander";
import { ConfigError, UsageError } from "../model/errors.ts";
import type { LanguageModel } from "../model/language-model.ts";
import { callCachePath, defaultCacheDir } from "../runtime/cache-dir.ts";
import { CallCache } from "../runtime/call-cache.ts";
import { type ChorusConfig, loadConfig, type ModelConfig } from "../runtime/config.ts";
import { loadWithEngine, type ModelLoader } from "../runtime/engine-loader.ts";
import { ModelPool } from "../runtime/model-pool.ts";
import { ProgressLine } from "../runtime/progress-line.ts";
import { Run } from "../runtime/run.ts";
import {
  type ItemContext,
  type RunItemsOptions,
  type RunItemsReport,
  runItems,
} from "../runtime/run-items.ts";
import { RunStats } from "../runtime/run-stats.ts";
import { TokenBudget } from "../runtime/token-budget.ts";

/** Flags added by `addModelOptions`. */
export interface ModelFlags {
  model?: string[];
  /** `--base-url`, repeatable: several replicas serving the same model. */
  baseUrl?: string[];
  config?: string;
  cacheDir?: string;
  /** false with `--no-cache`. */
  cache?: boolean;
}

/** Flags added by `addRunOptions`. */
export interface RunFlags {
  runsDir?: string;
  out?: string;
  resume?: string;
  seed?: number;
  concurrency?: number;
  maxTokensTotal?: number;
  json?: boolean;
}

/** Strict integer parser for commander options: `--seed 1.5` or `--n x` exit 2 naming the flag. */
export function integerArg(min = Number.MIN_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isSafeInteger(n))
      throw new InvalidArgumentError(`expected an integer, got "${value}".`);
    if (n < min) throw new InvalidArgumentError(`expected an integer >= ${min}, got ${n}.`);
    return n;
  };
}

/** Strict number parser with inclusive bounds. */
export function numberArg(min = -Infinity, max = Infinity): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n))
      throw new InvalidArgumentError(`expected a number, got "${value}".`);
    if (n < min || n > max)
      throw new InvalidArgumentError(
        `expected a number${Number.isFinite(max) ? ` from ${min} to ${max}` : ` >= ${min}`}, got ${n}.`,
      );
    return n;
  };
}

/** Collects a repeatable string option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Adds `--model`, `--base-url`, `--config`, `--cache-dir`, `--no-cache`. `--model` takes a
 * configured name, a GGUF path, a cached name or an `hf:` ref; with `--base-url`, the server's
 * model name. It is repeatable when `repeatable` is set.
 */
export function addModelOptions(command: Command, options: { repeatable?: boolean } = {}): Command {
  return command
    .addOption(
      new Option(
        "-m, --model <model>",
        options.repeatable
          ? "model name from the config, GGUF path, cached name or hf:<owner>/<repo>/<file>.gguf (repeatable)"
          : "model name from the config, GGUF path, cached name or hf:<owner>/<repo>/<file>.gguf",
      ).argParser(options.repeatable ? collect : (value: string, _previous: unknown) => [value]),
    )
    .option(
      "--base-url <url>",
      "OpenAI-compatible server; --model is then its model name (repeat for replicas of one model)",
      (value: string, previous: string[] | undefined) => collect(url(value), previous),
    )
    .option("--config <file>", "config file (default ./chorus.config.json when present)")
    .option("--cache-dir <dir>", "model files and call cache (default ~/.cache/chorus)")
    .option("--no-cache", "do not read or write the call cache");
}

/** Adds the run folder, resume, budget, concurrency, seed and `--json` flags. */
export function addRunOptions(command: Command): Command {
  return command
    .option("--runs-dir <dir>", "where new run folders go (default ./runs)")
    .option("--out <dir>", "the run folder to create (default <runs-dir>/<timestamp-id>)")
    .option("--resume <dir>", "continue a killed or stopped run, skipping finished items")
    .option("--seed <n>", "run seed, recorded in config.json", integerArg())
    .option("--concurrency <n>", "items processed at once", integerArg(1))
    .option(
      "--max-tokens-total <n>",
      "stop cleanly once model calls have used this many tokens",
      integerArg(1),
    )
    .option("--json", "results as JSON lines on stdout");
}

function url(value: string): string {
  try {
    new URL(value);
  } catch {
    throw new InvalidArgumentError(`expected a URL like http://127.0.0.1:8000/v1, got "${value}".`);
  }
  return value;
}

/** Everything a command needs to call models and record a run. */
export interface Session {
  config: ChorusConfig;
  pool: ModelPool;
  /** Pool names of the `--model` values, in the order given. */
  models: string[];
  stats: RunStats;
  progress: ProgressLine;
  concurrency: number;
  cache?: CallCache;
  budget?: TokenBudget;
  run?: Run;
  seed?: number;
  /** Unloads models and closes files; call in `finally`. */
  close(): Promise<void>;
}

export interface OpenSessionOptions {
  /** Create (or resume) a run folder; without it only `--out`/`--resume` make one. */
  run?: boolean;
  /** Recorded as the run's resolved config (method options and the like). */
  runConfig?: Record<string, unknown>;
  argv?: string[];
  /** Added to every `--model` entry (e.g. LoRA adapters from `--lora`). */
  extra?: Partial<ModelConfig>;
  /**
   * Wraps each model as it is loaded, inside the pool's cache, budget and events (e.g.
   * `--steer`'s steered model). The cache keys on the wrapper's `provider`, so a wrapper that
   * changes outputs must name itself there.
   */
  wrapLoaded?: (
    model: LanguageModel,
    loaded: { name: string; entry: ModelConfig },
  ) => LanguageModel;
  /** Draw the stderr progress line (default: on a terminal outside CI). */
  progress?: boolean;
}

/**
 * Turns parsed flags into a model pool (config models plus `--model` values), the call cache, a
 * token budget and, when asked, a run folder whose events.jsonl receives every model call.
 * @throws ConfigError for a bad config; UsageError for conflicting flags.
 */
export async function openSession(
  flags: ModelFlags & RunFlags,
  options: OpenSessionOptions = {},
): Promise<Session> {
  if (flags.out !== undefined && flags.resume !== undefined)
    throw new UsageError("--out and --resume exclude each other: --resume already names the run");
  const configPath =
    flags.config ?? (existsSync("chorus.config.json") ? "chorus.config.json" : undefined);
  const config: ChorusConfig = configPath ? loadConfig(configPath) : { models: {} };
  if (flags.baseUrl !== undefined && (flags.model ?? []).length === 0)
    throw new UsageError("--base-url needs --model <name the server serves>");

  const cacheDir = flags.cacheDir ?? config.cacheDir ?? defaultCacheDir();
  const stats = new RunStats();
  const useCache = flags.cache !== false;
  const cache = useCache ? new CallCache(callCachePath(cacheDir)) : undefined;

  let run: Run | undefined;
  const runConfig = {
    ...options.runConfig,
    models: flags.model ?? [],
    ...(flags.baseUrl !== undefined
      ? { baseURL: flags.baseUrl.length === 1 ? flags.baseUrl[0] : flags.baseUrl }
      : {}),
    ...(configPath ? { configFile: configPath, configModels: config.models } : {}),
    cache: useCache,
  };
  if (flags.resume !== undefined) run = Run.resume(flags.resume);
  else if (flags.out !== undefined || options.run)
    run = Run.create({
      ...(flags.out !== undefined ? { dir: flags.out } : {}),
      runsDir: flags.runsDir ?? config.runsDir ?? "runs",
      config: runConfig,
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      ...(options.argv ? { argv: options.argv } : {}),
    });

  const budget =
    flags.maxTokensTotal !== undefined
      ? new TokenBudget(flags.maxTokensTotal, run?.tokensSpentBefore ?? 0)
      : undefined;
  const progress = new ProgressLine(
    stats,
    options.progress !== undefined ? { enabled: options.progress } : {},
  );
  const pool = new ModelPool({
    models: config.models,
    cacheDir,
    ...(config.memoryBudgetMB !== undefined ? { memoryBudgetMB: config.memoryBudgetMB } : {}),
    ...(cache ? { fileHashes: cache } : {}),
    middleware: {
      stats,
      ...(cache ? { cache } : {}),
      ...(budget ? { budget } : {}),
      onCall: (event) => {
        run?.appendEvent(event);
        progress.update();
      },
    },
    ...(run ? { onFirstLoad: (name, record) => run.recordModel(name, record) } : {}),
    ...(options.wrapLoaded ? { loader: wrappingLoader(options.wrapLoaded) } : {}),
  });
  if (flags.baseUrl === undefined && configPath)
    for (const ref of flags.model ?? []) await requireKnownModel(ref, config, configPath, cacheDir);
  const models = (flags.model ?? []).map((ref) =>
    pool.addFromFlag(ref, {
      ...(flags.baseUrl !== undefined ? { baseURL: flags.baseUrl } : {}),
      ...(options.extra ? { extra: options.extra } : {}),
    }),
  );
  const seed = flags.seed ?? run?.manifest.seed;
  return {
    config,
    pool,
    models,
    stats,
    progress,
    concurrency: flags.concurrency ?? config.concurrency ?? 1,
    ...(cache ? { cache } : {}),
    ...(budget ? { budget } : {}),
    ...(run ? { run } : {}),
    ...(seed !== undefined ? { seed } : {}),
    async close() {
      try {
        await pool.close();
      } finally {
        run?.close();
        cache?.close();
      }
    },
  };
}

/** The engines' loader with `wrap` around each model; a failed wrap closes the loaded model. */
function wrappingLoader(wrap: NonNullable<OpenSessionOptions["wrapLoaded"]>): ModelLoader {
  return async (request) => {
    const model = await loadWithEngine(request);
    try {
      return wrap(model, { name: request.name, entry: request.entry });
    } catch (error) {
      await model.close?.();
      throw error;
    }
  };
}

/**
 * A bare `--model` name that is neither in the config, nor a file, nor in the model cache is most
 * likely a mistyped config name: say so with the names the config has.
 */
async function requireKnownModel(
  ref: string,
  config: ChorusConfig,
  configPath: string,
  cacheDir: string,
): Promise<void> {
  if (ref in config.models || ref.startsWith("hf:") || /[\\/]|\.gguf$/i.test(ref)) return;
  if (existsSync(ref)) return;
  const { findCachedModels } = await import("../model-files/index.ts");
  if ((await findCachedModels(ref, cacheDir)).length > 0) return;
  const known = Object.keys(config.models);
  throw new ConfigError(
    `unknown model "${ref}"; ${known.length > 0 ? `known models in ${configPath}: ${known.join(", ")}` : `${configPath} names no models`}` +
      "; or pass a .gguf path, a cached name or hf:<owner>/<repo>/<file>.gguf",
    `models.${ref}`,
  );
}

/**
 * `runItems` with the session's run folder, counters, progress line and concurrency; the
 * progress line is finished when the items are. A first Ctrl-C stops the run cleanly after the
 * items in flight (they are kept, and `--resume` continues); a second one quits at once.
 */
export async function runSessionItems<I, R>(
  session: Session,
  items: readonly I[],
  fn: (item: I, context: ItemContext) => Promise<R>,
  options: Pick<RunItemsOptions<I>, "id" | "signal" | "stopOnError"> = {},
): Promise<RunItemsReport<R>> {
  const interrupt = new AbortController();
  const quit = () => process.exit(130);
  const onInterrupt = () => {
    process.stderr.write("\nstopping after the items in flight (Ctrl-C again to quit now)\n");
    interrupt.abort();
    process.once("SIGINT", quit);
  };
  process.once("SIGINT", onInterrupt);
  const signal = options.signal
    ? AbortSignal.any([options.signal, interrupt.signal])
    : interrupt.signal;
  try {
    return await runItems(items, fn, {
      ...options,
      signal,
      concurrency: session.concurrency,
      stats: session.stats,
      progress: session.progress,
      ...(session.run ? { run: session.run } : {}),
    });
  } finally {
    process.removeListener("SIGINT", onInterrupt);
    process.removeListener("SIGINT", quit);
    session.progress.finish();
  }
}

/**
 * The stderr lines that end a run: where it is, and, when it stopped early or had failures, why
 * and how to continue. Returns the exit code (0 complete, 1 stopped early or items failed).
 */
export function reportRunEnd(session: Session, report: RunItemsReport<unknown>): number {
  const { run, stats } = session;
  const where = run ? ` (run folder ${run.dir})` : "";
  const lines: string[] = [];
  if (report.stopped) {
    lines.push(
      `stopped: ${report.stopped.message}; ${report.results.length} finished item(s) kept${where}`,
    );
    if (run)
      lines.push(
        `continue with --resume ${run.dir}` +
          (report.stopped.reason === "budget" ? " and a larger --max-tokens-total" : ""),
      );
  }
  if (report.failed.length > 0) {
    const first = report.failed[0]!;
    lines.push(
      `${report.failed.length} item(s) failed, first "${first.id}": ${first.error}` +
        (run ? `; see ${run.dir}/failures.jsonl, --resume ${run.dir} retries them` : ""),
    );
  }
  if (lines.length === 0 && run)
    lines.push(
      `done: ${report.results.length} item(s), ${stats.tokens} tokens, ${stats.cacheHits} cache hits${where}`,
    );
  for (const line of lines) process.stderr.write(`${line}\n`);
  return report.stopped || report.failed.length > 0 ? 1 : 0;
}
