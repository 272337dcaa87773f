import { basename } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../../model/errors.ts";
import { createChorusServer } from "../../server/chorus-server.ts";
import { addModelOptions, integerArg, type ModelFlags, openSession } from "../model-options.ts";

interface ServeFlags extends ModelFlags {
  host: string;
  port: number;
  apiKey?: string;
  maxBodyBytes: number;
  quiet?: boolean;
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

A model is served under <name>= when given, else its file name without .gguf; models named in
chorus.config.json are served too. See docs/serve.md.
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
    .addHelpText("after", examples)
    .action(async (flags: ServeFlags) => {
      await serve(flags);
    });
}

/** `alias=ref` gives a name; otherwise a GGUF is named after its file. */
function servedName(ref: string): { name: string; ref: string } {
  const eq = ref.indexOf("=");
  if (eq > 0 && !ref.startsWith("hf:")) return { name: ref.slice(0, eq), ref: ref.slice(eq + 1) };
  return { name: basename(ref).replace(/\.gguf$/i, ""), ref };
}

async function serve(flags: ServeFlags): Promise<void> {
  const apiKey = flags.apiKey ?? process.env.CHORUS_SERVE_API_KEY;
  const { model: refs = [], ...rest } = flags;
  const session = await openSession(rest);
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
    const server = createChorusServer({
      models: session.pool,
      ...(apiKey ? { apiKey } : {}),
      maxBodyBytes: flags.maxBodyBytes,
      ...(flags.quiet ? {} : { log: (line: string) => process.stderr.write(`${line}\n`) }),
    });
    const url = await server.listen(flags.port, flags.host);
    process.stderr.write(
      `chorus serve: listening on ${url} (models: ${names.join(", ")}${apiKey ? "; API key required" : ""})\n`,
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
