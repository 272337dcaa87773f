import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { UsageError } from "../../model/errors.ts";
import { shippedModelsDir } from "../../testbed/shipped-models.ts";
import { abacusSubject } from "./demo-abacus.ts";

test("abacusSubject: the shipped abacus-1m, its msb-first world and its file", () => {
  const s = abacusSubject({}, "magicore", "msb-first");
  assert.equal(s.record.name, "abacus-1m");
  assert.equal(s.config.notation, "msb-first");
  assert.match(s.path, /abacus-1m\.gguf$/);
  assert.equal(abacusSubject({ modelPath: "/x/other.gguf" }, "utdebug").path, "/x/other.gguf");
});

test("abacusSubject refuses an Atlas model and a model of the other notation, naming the fix", () => {
  assert.throws(
    () => abacusSubject({ model: "atlas-1m" }, "utdebug"),
    (e: unknown) =>
      e instanceof UsageError &&
      /utdebug demo needs an Abacus model.*--model abacus-1m/.test(e.message),
  );
  const dir = mkdtempSync(join(tmpdir(), "abacus-subject-"));
  try {
    const record = JSON.parse(readFileSync(join(shippedModelsDir, "abacus-1m.json"), "utf8"));
    record.name = "abacus-lsb";
    record.file = "abacus-lsb.gguf";
    record.worldConfig = { ...record.worldConfig, notation: "lsb-first" };
    writeFileSync(join(dir, "abacus-lsb.json"), JSON.stringify(record));
    writeFileSync(join(dir, "abacus-lsb.gguf"), "");
    const flags = { model: "abacus-lsb", modelsDir: dir };
    assert.equal(abacusSubject(flags, "symbolic-moe").config.notation, "lsb-first");
    assert.throws(
      () => abacusSubject(flags, "magicore", "msb-first"),
      (e: unknown) =>
        e instanceof UsageError &&
        /magicore demo writes its numbers msb-first; abacus-lsb writes them lsb-first/.test(
          e.message,
        ),
    );
    record.worldConfig = { ...record.worldConfig, notation: "msb-first", working: "columns" };
    writeFileSync(join(dir, "abacus-lsb.json"), JSON.stringify(record));
    assert.throws(
      () => abacusSubject(flags, "laser"),
      (e: unknown) =>
        e instanceof UsageError &&
        /laser demo reads answers without working; abacus-lsb works its sums first/.test(e.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
