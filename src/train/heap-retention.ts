import { createRequire } from "node:module";

/*
 * Why this exists: glibc serves every allocation above 128 KiB (its default mmap threshold) with
 * a fresh mmap and gives it back to the kernel on free, so each large Float32Array the trainer
 * allocates (a product's output, an activation of a packed micro-batch: megabytes each) is
 * faulted in page by page on first touch. In a VM a page fault costs several microseconds; on
 * the 2-core box a [4096×128]·[128×384] product spent 3–5× its arithmetic time faulting its
 * output (bench/train.ts, "heap retention"). Raising the mmap threshold and the trim threshold
 * keeps freed blocks in the heap, so the next allocation of that size reuses mapped pages.
 * The price: the process's resident memory stays near its peak until it exits.
 */

/** glibc mallopt parameters (malloc.h). */
const M_TRIM_THRESHOLD = -1;
const M_TOP_PAD = -2;
const M_MMAP_THRESHOLD = -3;
/** glibc's ceiling for M_MMAP_THRESHOLD on 64-bit (HEAP_MAX_SIZE / 2). */
const maxMmapThreshold = 32 * 1024 * 1024;

let applied: boolean | undefined;

/** True when this process runs on glibc (mallopt exists). */
function onGlibc(): boolean {
  if (process.platform !== "linux") return false;
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } })
    ?.header;
  return typeof header?.glibcVersionRuntime === "string";
}

/**
 * Makes glibc keep freed memory for reuse instead of unmapping it (see above). Applied once per
 * process; returns whether it took effect (false off glibc, when koffi cannot load libc, or when
 * `CHORUS_TRAIN_RETAIN_HEAP=0`).
 */
export function retainFreedHeap(): boolean {
  if (applied !== undefined) return applied;
  applied = false;
  if (process.env["CHORUS_TRAIN_RETAIN_HEAP"] === "0" || !onGlibc()) return applied;
  try {
    // Loaded here, not at import: koffi's native module costs tens of milliseconds at startup
    // and only processes that run the trainer's kernel need it.
    const koffi = createRequire(import.meta.url)("koffi") as typeof import("koffi");
    const mallopt = koffi.load("libc.so.6").func("int mallopt(int param, int value)") as (
      param: number,
      value: number,
    ) => number;
    applied =
      mallopt(M_MMAP_THRESHOLD, maxMmapThreshold) === 1 &&
      mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024) === 1 &&
      mallopt(M_TOP_PAD, 64 * 1024 * 1024) === 1;
  } catch {
    applied = false;
  }
  return applied;
}
