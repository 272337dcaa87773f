import assert from "node:assert/strict";
import { test } from "node:test";
import { DataError } from "../../model/errors.ts";
import { isAnswered, parseBatchAnswer } from "./batch-format.ts";
import { offlineRetry, onlineRetry, shouldRetry } from "./retry-rule.ts";

const where = { file: "out.jsonl", line: 3 };
const body = { choices: [{ index: 0, message: { content: "4" }, finish_reason: "stop" }] };

test("OpenAI and vLLM output lines read alike; failures keep code and message", () => {
  const ok = parseBatchAnswer(
    JSON.stringify({
      id: "batch_req_1",
      custom_id: "a-0",
      response: { status_code: 200, request_id: "r", body },
      error: null,
    }),
    where,
  );
  assert.deepEqual(ok, { customId: "a-0", lineId: "batch_req_1", status: 200, body });
  assert.ok(isAnswered(ok));
  const expired = parseBatchAnswer(
    JSON.stringify({
      id: "batch_req_2",
      custom_id: "b-0",
      response: null,
      error: { code: "batch_expired", message: "expired" },
    }),
    where,
  );
  assert.deepEqual(expired.error, { code: "batch_expired", message: "expired" });
  assert.ok(!isAnswered(expired));
  const errorFile = parseBatchAnswer(
    JSON.stringify({
      id: "batch_req_3",
      custom_id: "c-0",
      response: {
        status_code: 400,
        body: { error: { message: "bad prompt", type: "invalid_request_error" } },
      },
      error: null,
    }),
    where,
  );
  assert.equal(errorFile.status, 400);
  assert.deepEqual(errorFile.error, { code: "invalid_request_error", message: "bad prompt" });
  const vllm = parseBatchAnswer(
    JSON.stringify({
      id: "vllm-1",
      custom_id: "d-0",
      response: { status_code: 400, request_id: "vllm-batch-1", body: null },
      error: "Internal error",
    }),
    where,
  );
  assert.deepEqual(vllm.error, { message: "Internal error" });
  assert.equal(vllm.status, 400);
  const vllmObject = parseBatchAnswer(
    JSON.stringify({
      id: "vllm-2",
      custom_id: "e-0",
      response: { status_code: 400, body: null },
      error: { object: "error", message: "too long", type: "BadRequestError", code: 400 },
    }),
    where,
  );
  assert.deepEqual(vllmObject.error, { code: "BadRequestError", message: "too long" });
});

test("a line that is not a Batch output line is a DataError naming file and line", () => {
  assert.throws(
    () => parseBatchAnswer("{not json", where),
    (e: unknown) => e instanceof DataError && /out\.jsonl:3: not a JSON line/.test(e.message),
  );
  assert.throws(
    () => parseBatchAnswer('{"id":"x"}', where),
    /out\.jsonl:3: not a Batch output line: no custom_id/,
  );
});

test("retries: transient failures thrice, a meant 4xx once offline and never online", () => {
  const expired = { customId: "a", error: { code: "batch_expired", message: "" } };
  const bad = { customId: "a", status: 400, error: { message: "bad" } };
  const overloaded = { customId: "a", status: 503, error: { message: "busy" } };
  assert.ok(shouldRetry([], onlineRetry));
  assert.ok(shouldRetry([expired, expired], onlineRetry));
  assert.ok(!shouldRetry([expired, expired, expired], onlineRetry));
  assert.ok(shouldRetry([overloaded], onlineRetry));
  assert.ok(!shouldRetry([bad], onlineRetry));
  assert.ok(shouldRetry([bad], offlineRetry));
  assert.ok(!shouldRetry([bad, bad], offlineRetry));
});
