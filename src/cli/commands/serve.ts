import { basename } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../model/errors.ts";
import { createChorusServer } from "../../server/chorus-server.ts";
import { loadServedMethods } from "../../server/served-methods.ts";
import {
  addModelOptions,
  collect,
  integerArg,
  type ModelFlags,
  openSession,
} from "../model-options.ts";
import { readSteerOption } from "../steer-option.ts";

interface ServeFlags extends ModelFlags {
  host: string;
  port: number;
  apiKey?: string;
  maxBodyBytes: number;
  quiet?: boolean;
  method?: string[];
  set?: string[];
  role?: string[];
  steer?: string;
}

const examples = `
Examples:
  # serve a local GGUF as model "stories" on http://127.0.0.1:8080/v1
  $ chorus serve --model stories=stories260K.gguf

  # several models (loaded on first use), a bearer key, another port
  $ CHORUS_SERVE_API_KEY=secret chorus serve --port 9000 \\
      --model hf:bartowski/SmolLM2-135M-Instruct-GGUF/SmolLM2-135M-Instruct-Q8_0.gguf \\
      --model qwen=hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q8_0.gguf

  # then any OpenAI client works
  $ curl http://127.0.0.1:8080/v1/chat/completions -H 'content-type: application/json' \\
      -d '{"model":"stories","messages":[{"role":"user","content":"Hi"}],"max_tokens":20}'

  # methods as models: "self-consistency:qwen", "magicore:qwen", "adacad:qwen" beside "qwen",
  # with settings for every magicore model, one virtual model, and all of them
  $ chorus serve --model qwen=qwen2.5-0.5b-instruct-q8_0.gguf \\
      --method self-consistency --method magicore --method adacad \\
      --set magicore.k=8 --set self-consistency:qwen.k=16 --set maxTokens=512
  $ curl http://127.0.0.1:8080/v1/chat/completions -H 'content-type: application/json' \\
      -d '{"model":"magicore:qwen","messages":[{"role":"user","content":"What is 12*13?"}],
           "chorus":{"trace":true}}'

  # MAgICoRe on qwen with its step scores from a second served model
  $ chorus serve --model qwen=qwen2.5-0.5b-instruct-q8_0.gguf --model prm=math-shepherd.gguf \
      --method magicore --role magicore:qwen.prm=prm --role magicore:qwen.orm=prm

  # a steered model (MAT-Steer steerer from chorus steer train), its methods steered too
  $ chorus serve --model stories=../shared/models/stories260K.gguf --steer steer.json

A model is served under <name>= when given, else its file name without .gguf; models named in
chorus.config.json are served too, and so are its "serve": {"methods": [...], "settings": {...},
"roles": {...}}. A role not given is played by the virtual model's own model.
Servable methods: cot, self-consistency, best-of-k, rm-vote, self-refine, magicore, adacad.
See docs/serve.md.
`;

/** `chorus serve`: an OpenAI-compatible server over the configured models. */
export function register(program: Command): void {
  const command = program
    .command("serve")
    .description("serve models over an OpenAI-compatible HTTP API (/v1/chat/completions, ...)");
  addModelOptions(command, { repeatable: true })
    .option("--host <host>", "address to bind (0.0.0.0 exposes it to the network)", "127.0.0.1")
    .option("--port <port>", "port (0 picks a free one)", integerArg(0), 8080)
    .option(
      "--api-key <key>",
      "require 'Authorization: Bearer <key>' (default $CHORUS_SERVE_API_KEY)",
    )
    .option(
      "--max-body-bytes <n>",
      "largest request body; larger ones get 413",
      integerArg(1),
      1024 * 1024,
    )
    .option("--quiet", "no per-request log lines on stderr")
    .option(
      "--method <method>",
      "also serve <method>:<model> for every model (repeatable), e.g. magicore",
      collect,
    )
    .option(
      "--set <[target.]key=value>",
      "method setting (repeatable): key=v for all, magicore.key=v, magicore:qwen.key=v",
      collect,
    )
    .option(
      "--role <[target.]role=model>",
      "a method's role played by another served model (repeatable): prm=smol, magicore:qwen.prm=smol",
      collect,
    )
    .option(
      "--steer <steer.json>",
      "steer every local model (and its methods) with a MAT-Steer steerer",
    )
    .addHelpText("after", examples)
    .action(async (flags: ServeFlags) => {
      await serve(flags);
    });
}

