import type { Command } from "commander";

/** A top-level command as `chorus --help` lists it, and the module that defines it. */
export interface CommandEntry {
  name: string;
  /** The description the module's `register` gives the command (index.test.ts checks they agree). */
  description: string;
  /** The module, imported only when this command runs (or its help is asked for). */
  load: () => Promise<{ register: (program: Command) => void }>;
}

/**
 * Every CLI command, one file each in this folder exporting `register(program)`. `chorus --help`
 * and `--version` import none of them, and a run imports only its own command's module, so a
 * command pays for what it uses and nothing else (a whole process, bench/startup.ts).
 *
 * To add a command: write `<name>.ts` with `register(program)`, then add one line here with the
 * same name and description (one entry per line keeps parallel edits from colliding).
 */
// biome-ignore format: one entry per line
export const commands: readonly CommandEntry[] = [
  { name: "generate", description: "generate completions for a prompt with a local GGUF model or a server", load: () => import("./generate.ts") },
  { name: "run", description: "run one method on one input (see `chorus run <method> --help`)", load: () => import("./run.ts") },
  { name: "eval", description: "evaluate a method (and baselines) on a dataset; writes a run folder and a report", load: () => import("./eval.ts") },
  { name: "moe", description: "Symbolic-MoE tools: build and save expert profiles", load: () => import("./moe.ts") },
  { name: "train", description: "fine-tune a local GGUF model with LoRA (SFT, DPO), pretrain a tiny one from scratch, or export training data", load: () => import("./train.ts") },
  { name: "steer", description: "MAT-Steer: train gated steering vectors", load: () => import("./steer.ts") },
  { name: "upcore", description: "UPCORE: utility-preserving coreset selection", load: () => import("./upcore.ts") },
  { name: "laser", description: "LASeR: a LinUCB bandit picks the reward model per batch for iterative DPO", load: () => import("./laser.ts") },
  { name: "unlearn", description: "unlearn a forget set (coreset, full or random subset) with LoRA; writes the AUC report", load: () => import("./unlearn.ts") },
  { name: "pbt", description: "PBT: persuasion-balanced training (dialogue trees, balanced pairs, SFT+DPO, evals)", load: () => import("./pbt.ts") },
  { name: "models", description: "download, list and inspect GGUF model files", load: () => import("./models.ts") },
  { name: "data", description: "download and list the named datasets (hub, cache, data mirrors)", load: () => import("./data.ts") },
  { name: "serve", description: "serve models over an OpenAI-compatible HTTP API (/v1/chat/completions, ...)", load: () => import("./serve.ts") },
  { name: "sandbox", description: "run code in the sandbox used for code evaluation (see docs/sandbox.md)", load: () => import("./sandbox.ts") },
  { name: "testbed", description: "the testbed's generated worlds and their eval sets (see docs/testbed.md)", load: () => import("./testbed.ts") },
  { name: "demo", description: "measure a method's claim offline on the shipped testbed models (default AdaCAD)", load: () => import("./demo.ts") },
  { name: "view", description: "look at run folders in a browser (local server, or --export one HTML file)", load: () => import("./view.ts") },
  { name: "gym", description: "DataEnvGym: teacher agents generate training data from a student's errors", load: () => import("./gym.ts") },
];

/**
 * The command a command line runs: its first word that is not an option (`chorus help <name>`
 * names it second). Options of the root (`-h`, `-V`) take no value, so no word is an option's.
 */
export function commandNamed(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith("-"));
  return words[0] === "help" ? words[1] : words[0];
}

/**
 * Registers the command `argv` runs from its module; every other command only as a name and a
 * description, which is all the root's help and commander's "did you mean" need.
 */
export async function registerFor(program: Command, argv: readonly string[]): Promise<void> {
  const named = commandNamed(argv);
  for (const entry of commands) {
    if (entry.name === named) (await entry.load()).register(program);
    else program.command(entry.name).description(entry.description);
  }
}
