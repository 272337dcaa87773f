import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { DataError } from "../model/errors.ts";
import { AdamW } from "./adamw.ts";
import { checkpointFile, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
import type { Param } from "./param.ts";

const dir = await mkdtemp(join(tmpdir(), "chorus-checkpoint-"));
after(() => rm(dir, { recursive: true, force: true }));

const param = (): Param => ({
  name: "w",
  shape: [3],
  data: new Float32Array([1, 2, 3]),
  grad: new Float32Array([0.5, -1, 2]),
});
const state = (step: number) => ({ step, epoch: 0, cursor: step, rngState: 7, losses: [1, 0.5] });

test("a crash while writing the next checkpoint resumes from the previous one, whole", async () => {
  const d = join(dir, "crash");
  const p = param();
  const opt = new AdamW([p]);
  opt.update(0.1);
  await saveCheckpoint(d, [p], opt, state(1));
  const savedWeights = Array.from(p.data);
  const savedM = Array.from(opt.m.get("w")!);
  // The next save dies after writing part of its temporary file.
  opt.update(0.1);
  const full = await readFile(join(d, checkpointFile));
  await writeFile(join(d, `${checkpointFile}.tmp`), full.subarray(0, full.length - 5));

  const q = param();
  const fresh = new AdamW([q]);
  const loaded = await loadCheckpoint(d, [q], fresh);
  assert.equal(loaded?.step, 1);
  assert.equal(fresh.step, 1);
  assert.deepEqual(Array.from(q.data), savedWeights);
  assert.deepEqual(Array.from(fresh.m.get("w")!), savedM);
});

test("no checkpoint is undefined; a damaged one is a DataError saying to delete it", async () => {
  const d = join(dir, "damaged");
  assert.equal(await loadCheckpoint(d, [param()], new AdamW([param()])), undefined);
  const p = param();
  const opt = new AdamW([p]);
  await saveCheckpoint(d, [p], opt, state(0));
  const full = await readFile(join(d, checkpointFile));
  await writeFile(join(d, checkpointFile), full.subarray(0, full.length - 8));
  await assert.rejects(
    loadCheckpoint(d, [param()], new AdamW([param()])),
    (e: unknown) => e instanceof DataError && /damaged .*delete it/.test(e.message),
  );
});
