import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { JsonlAppender, readJsonl } from "./jsonl-file.ts";

const dir = mkdtempSync(join(tmpdir(), "chorus-jsonl-"));

test("appendSynced: lines appended together share fdatasyncs and resolve once synced", async () => {
  const path = join(dir, "grouped.jsonl");
  const out = new JsonlAppender(path, { groupSync: { maxLines: 64, maxDelayMs: 5 } });
  const done = await Promise.all(Array.from({ length: 1000 }, (_, i) => out.appendSynced({ i })));
  assert.equal(done.length, 1000);
  // 1000 lines in one tick: full groups of 64 (one sync in flight at a time) plus the rest
  assert.ok(out.syncs >= 2 && out.syncs <= 1000 / 64 + 2, `${out.syncs} syncs`);
  // a line appended later gets its own sync after the delay
  const before = out.syncs;
  await out.appendSynced({ i: 1000 });
  assert.equal(out.syncs, before + 1);
  out.close();
  assert.deepEqual(
    readJsonl<{ i: number }>(path).map((r) => r.i),
    Array.from({ length: 1001 }, (_, i) => i),
  );
});

test("close syncs and resolves lines still waiting for their group", async () => {
  const path = join(dir, "close.jsonl");
  const out = new JsonlAppender(path, { groupSync: { maxLines: 1000, maxDelayMs: 60_000 } });
  const waiting = [out.appendSynced({ a: 1 }), out.appendSynced({ a: 2 })];
  out.close();
  await Promise.all(waiting);
  assert.equal(out.syncs, 1);
  assert.equal(readFileSync(path, "utf8"), '{"a":1}\n{"a":2}\n');
});

test("a torn tail from a killed writer is still cut before appending", async () => {
  const path = join(dir, "torn.jsonl");
  appendFileSync(path, '{"a":1}\n{"a":');
  const out = new JsonlAppender(path, { groupSync: {} });
  await out.appendSynced({ a: 2 });
  out.close();
  assert.deepEqual(readJsonl(path), [{ a: 1 }, { a: 2 }]);
});
