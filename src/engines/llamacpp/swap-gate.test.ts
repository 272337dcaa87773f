import assert from "node:assert/strict";
import { test } from "node:test";
import { SwapGate } from "./swap-gate.ts";

/** A promise with its resolver, to hold a call open. */
function held(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

test("a swap waits for running calls, and calls started after it wait for the swap", async () => {
  const gate = new SwapGate();
  const log: string[] = [];
  let config = "A";
  const first = held();
  const oldCall = gate.run(async () => {
    log.push(`old starts on ${config}`);
    await first.promise;
    log.push(`old ends on ${config}`);
  });
  const swapped = gate.swap(async () => {
    log.push("apply B");
    config = "B";
  });
  const newCall = gate.run(async () => {
    log.push(`new runs on ${config}`);
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(log, ["old starts on A"], "neither the swap nor the new call may start yet");
  assert.equal(gate.inFlight, 2);
  first.release();
  await Promise.all([oldCall, swapped, newCall]);
  assert.deepEqual(log, ["old starts on A", "old ends on A", "apply B", "new runs on B"]);
  assert.equal(gate.inFlight, 0);
});

test("swaps apply in order, each after the calls of its epoch", async () => {
  const gate = new SwapGate();
  const log: string[] = [];
  let config = 0;
  const hold = held();
  const calls: Promise<void>[] = [gate.run(async () => void log.push(`call on ${config}`))];
  const s1 = gate.swap(async () => {
    config = 1;
    log.push("apply 1");
  });
  calls.push(
    gate.run(async () => {
      log.push(`call on ${config}`);
      await hold.promise;
    }),
  );
  const s2 = gate.swap(async () => {
    config = 2;
    log.push("apply 2");
  });
  calls.push(gate.run(async () => void log.push(`call on ${config}`)));
  await s1;
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(log, ["call on 0", "apply 1", "call on 1"], "swap 2 waits for the held call");
  hold.release();
  await Promise.all([...calls, s2]);
  assert.deepEqual(log, ["call on 0", "apply 1", "call on 1", "apply 2", "call on 2"]);
});

test("an idle gate applies at once; a failed apply fails its epoch's calls and not the next", async () => {
  const gate = new SwapGate();
  let applied = false;
  await gate.swap(async () => {
    applied = true;
  });
  assert.ok(applied);
  const failed = gate.swap(async () => {
    throw new Error("native failure");
  });
  const caught = gate.run(async () => "ran");
  await assert.rejects(failed, /native failure/);
  await assert.rejects(caught, /native failure/);
  await gate.swap(async () => undefined);
  assert.equal(await gate.run(async () => "ran"), "ran");
});