/**
 * Config settings (or roles) with `--set` (`--role`) on top: `key=v` for every served method,
 * `magicore.key=v` for one method, `magicore:qwen.key=v` for one virtual model (the text before
 * the key's last dot).
 */
function mergeTargeted<V>(
  config: Readonly<Record<string, Readonly<Record<string, V>>>>,
  sets: readonly string[],
  flag: string,
): Record<string, Record<string, V | string>> {
  const global: Record<string, V | string> = {};
  const byTarget: Record<string, Record<string, V | string>> = {};
  for (const value of sets) {
    const eq = value.indexOf("=");
    if (eq <= 0) throw new UsageError(`${flag} ${value}: expected [target.]key=value`);
    const left = value.slice(0, eq).trim();
    const dot = left.lastIndexOf(".");
    const setting = value.slice(eq + 1).trim();
    if (dot < 0) global[left] = setting;
    else {
      const target = left.slice(0, dot);
      byTarget[target] = { ...byTarget[target], [left.slice(dot + 1)]: setting };
    }
  }
  const merged: Record<string, Record<string, V | string>> = {};
  for (const target of new Set([...Object.keys(config), ...Object.keys(byTarget)]))
    merged[target] = { ...config[target], ...byTarget[target] };
  // "*": the settings for every method, under each method's and virtual model's own
  return { "*": global, ...merged };
}

/** `alias=ref` gives a name; otherwise a GGUF is named after its file. */
function servedName(ref: string): { name: string; ref: string } {
  const eq = ref.indexOf("=");
  if (eq > 0 && !ref.startsWith("hf:")) return { name: ref.slice(0, eq), ref: ref.slice(eq + 1) };
  return { name: basename(ref).replace(/\.gguf$/i, ""), ref };
}

async function serve(flags: ServeFlags): Promise<void> {
  const apiKey = flags.apiKey ?? process.env.CHORUS_SERVE_API_KEY;
  const { model: refs = [], method: _m, set: _s, role: _r, steer: _steer, ...rest } = flags;
  const steer = await readSteerOption(flags.steer, flags.baseUrl);
  const session = await openSession(rest, steer ? { wrapLoaded: steer.wrapLoaded } : {});
  try {
    for (const value of refs) {
      if (flags.baseUrl !== undefined || session.pool.has(value)) {
        session.pool.addFromFlag(
          value,
          flags.baseUrl !== undefined ? { baseURL: flags.baseUrl } : {},
        );
        continue;
      }
      const { name, ref } = servedName(value);
      if (session.pool.has(name)) {
        throw new UsageError(
          `two models are named "${name}"; name them with --model <name>=<file>`,
        );
      }
      session.pool.add(name, { engine: "llamacpp", file: ref });
    }
    const names = session.pool.names();
    if (names.length === 0) {
      throw new UsageError(
        "serve needs at least one model: --model <file.gguf | cached name | hf:ref> or models in chorus.config.json",
      );
    }
    const methodNames = [...(session.config.serve?.methods ?? []), ...(flags.method ?? [])];
    const methods =
      methodNames.length > 0
        ? await loadServedMethods(
            methodNames,
            mergeTargeted(session.config.serve?.settings ?? {}, flags.set ?? [], "--set"),
            names,
            mergeTargeted(session.config.serve?.roles ?? {}, flags.role ?? [], "--role"),
          )
        : undefined;
    const served = [...names, ...(methods?.names(names) ?? [])];
    const server = createChorusServer({
      models: session.pool,
      ...(methods ? { methods } : {}),
      ...(apiKey ? { apiKey } : {}),
      maxBodyBytes: flags.maxBodyBytes,
      ...(flags.quiet ? {} : { log: (line: string) => process.stderr.write(`${line}\n`) }),
    });
    const url = await server.listen(flags.port, flags.host);
    process.stderr.write(
      `chorus serve: listening on ${url} (models: ${served.join(", ")}${apiKey ? "; API key required" : ""})\n`,
    );
    // The listener stays registered until the signal's emit is over: signal-exit (loaded with
    // node-llama-cpp) re-raises the signal when, at its turn, it sees no listener but its own
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = () => resolve();
    });
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    await stopped;
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    process.stderr.write("chorus serve: shutting down\n");
    await server.close();
  } finally {
    await session.close();
  }
}
