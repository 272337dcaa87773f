import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../../model/errors.ts";
import { defaultCacheDir } from "../../runtime/cache-dir.ts";
import { exportHtml } from "../../view/export-html.ts";
import { openRuns } from "../../view/run-folders.ts";
import { startViewServer } from "../../view/view-server.ts";
import { integerArg } from "../model-options.ts";

interface ViewFlags {
  host: string;
  port: number;
  open?: boolean;
  export?: string;
  maxMb: number;
  cacheDir?: string;
}

const examples = `
Examples:
  # every run under ./runs, on a free port of 127.0.0.1; the URL is printed
  $ chorus view

  # two run folders side by side in the runs list, on a fixed port, opened in the browser
  $ chorus view runs/20261203-050543-a3f9 runs/20261203-061200-b7c1 --port 7575 --open

  # one self-contained HTML file for a CI artefact or an issue (works from file://, no network)
  $ chorus view runs/20261203-050543-a3f9 --export run.html --max-mb 5

In the page: #/compare?a=<run>&am=<method>&b=<run>&bm=<method> pairs two runs (or methods) on
their items, flips first, with Δ and its paired bootstrap CI; a run still writing updates live.
An argument is a run folder (it holds config.json) or a folder of run folders; each run's index
is kept in <cache-dir>/view-index, so opening it again reads only what was appended. The item table's
filter takes expressions such as  method == "adacad" and not correct and score < 0.5 .
An export holds the run's prompts and outputs: share it only where those may go. See docs/view.md.
`;

/** `chorus view`: run folders in a browser, served locally or exported as one HTML file. */
export function register(program: Command): void {
  program
    .command("view")
    .description("look at run folders in a browser (local server, or --export one HTML file)")
    .argument("[runs...]", "run folders or folders of runs (default: ./runs)")
    .option(
      "--host <host>",
      "address to bind (anything but loopback exposes your runs)",
      "127.0.0.1",
    )
    .option("--port <port>", "port (0 picks a free one)", integerArg(0), 0)
    .option("--open", "open the page in the default browser")
    .option("--export <file.html>", "write one self-contained HTML file instead of serving")
    .option(
      "--max-mb <n>",
      "with --export: largest file; item details past it are dropped",
      Number,
      15,
    )
    .option("--cache-dir <dir>", "chorus cache folder, for run indexes (default ~/.cache/chorus)")
    .addHelpText("after", examples)
    .action(async (paths: string[], flags: ViewFlags) => {
      await view(paths.length > 0 ? paths : ["runs"], flags);
    });
}

async function view(paths: string[], flags: ViewFlags): Promise<void> {
  const runs = openRuns(paths, { cacheDir: flags.cacheDir ?? defaultCacheDir() });
  if (flags.export !== undefined) {
    if (!(flags.maxMb > 0)) throw new UsageError("--max-mb: expected a positive number");
    const result = await exportHtml(runs, flags.maxMb * 1e6);
    writeFileSync(flags.export, result.html);
    process.stderr.write(
      `chorus view: wrote ${flags.export} (${(Buffer.byteLength(result.html) / 1e6).toFixed(2)} MB, ${runs.length} run(s)); it contains the runs' prompts and outputs\n`,
    );
    if (result.dropped) process.stderr.write(`chorus view: ${result.dropped}\n`);
    return;
  }
  if (!["127.0.0.1", "localhost", "::1"].includes(flags.host))
    process.stderr.write(
      `chorus view: warning: --host ${flags.host} lets other machines read these runs (prompts and outputs included)\n`,
    );
  const server = await startViewServer(runs, { host: flags.host, port: flags.port });
  process.stdout.write(`${server.url}\n`);
  process.stderr.write(`chorus view: ${runs.length} run(s) at ${server.url} (Ctrl-C stops)\n`);
  if (flags.open) openInBrowser(server.url);
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = () => resolve();
  });
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  await stopped;
  process.off("SIGINT", stop);
  process.off("SIGTERM", stop);
  await server.close();
}

/** Best effort: a missing opener is not an error, the URL is printed anyway. */
function openInBrowser(url: string): void {
  const opener =
    process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  const child = spawn(opener, [url], { detached: true, stdio: "ignore" });
  child.on("error", () =>
    process.stderr.write(`chorus view: could not run ${opener}; open ${url}\n`),
  );
  child.unref();
}
