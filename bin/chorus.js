#!/usr/bin/env node
// chorus runs from its TypeScript sources through tsx: no build step between an edit and a run.
import { register } from "tsx/esm/api";

register();
// A reader that stops early (`chorus ... | head`) closes the pipe: that is the end of the output,
// not an error worth a stack trace.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
