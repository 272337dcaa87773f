import type { Command } from "commander";

/**
 * Every CLI command: one file each in this folder, each exporting `register(program)`.
 * Add a command by adding its import here (one line per command keeps edits from colliding).
 */
const commands: Array<() => Promise<{ register: (program: Command) => void }>> = [
  () => import("./generate.ts"),
  () => import("./run.ts"),
  () => import("./eval.ts"),
  () => import("./moe.ts"),
  () => import("./train.ts"),
  () => import("./steer.ts"),
  () => import("./upcore.ts"),
  () => import("./laser.ts"),
  () => import("./unlearn.ts"),
  () => import("./pbt.ts"),
  () => import("./models.ts"),
  () => import("./data.ts"),
  () => import("./serve.ts"),
  () => import("./sandbox.ts"),
  () => import("./testbed.ts"),
  () => import("./demo.ts"),
  () => import("./view.ts"),
  () => import("./gym.ts"),
  () => import("./runs.ts"),
  () => import("./batch.ts"),
];

export async function registerAll(program: Command): Promise<void> {
  for (const load of commands) (await load()).register(program);
}
