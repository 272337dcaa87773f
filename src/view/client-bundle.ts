import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const clientDir = fileURLToPath(new URL("./client/", import.meta.url));

let bundled: Promise<{ script: string; css: string }> | undefined;

/**
 * The page's script and style, bundled in memory from `client/` on first use (no build step and
 * no stale `dist/`, decision 0001). `</script` cannot appear in the inlined output.
 */
export function clientBundle(): Promise<{ script: string; css: string }> {
  bundled ??= build({
    entryPoints: [`${clientDir}main.ts`],
    bundle: true,
    write: false,
    format: "iife",
    target: "es2022",
    minify: true,
    legalComments: "none",
    logLevel: "silent",
  }).then((result) => ({
    script: result.outputFiles[0]!.text.replaceAll("</script", "<\\/script"),
    css: readFileSync(`${clientDir}page.css`, "utf8"),
  }));
  return bundled;
}
