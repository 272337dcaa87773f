import assert from "node:assert/strict";
import { test } from "node:test";
import { ProgressLine, progressWanted } from "./progress-line.ts";
import { RunStats } from "./run-stats.ts";

test("the progress line shows items, tokens, cache hits and retries, only on a terminal", () => {
  const stats = new RunStats();
  Object.assign(stats, { itemsTotal: 30, itemsDone: 10, itemsSkipped: 2, cacheHits: 1 });
  Object.assign(stats, { inputTokens: 2000, outputTokens: 1400, retries: 3 });
  let written = "";
  const stream = { isTTY: true, write: (s: string) => (written += s) } as never;
  const line = new ProgressLine(stats, { stream, enabled: true });
  assert.equal(line.text(), "12/30 items · 3.4k tokens · 1 cache hit · 3 retries");
  line.update();
  line.finish();
  assert.match(written, /\r\x1b\[2K12\/30 items.*\n$/);

  const silent = new ProgressLine(stats, { stream, enabled: false });
  silent.update();
  silent.finish();
  assert.equal(written.split("\n").length, 2, "a disabled line writes nothing");
  assert.equal(progressWanted({ isTTY: false }), false);
  const ci = process.env.CI;
  process.env.CI = "true";
  assert.equal(progressWanted({ isTTY: true }), false);
  if (ci === undefined) delete process.env.CI;
  else process.env.CI = ci;
});
