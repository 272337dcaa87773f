import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { ConfigError } from "../model/errors.ts";
import { formatZodIssue } from "./zod-issue.ts";

/** Sampling values applied to a request when it does not set them itself. */
export const samplingDefaultsSchema = z
  .object({
    temperature: z.number().min(0).optional(),
    topP: z.number().gt(0).max(1).optional(),
    topK: z.number().int().min(0).optional(),
    maxTokens: z.number().int().positive().optional(),
    seed: z.number().int().optional(),
  })
  .strict();

export type SamplingDefaults = z.infer<typeof samplingDefaultsSchema>;

const loraSchema = z.object({ path: z.string().min(1), scale: z.number().optional() }).strict();

/** One named model in `chorus.config.json`. */
export const modelConfigSchema = z
  .object({
    engine: z.enum(["llamacpp", "openai"]),
    /** llamacpp: a path, a cached model name, or `hf:<owner>/<repo>/<file>.gguf`. */
    file: z.string().min(1).optional(),
    /** openai: the server's base URL, e.g. `http://127.0.0.1:8000/v1`, or several replicas' URLs. */
    baseURL: z.union([z.url(), z.array(z.url()).min(1)]).optional(),
    /**
     * openai: names the served weights (e.g. a Hugging Face commit). With it the call cache keys on
     * model + revision, so answers stay cached when replicas come and go; without it on the URLs.
     */
    revision: z.string().min(1).optional(),
    /** openai: the model name the server knows. */
    model: z.string().min(1).optional(),
    /** openai: the environment variable holding the API key (default OPENAI_API_KEY). */
    apiKeyEnv: z.string().min(1).optional(),
    api: z.enum(["chat", "completions"]).optional(),
    /** openai: the server's dialect; "auto" (default) asks the server once. */
    flavor: z.enum(["auto", "vllm", "llamacpp", "ollama", "openai"]).optional(),
    timeoutMs: z.number().int().positive().optional(),
    maxRetries: z.number().int().min(0).optional(),
    /** openai: requests in flight at once per replica (see `adaptive`). */
    concurrency: z.number().int().positive().optional(),
    /** openai: the adaptive per-replica limit, or false for a fixed `concurrency`. */
    adaptive: z
      .union([
        z.literal(false),
        z
          .object({
            min: z.number().int().positive().optional(),
            start: z.number().int().positive().optional(),
            max: z.number().int().positive().optional(),
            decrease: z.number().gt(0).max(1).optional(),
            cooldownMs: z.number().min(0).optional(),
          })
          .strict(),
      ])
      .optional(),
    /** openai: how calls spread over several base URLs, and when a replica is ejected. */
    balance: z
      .object({
        strategy: z.enum(["affinity", "least-outstanding"]).optional(),
        maxLoadFactor: z.number().min(1).optional(),
        eject: z
          .object({
            failures: z.number().int().positive().optional(),
            cooldownMs: z.number().min(0).optional(),
          })
          .strict()
          .optional(),
        healthPath: z.string().startsWith("/").optional(),
      })
      .strict()
      .optional(),
    /** openai: header carrying the routing key (item id) to a router; false for none. */
    routingKeyHeader: z.union([z.string().min(1), z.literal(false)]).optional(),
    /** openai: how long 429/503 backpressure may hold one call. */
    overloadTimeoutMs: z.number().int().positive().optional(),
    sampling: samplingDefaultsSchema.optional(),
    /** Free-form tags methods select models by (e.g. "judge", "expert"). */
    roles: z.array(z.string().min(1)).optional(),
    contextSize: z.number().int().positive().optional(),
    threads: z.number().int().positive().optional(),
    /** llamacpp: contexts generating side by side. */
    parallel: z.number().int().positive().optional(),
    /** llamacpp: false evaluates every prompt from an empty KV cache (reproducible in parallel). */
    reusePrefix: z.boolean().optional(),
    gpu: z.union([z.literal("auto"), z.boolean()]).optional(),
    lora: z.array(loraSchema).optional(),
  })
  .strict()
  .superRefine((model, ctx) => {
    if (model.engine === "llamacpp") {
      if (model.file === undefined)
        ctx.addIssue({
          code: "custom",
          path: ["file"],
          message: 'required for engine "llamacpp" (a .gguf path, cached name or hf: ref)',
        });
      const openaiOnly = [
        "baseURL",
        "model",
        "apiKeyEnv",
        "api",
        "flavor",
        "revision",
        "adaptive",
        "balance",
        "routingKeyHeader",
        "overloadTimeoutMs",
      ] as const;
      for (const key of openaiOnly) {
        if (model[key] !== undefined)
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: 'only for engine "openai"; remove it or set engine to "openai"',
          });
      }
    } else {
      for (const key of ["baseURL", "model"] as const) {
        if (model[key] === undefined)
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: 'required for engine "openai"',
          });
      }
      for (const key of [
        "file",
        "contextSize",
        "threads",
        "parallel",
        "reusePrefix",
        "gpu",
        "lora",
      ] as const) {
        if (model[key] !== undefined)
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: 'only for engine "llamacpp"; remove it or set engine to "llamacpp"',
          });
      }
    }
  });

