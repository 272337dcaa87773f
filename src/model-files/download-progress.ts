import type { DownloadProgress } from "./download-file.ts";

const mib = 1024 * 1024;

/**
 * A progress reporter that redraws one line on stderr, at most every 200 ms, and only when stderr
 * is a terminal (logs and CI output stay clean). Call `done()` to end the line.
 */
export function stderrProgress(label: string): {
  onProgress: (progress: DownloadProgress) => void;
  done: () => void;
} {
  const stream = process.stderr;
  const enabled = stream.isTTY === true && process.env.CI !== "true";
  const started = Date.now();
  let last = 0;
  let drawn = false;
  return {
    onProgress(progress) {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < 200 && progress.received !== progress.total) return;
      last = now;
      const seconds = Math.max((now - started) / 1000, 0.001);
      const rate = (progress.received - progress.resumedFrom) / mib / seconds;
      const total =
        progress.total !== undefined
          ? ` / ${(progress.total / mib).toFixed(1)} MiB (${Math.floor((100 * progress.received) / progress.total)}%)`
          : " MiB";
      const resumed = progress.resumedFrom > 0 ? ", resumed" : "";
      stream.write(
        `\r${label}: ${(progress.received / mib).toFixed(1)}${total}, ${rate.toFixed(1)} MiB/s${resumed}\x1b[K`,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write("\n");
    },
  };
}
