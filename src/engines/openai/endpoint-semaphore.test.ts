import assert from "node:assert/strict";
import { test } from "node:test";
import { endpointSemaphore, Semaphore } from "./endpoint-semaphore.ts";

test("permits are granted in order up to the limit and released once", async () => {
  const semaphore = new Semaphore(2);
  const first = await semaphore.acquire();
  const second = await semaphore.acquire();
  let thirdGranted = false;
  const third = semaphore.acquire().then((release) => {
    thirdGranted = true;
    return release;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(thirdGranted, false);
  first();
  first();
  const release = await third;
  assert.equal(semaphore.active, 2);
  second();
  release();
  assert.equal(semaphore.active, 0);
});

test("an aborted waiter leaves the queue and rejects with the signal's reason", async () => {
  const semaphore = new Semaphore(1);
  const held = await semaphore.acquire();
  const controller = new AbortController();
  const waiting = semaphore.acquire(controller.signal);
  controller.abort(new Error("gave up"));
  await assert.rejects(waiting, /gave up/);
  held();
  assert.equal(semaphore.active, 0);
});

test("raising the limit lets waiters in; models on one base URL share the semaphore", async () => {
  const semaphore = endpointSemaphore("http://127.0.0.1:9/v1/", 1, 8);
  assert.equal(endpointSemaphore("http://127.0.0.1:9/v1", undefined, 8), semaphore);
  const held = await semaphore.acquire();
  const waiting = semaphore.acquire();
  semaphore.limit = 2;
  (await waiting)();
  held();
  assert.throws(() => new Semaphore(0), /positive integer/);
});
