import assert from "node:assert/strict";
import { test } from "node:test";
import { runChorus } from "../../../test/support/run-chorus.ts";

test("demo: --train-roles belongs to magicore, and its help names it", async () => {
  const other = await runChorus(["demo", "utdebug", "--train-roles"]);
  assert.notEqual(other.code, 0);
  assert.match(
    other.stderr,
    /--train-roles retrains `chorus demo magicore`'s shipped role adapters/,
  );
  const help = await runChorus(["demo", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /chorus demo magicore --train-roles/);
});
