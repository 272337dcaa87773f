#!/usr/bin/env node
import { existsSync } from "node:fs";

// A reader that stops early (`chorus ... | head`) closes the pipe: that is the end of the output,
// not an error worth a stack trace.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

// A git checkout runs its TypeScript sources through tsx: no build step between an edit and a
// run, and no compiled copy that could lag behind them (docs/decisions/0001). The package
// `npm pack` makes runs the JavaScript compiled into dist/ when it was packed: no loader to
// start, a fraction of the start-up time (docs/decisions/0003).
const checkout = existsSync(new URL("../.git", import.meta.url));
const compiled = new URL("../dist/cli/main.js", import.meta.url);
let main;
if (!checkout && existsSync(compiled)) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("../src/cli/main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
