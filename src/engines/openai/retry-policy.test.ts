import assert from "node:assert/strict";
import { test } from "node:test";
import {
  backoffMs,
  isConnectionError,
  isDroppedConnection,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
} from "./retry-policy.ts";

const policy: RetryPolicy = {
  maxRetries: 3,
  baseMs: 100,
  maxBackoffMs: 1000,
  maxRetryAfterMs: 5000,
};

test("retryable statuses: 408, 409, 429 and 5xx only", () => {
  for (const status of [408, 409, 429, 500, 502, 503])
    assert.equal(isRetryableStatus(status), true);
  for (const status of [400, 401, 403, 404, 422]) assert.equal(isRetryableStatus(status), false);
});

test("Retry-After: seconds, HTTP date, cap, garbage", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(parseRetryAfter("2", 5000, now), 2000);
  assert.equal(parseRetryAfter("0.5", 5000, now), 500);
  assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:00:03 GMT", 5000, now), 3000);
  assert.equal(parseRetryAfter("Wed, 31 Dec 2025 23:00:00 GMT", 5000, now), 0);
  assert.equal(parseRetryAfter("3600", 5000, now), 5000);
  assert.equal(parseRetryAfter("soon", 5000, now), undefined);
  assert.equal(parseRetryAfter(null, 5000, now), undefined);
});

test("full jitter stays under the doubling ceiling and the cap", () => {
  assert.equal(
    backoffMs(policy, 0, () => 0.999),
    99,
  );
  assert.equal(
    backoffMs(policy, 2, () => 0.5),
    200,
  );
  assert.equal(
    backoffMs(policy, 10, () => 0.999),
    999,
  );
  assert.equal(
    backoffMs(policy, 3, () => 0),
    0,
  );
});

test("connection errors are recognized through fetch's cause chain", () => {
  const refused = new TypeError("fetch failed", {
    cause: Object.assign(new Error("connect"), { code: "ECONNREFUSED" }),
  });
  assert.equal(isConnectionError(refused), true);
  assert.equal(
    isConnectionError(new TypeError("fetch failed", { cause: new Error("other side closed") })),
    true,
  );
  assert.equal(isConnectionError(new Error("socket hang up")), true);
  assert.equal(isConnectionError(new TypeError("Invalid URL")), false);
});

test("a dropped connection is told from one that could not be made", () => {
  const cause = (code: string) => Object.assign(new Error("x"), { code });
  const fetchFailed = (c: Error) => new TypeError("fetch failed", { cause: c });
  assert.equal(isDroppedConnection(fetchFailed(cause("ECONNRESET"))), true);
  assert.equal(isDroppedConnection(fetchFailed(cause("UND_ERR_SOCKET"))), true);
  assert.equal(isDroppedConnection(fetchFailed(new Error("other side closed"))), true);
  assert.equal(isDroppedConnection(fetchFailed(cause("ECONNREFUSED"))), false);
  assert.equal(isDroppedConnection(fetchFailed(cause("UND_ERR_CONNECT_TIMEOUT"))), false);
  assert.equal(isDroppedConnection(fetchFailed(cause("EAI_AGAIN"))), false);
});
