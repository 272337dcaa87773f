import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { snapshotParams } from "./weights-snapshot.ts";
import { loadSnapshot, saveSnapshot } from "./weights-snapshot-file.ts";

const dir = await mkdtemp(join(tmpdir(), "chorus-snapshot-file-"));
after(() => rm(dir, { recursive: true, force: true }));

test("a weights snapshot survives a save/load round trip exactly (f32 and f64)", async () => {
  const params = [
    { name: "a", shape: [2, 3], data: Float32Array.from([1.5, -2, 3e-7, 4, 5, Math.PI]) },
    { name: "b", shape: [2], data: Float64Array.from([Math.E, -1e-300]) },
  ];
  // Only name, shape and data are read by snapshotParams.
  const snap = snapshotParams(params as never);
  const path = join(dir, "s.json");
  await saveSnapshot(path, snap);
  const back = await loadSnapshot(path);
  assert.equal(back.hash, snap.hash);
  for (const [name, t] of snap.tensors) {
    const b = back.tensors.get(name)!;
    assert.deepEqual(b.shape, t.shape);
    assert.equal(b.data.constructor, t.data.constructor);
    assert.deepEqual(Array.from(b.data), Array.from(t.data));
  }
  assert.equal(
    snapshotParams([...back.tensors].map(([name, t]) => ({ name, ...t })) as never).hash,
    snap.hash,
  );
  await writeFile(join(dir, "bad.json"), "{}");
  await assert.rejects(loadSnapshot(join(dir, "bad.json")), /not a weights snapshot/);
});
