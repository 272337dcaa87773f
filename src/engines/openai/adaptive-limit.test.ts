import assert from "node:assert/strict";
import { test } from "node:test";
import { AdaptiveLimit } from "./adaptive-limit.ts";

const settings = { min: 4, start: 8, max: 64, decrease: 0.8, cooldownMs: 1000 };

/** Feeds `count` busy completions spread evenly over `ms` from `from`; returns the end time. */
function busyWindow(limit: AdaptiveLimit, from: number, count: number, ms: number): number {
  for (let i = 1; i <= count; i++) limit.completed(from + (ms * i) / count, true);
  return from + ms;
}

test("a raise that buys throughput is kept; one that does not is undone and probing rests", () => {
  const limit = new AdaptiveLimit(settings);
  // A server whose throughput follows concurrency: every raise pays.
  let now = 0;
  limit.completed(now, true);
  for (let round = 0; round < 4; round++) {
    const n = limit.value;
    now = busyWindow(limit, now, n, 100); // n per 100 ms
  }
  assert.ok(limit.value > 8, `grew past its start, got ${limit.value}`);
  const grown = limit.value;

  // Now the server is saturated: the same throughput whatever the limit.
  const saturated = new AdaptiveLimit(settings);
  now = 0;
  saturated.completed(now, true);
  now = busyWindow(saturated, now, 8, 100); // measures 0.08/ms, raises to 10
  assert.equal(saturated.value, 10);
  now = busyWindow(saturated, now, 10, 125); // same 0.08/ms: the raise is undone
  assert.equal(saturated.value, 8);
  now = busyWindow(saturated, now, 8, 100);
  assert.equal(saturated.value, 8, "rests for cooldownMs before probing again");
  assert.ok(grown <= settings.max);
});

test("overload cuts the limit once per episode, never below min; idle windows teach nothing", () => {
  const limit = new AdaptiveLimit({ ...settings, start: 20 });
  limit.overloaded(0);
  limit.overloaded(10); // same episode
  assert.equal(limit.value, 16);
  limit.overloaded(2000);
  assert.equal(limit.value, 12);
  for (let t = 4000; t < 20000; t += 2000) limit.overloaded(t);
  assert.equal(limit.value, 4);
  // completions while the replica is not busy (no queue, free slots) do not raise it
  for (let t = 30000; t < 31000; t++) limit.completed(t, false);
  assert.equal(limit.value, 4);
});

test("start is clamped into [min, max] and bad settings are refused", () => {
  assert.equal(new AdaptiveLimit({ ...settings, start: 1000 }).value, 64);
  assert.equal(new AdaptiveLimit({ ...settings, min: 2, start: 2, max: 2 }).value, 2);
  assert.throws(() => new AdaptiveLimit({ ...settings, min: 0 }), /adaptive.min/);
  assert.throws(() => new AdaptiveLimit({ ...settings, decrease: 1.5 }), /adaptive.decrease/);
});
