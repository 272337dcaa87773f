import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ChorusRun, runChorus } from "./run-chorus.ts";

/**
 * Runs the real CLI in a child process and lists the URL of every module it imported: a resolve
 * hook registered before anything else (tsx included) appends each resolved URL to a file (listed
 * once each, in first-load order). Tests
 * use it to check what a command line loads, e.g. that `--help` never loads llama.cpp.
 */
export async function traceModules(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<ChorusRun & { modules: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), "chorus-module-trace-"));
  const file = join(dir, "modules.txt");
  const hooks = dataURL(`
    import { appendFileSync } from "node:fs";
    export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      appendFileSync(${JSON.stringify(file)}, resolved.url + "\\n");
      return resolved;
    }`);
  const preload = dataURL(`
    import { register } from "node:module";
    register(${JSON.stringify(hooks)});`);
  try {
    const run = await runChorus(args, {
      ...options,
      env: { ...options.env, NODE_OPTIONS: `--import ${preload}` },
    });
    let modules: string[] = [];
    try {
      modules = [...new Set(readFileSync(file, "utf8").split("\n").filter(Boolean))];
    } catch {}
    return { ...run, modules };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function dataURL(source: string): string {
  return `data:text/javascript,${encodeURIComponent(source)}`;
}
