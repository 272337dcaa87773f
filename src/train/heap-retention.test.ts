import assert from "node:assert/strict";
import { test } from "node:test";
import { retainFreedHeap } from "./heap-retention.ts";

test("heap retention takes effect on glibc Linux, once per process", () => {
  const glibc =
    process.platform === "linux" &&
    typeof (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header
      ?.glibcVersionRuntime === "string";
  const first = retainFreedHeap();
  assert.equal(first, glibc && process.env["CHORUS_TRAIN_RETAIN_HEAP"] !== "0");
  assert.equal(retainFreedHeap(), first);
});
