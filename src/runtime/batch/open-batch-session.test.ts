import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { UsageError } from "../../model/errors.ts";
import { ScriptedModel } from "../../testing/scripted-model.ts";
import { openBatchSession } from "./open-batch-session.ts";

test("an online batch session refuses a model served by replicas, and takes one base URL", async () => {
  const runDir = mkdtempSync(join(tmpdir(), "chorus-batch-session-"));
  const session = await openBatchSession(runDir, "online", { maxLines: 10, runId: "r" });
  const model = new ScriptedModel({ script: ["unused"] });
  const replicas = ["http://127.0.0.1:9/v1", "http://127.0.0.2:9/v1"];
  assert.throws(
    () =>
      session.wrap(model, {
        name: "m",
        entry: { engine: "openai", baseURL: replicas, model: "m" },
      }),
    (error) =>
      error instanceof UsageError &&
      /model "m" has 2 replicas \(http:\/\/127\.0\.0\.1:9\/v1, http:\/\/127\.0\.0\.2:9\/v1\); .*give one --base-url/.test(
        error.message,
      ),
  );
  const one = session.wrap(model, {
    name: "m",
    entry: { engine: "openai", baseURL: replicas[0]!, model: "m" },
  });
  assert.equal(one.id, model.id);
  await session.close();
});
