/**
 * Compiles src/ to JavaScript in dist/, one file per source file at the same place, for the
 * package `npm pack` makes (`prepack`; docs/decisions/0003). Running from the package then needs
 * no TypeScript loader: `chorus --help` starts in a tenth of the time. A git checkout never uses
 * dist/ (bin/chorus.js), so the sources stay the one truth there and tests run on them.
 *
 * dist/ sits at src/'s depth, so `new URL("../../package.json", import.meta.url)` and the other
 * file references resolve alike from both; files that are not compiled TypeScript (the sandbox
 * launcher, the UTGen harnesses, the viewer's browser client, bundled when a page is served)
 * are copied as they are.
 *
 *   node --import tsx scripts/build-dist.ts
 */
import { cpSync, readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
const src = join(root, "src");
const dist = join(root, "dist");
/** Shipped as source: esbuild bundles it for the browser when the viewer serves a page. */
const browserClient = join(src, "view", "client");

const files = readdirSync(src, { recursive: true, withFileTypes: true })
  .filter((f) => f.isFile())
  .map((f) => join(f.parentPath, f.name));
const compiled = files.filter(
  (f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.startsWith(browserClient),
);
const copied = files.filter(
  (f) => (!f.endsWith(".ts") || f.startsWith(browserClient)) && !f.endsWith(".test.ts"),
);

/** Each file compiles alone: its relative imports stay imports, `.ts` becoming `.js`. */
const relativeImportsAsJs: Plugin = {
  name: "relative-imports-as-js",
  setup(builder) {
    builder.onResolve({ filter: /^\.\.?\// }, (args) =>
      args.kind === "entry-point"
        ? undefined
        : { path: args.path.replace(/\.ts$/, ".js"), external: true },
    );
  },
};

// A copied file must not land where a compiled module goes (ut-harness.js once overwrote the
// compiled ut-harness.ts, and the package failed at its first import of it).
const outputs = new Set(compiled.map((f) => relative(src, f).replace(/\.ts$/, ".js")));
const clashes = copied.map((f) => relative(src, f)).filter((f) => outputs.has(f));
if (clashes.length > 0)
  throw new Error(
    `src/ files would overwrite compiled modules in dist/: ${clashes.join(", ")}; rename them`,
  );

rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints: compiled,
  outbase: src,
  outdir: dist,
  bundle: true,
  packages: "external",
  plugins: [relativeImportsAsJs],
  platform: "node",
  format: "esm",
  target: "node20",
  logLevel: "warning",
});
for (const file of copied) cpSync(file, join(dist, relative(src, file)));
process.stdout.write(`dist/: ${compiled.length} modules compiled, ${copied.length} files copied\n`);
