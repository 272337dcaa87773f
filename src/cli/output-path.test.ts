import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { UsageError } from "../model/errors.ts";
import { checkOutputPath } from "./output-path.ts";

const dir = mkdtempSync(join(tmpdir(), "chorus-output-path-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a new or existing file in an existing folder may be written", () => {
  checkOutputPath(join(dir, "new.gguf"));
  writeFileSync(join(dir, "old.gguf"), "x");
  checkOutputPath(join(dir, "old.gguf"));
});

test("a folder, a missing folder or a file as the folder is a UsageError naming the flag", () => {
  const file = join(dir, "plain");
  writeFileSync(file, "x");
  const cases: Array<[string, RegExp]> = [
    [dir, /^--out .* is a folder; give a file name inside it$/],
    [join(dir, "no", "such", "m.gguf"), /the folder .*no\/such does not exist; create it first/],
    [join(file, "m.gguf"), /the folder .*plain is not a folder/],
  ];
  for (const [path, message] of cases) {
    assert.throws(
      () => checkOutputPath(path),
      (e) => e instanceof UsageError && message.test(e.message),
      path,
    );
  }
  assert.throws(() => checkOutputPath(dir, "--model-out"), /^UsageError: --model-out /);
});
