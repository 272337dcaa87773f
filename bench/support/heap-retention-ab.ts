import { spawnSync } from "node:child_process";
import { median } from "./bench-model.ts";

const probe = new URL("./heap-probe.ts", import.meta.url).pathname;

function probeMs(retain: boolean): number {
  const env = { ...process.env, CHORUS_TRAIN_RETAIN_HEAP: retain ? "1" : "0" };
  const r = spawnSync(process.execPath, ["--import", "tsx", probe], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`heap probe failed: ${r.stderr}`);
  return (JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { ms: number }).ms;
}

/**
 * ms of a [4096×128]·[128×384] product with and without `retainFreedHeap`, each the median of
 * `rounds` child processes run alternately (the setting is process-wide, so one process cannot
 * hold both).
 */
export function heapRetentionAb(rounds = 3): { retainedMs: number; defaultMs: number } {
  const retained: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < rounds; i++) {
    retained.push(probeMs(true));
    plain.push(probeMs(false));
  }
  return { retainedMs: median(retained), defaultMs: median(plain) };
}
