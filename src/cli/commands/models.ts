import type { Command } from "commander";
import { UsageError } from "../../model/errors.ts";
import { isHfReference } from "../../model-files/hf-reference.ts";
import { listCachedModels, modelsDir } from "../../model-files/model-cache.ts";
import { type ModelInfo, readModelInfo } from "../../model-files/model-info.ts";
import { pullModel, pullUrl, resolveModelFile } from "../../model-files/resolve-model-file.ts";

const examples = `
Examples:
  # download a small instruct model into the cache (resumable, checksummed)
  $ chorus models pull hf:bartowski/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct-Q8_0.gguf

  # then use it by name anywhere --model is accepted
  $ chorus generate --model SmolLM2-135M-Instruct-Q8_0 "What is 2+2?"

  $ chorus models list
  $ chorus models info model.gguf

Files go to <cache-dir>/models (default ~/.cache/chorus/models, or $CHORUS_CACHE_DIR/models).
HF_TOKEN is sent for gated repositories; HF_ENDPOINT (or CHORUS_HF_ENDPOINT) points at a mirror.
See docs/models.md.
`;

interface CacheFlags {
  cacheDir?: string;
  json?: boolean;
}

/** `chorus models pull|list|info`: the model file cache. */
export function register(program: Command): void {
  const models = program
    .command("models")
    .description("download, list and inspect GGUF model files")
    .addHelpText("after", examples);

  models
    .command("pull")
    .description("download a model file into the cache (resumes an interrupted download)")
    .argument("<ref>", "hf:<owner>/<repo>[@<revision>]/<file>.gguf, or an http(s) URL of a .gguf")
    .option("--sha256 <hex>", "expected sha256 of the file (default: the hub's checksum)")
    .option("--cache-dir <dir>", "chorus cache folder (default ~/.cache/chorus)")
    .action(async (ref: string, flags: CacheFlags & { sha256?: string }) => {
      const isUrl = /^https?:\/\//i.test(ref);
      if (!isHfReference(ref) && !isUrl) {
        throw new UsageError(
          `pull takes hf:<owner>/<repo>/<file>.gguf or an http(s) URL (got "${ref}"); local files need no pull`,
        );
      }
      const options = {
        ...(flags.cacheDir !== undefined ? { cacheDir: flags.cacheDir } : {}),
        ...(flags.sha256 !== undefined ? { sha256: flags.sha256 } : {}),
      };
      const path = isUrl ? await pullUrl(ref, options) : await pullModel(ref, options);
      process.stdout.write(`${path}\n`);
    });

  models
    .command("list")
    .description("list the model files in the cache: name, size, path")
    .option("--cache-dir <dir>", "chorus cache folder (default ~/.cache/chorus)")
    .option("--json", "one JSON object per file")
    .action(async (flags: CacheFlags) => {
      const cached = await listCachedModels(flags.cacheDir);
      if (flags.json) {
        for (const m of cached) process.stdout.write(`${JSON.stringify(m)}\n`);
        return;
      }
      if (cached.length === 0) {
        process.stderr.write(
          `no models in ${modelsDir(flags.cacheDir)}; add one with chorus models pull\n`,
        );
        return;
      }
      const width = Math.max(...cached.map((m) => m.name.length));
      for (const m of cached) {
        process.stdout.write(
          `${m.name.padEnd(width)}  ${formatBytes(m.bytes).padStart(9)}  ${m.path}\n`,
        );
      }
    });

  models
    .command("info")
    .description("architecture, hyperparameters and tensor types of a model file")
    .argument("<model>", "a GGUF path, a cached name or an hf: reference already pulled")
    .option("--cache-dir <dir>", "chorus cache folder (default ~/.cache/chorus)")
    .option("--json", "the summary as one JSON object")
    .action(async (ref: string, flags: CacheFlags) => {
      const path = await resolveModelFile(ref, {
        ...(flags.cacheDir !== undefined ? { cacheDir: flags.cacheDir } : {}),
        download: false,
      });
      const info = await readModelInfo(path);
      process.stdout.write(flags.json ? `${JSON.stringify(info)}\n` : describe(info));
    });
}

function describe(info: ModelInfo): string {
  const lines = [
    `path          ${info.path}`,
    `size          ${formatBytes(info.bytes)} (GGUF v${info.ggufVersion})`,
    `architecture  ${info.architecture ?? "(none)"}${info.name ? ` — ${info.name}` : ""}`,
    `parameters    ${formatCount(info.parameters)} in ${info.tensorCount} tensors`,
    `tensor types  ${Object.entries(info.tensorTypes)
      .map(([type, count]) => `${type} ×${count}`)
      .join(", ")}`,
    `tokenizer     ${info.tokenizer ?? "(none)"}${info.vocabSize !== undefined ? `, ${info.vocabSize} tokens` : ""}${info.hasChatTemplate ? ", chat template" : ""}`,
  ];
  for (const [key, value] of Object.entries(info.hparams)) lines.push(`  ${key} = ${value}`);
  return `${lines.join("\n")}\n`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}
