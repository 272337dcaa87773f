import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";

/** `npm run bench -- <name>` runs bench/<name>.ts (or bench/<name>/index.ts). */
const name = process.argv[2];
const here = new URL(".", import.meta.url);
if (!name) {
  const entries = (await readdir(here)).filter(
    (f) => f !== "run.ts" && f !== "support" && !f.startsWith("."),
  );
  process.stderr.write(
    `usage: npm run bench -- <name>\nbenchmarks: ${entries.map((f) => f.replace(/\.ts$/, "")).join(", ")}\n`,
  );
  process.exit(2);
}
const file = [`${name}.ts`, `${name}/index.ts`]
  .map((f) => new URL(f, here))
  .find((u) => existsSync(u));
if (!file) {
  process.stderr.write(`no benchmark named "${name}" in bench/\n`);
  process.exit(2);
}
await import(file.href);