export type ModelConfig = z.infer<typeof modelConfigSchema>;

/** The whole `chorus.config.json`. */
export const chorusConfigSchema = z
  .object({
    $schema: z.string().optional(),
    models: z.record(z.string().min(1), modelConfigSchema).default({}),
    /** Model downloads and the call cache live here. */
    cacheDir: z.string().min(1).optional(),
    runsDir: z.string().min(1).optional(),
    /** Items processed at once by runs. */
    concurrency: z.number().int().positive().optional(),
    /** Local models held in memory at once never exceed this estimate (from file sizes). */
    memoryBudgetMB: z.number().positive().optional(),
    /** `chorus serve`: methods served as `<method>:<model>`, settings and roles by method or virtual model. */
    serve: z
      .object({
        methods: z.array(z.string().min(1)).optional(),
        settings: z
          .record(
            z.string().min(1),
            z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
          )
          .optional(),
        /** Roles played by other served models, keyed like `settings`: {"magicore:qwen": {"prm": "smol"}}. */
        roles: z
          .record(z.string().min(1), z.record(z.string().min(1), z.string().min(1)))
          .optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ChorusConfig = z.infer<typeof chorusConfigSchema>;

/**
 * Validates a parsed config object. Relative paths (model files, LoRA adapters, cacheDir, runsDir)
 * are resolved against `baseDir`, the config file's folder.
 * @throws ConfigError naming the first bad field, e.g.
 *   `models.judge.engine: expected "llamacpp" | "openai", got "foo"`.
 */
export function parseConfig(
  value: unknown,
  options: { source?: string; baseDir?: string } = {},
): ChorusConfig {
  const parsed = chorusConfigSchema.safeParse(value, { reportInput: true });
  const source = options.source ? `${options.source}: ` : "";
  if (!parsed.success) {
    const issues = parsed.error.issues.map(formatZodIssue);
    const first = issues[0]!;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem(s))` : "";
    throw new ConfigError(`${source}${first.message}${more}`, first.field);
  }
  const config = parsed.data;
  const baseDir = options.baseDir;
  if (baseDir === undefined) return config;
  const local = (p: string) =>
    p.startsWith("hf:") || isAbsolute(p) || !/[\\/]|\.gguf$/i.test(p) ? p : resolve(baseDir, p);
  for (const model of Object.values(config.models)) {
    if (model.file !== undefined) model.file = local(model.file);
    for (const adapter of model.lora ?? []) adapter.path = resolve(baseDir, adapter.path);
  }
  if (config.cacheDir !== undefined) config.cacheDir = resolve(baseDir, config.cacheDir);
  if (config.runsDir !== undefined) config.runsDir = resolve(baseDir, config.runsDir);
  return config;
}

/**
 * Reads and validates `chorus.config.json`.
 * @throws ConfigError when the file is missing, is not JSON, or a field is wrong.
 */
export function loadConfig(path: string): ChorusConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === "ENOENT"
        ? `config file ${path} does not exist; create it or pass --config <file>`
        : `cannot read config file ${path}: ${(error as Error).message}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  return parseConfig(value, { source: path, baseDir: dirname(resolve(path)) });
}

/**
 * The config entry for `name`.
 * @throws ConfigError listing the known names when there is none.
 */
export function modelConfigFor(config: ChorusConfig, name: string): ModelConfig {
  // own keys only: "toString" or "__proto__" must not find Object.prototype's members
  const model = Object.hasOwn(config.models, name) ? config.models[name] : undefined;
  if (model) return model;
  const known = Object.keys(config.models);
  throw new ConfigError(
    `unknown model "${name}"; ${known.length > 0 ? `known models: ${known.join(", ")}` : "the config names no models"}`,
    `models.${name}`,
  );
}
