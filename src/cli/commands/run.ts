import type { Command } from "commander";

/** A `chorus run <method>` subcommand: one file in ./run/, exporting `register(run)`. */
interface RunSubcommand {
  register(run: Command): void;
}

/**
 * The methods `chorus run` knows. Add one with ONE line (concurrent additions stay apart); the
 * modules load when the CLI starts, so each file should import its method lazily if it is heavy.
 */
const subcommands: Array<() => Promise<RunSubcommand>> = [
  () => import("./run/adacad.ts"),
  () => import("./run/mamm-refine.ts"),
];

const loaded = await Promise.all(subcommands.map((load) => load()));

/** `chorus run <method>`: one method on one input, result on stdout. */
export function register(program: Command): void {
  const run = program
    .command("run")
    .description("run one method on one input (see `chorus run <method> --help`)");
  for (const subcommand of loaded) subcommand.register(run);
}
